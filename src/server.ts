// Composition root: opens the store, builds the core, starts the MSNP
// listeners and the periodic sweep, and stops them all again.
import type net from 'node:net';
import type { Config } from './config.js';
import { Core } from './core/core.js';
import { DEFAULT_STORAGE_LIMITS } from './core/expression-profiles.js';
import type { Clock } from './core/clock.js';
import type { Logger } from './log.js';
import { listenTcp } from './msnp/tcp.js';
import { ConnectionCounter } from './net/connection-counter.js';
import type { Transport } from './net/transport.js';
import type { SessionLimits } from './msnp/session.js';
import { NsSession } from './msnp/ns/session.js';
import type { NsContext } from './msnp/ns/context.js';
import { SbSession } from './msnp/sb/session.js';
import type { SbContext } from './msnp/sb/context.js';
import { NS_PAYLOAD_VERBS, SB_PAYLOAD_VERBS } from './msnp/wire/verbs.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import { startWeb, type RunningWeb } from './web/index.js';
import { HttpGateway } from './web/gateway/index.js';
import type { Store } from './store/store.js';

export interface Listener {
  name: string;
  host: string;
  port: number;
}

export interface RunningServer {
  core: Core;
  listeners: Listener[];
  /** Listeners that could not start (one line each, naming the variable and the fix); the others run. */
  problems: string[];
  web: RunningWeb | undefined;
  /** Bound ports by role. */
  ports: { ns: number; sb: number; notify?: number; http?: number; https?: number };
  /** Stops accepting, tells signed-in clients the server is going down, closes everything. */
  stop(): Promise<void>;
  /** Counts for logs and operators. */
  stats(): { notificationConnections: number; switchboardConnections: number; online: number; conversations: number };
}

/** How often due deadlines (sessions, tokens, tickets, chats) are run. */
const TICK_MS = 250;

export async function startServer(config: Config, log: Logger, opts: { store?: Store; web?: boolean; clock?: Clock } = {}): Promise<RunningServer> {
  // A CLI write must not freeze every connection: wait a few ms, then retry on a timer.
  const store =
    opts.store ??
    openSqliteStore(config.dataDir, {
      busyTimeoutMs: config.dbBusyTimeoutMs,
      busyDeadlineMs: config.dbBusyDeadlineMs,
      onBusy: () => log.debug('the database is locked by another process (the CLI?): retrying'),
      backgroundCheckpointMs: 1000,
      tombstoneRetentionMs: config.abTombstoneDays * 24 * 3600 * 1000,
      onCheckpointFailure: (e) => log.error({ err: e }, 'WAL checkpoint worker failed: checkpoints run on the service connection again'),
    });
  const core = new Core(
    store,
    {
      accounts: { scryptN: config.scryptN, legacyMd5: config.legacyMd5 },
      loginFailuresPerIp: config.loginFailuresPerIp,
      ipv6Prefix: config.ipv6Prefix,
      ticketTtlSeconds: config.ticketTtl,
      serviceTokenTtlSeconds: config.serviceTokenTtl,
      storageLimits: { ...DEFAULT_STORAGE_LIMITS, maxPictureBytes: config.storageMaxPicture },
      offlineLimits: { maxBytes: config.oimMaxBytes, perRecipient: config.oimMaxPerRecipient, perSender: config.oimMaxPerSender },
      chats: {
        cookieTtlMs: config.cookieTtl * 1000,
        ringTimeoutMs: config.ringTimeout * 1000,
        lonelyTimeoutMs: config.sbLonelyTimeout * 1000,
      },
      clock: opts.clock,
    },
    log,
  );
  await core.startAdminFeed();

  const nsSessions = new Set<NsSession>();
  const sbSessions = new Set<SbSession>();
  const limits = (maxPayloadBytes: number, payloadVerbs: ReadonlySet<string>, rate: number, burst: number, maxWriteBuffer: number, overRate: 'close' | 'pace' = 'close'): SessionLimits => ({
    framer: { maxLineBytes: config.maxLineBytes, maxPayloadBytes, payloadVerbs },
    maxReadAhead: config.maxLineBytes + maxPayloadBytes + 16384,
    maxWriteBuffer,
    commandsPerSecond: rate,
    commandBurst: burst,
    overRate,
    partialTimeoutMs: config.partialTimeout * 1000,
  });
  const servers: net.Server[] = [];
  // One count across every listener: a client uses NS and SB connections alike.
  const connectionsPerIp = new ConnectionCounter(config.maxConnectionsPerIp, log, config.ipv6Prefix);
  const listeners: Listener[] = [];
  const ports = { ns: 0, sb: 0, notify: undefined as number | undefined };

  const nsContext = (dispatchOnly: boolean): NsContext => ({
    core,
    config,
    log: log.child({ server: dispatchOnly ? 'dispatch' : 'ns' }),
    limits: limits(config.maxNsPayloadBytes, NS_PAYLOAD_VERBS, config.nsCommandRate, config.nsCommandBurst, 2 * 1024 * 1024),
    dispatchOnly,
    notifyPort: () => ports.notify ?? ports.ns,
    sbPort: () => ports.sb,
    onSessionClosed: (s) => nsSessions.delete(s),
  });
  const sbContext: SbContext = {
    core,
    config,
    log: log.child({ server: 'sb' }),
    // A switchboard carries P2P transfers as fast as TCP allows: over the rate it is paced, not closed.
    limits: limits(config.maxSbPayloadBytes, SB_PAYLOAD_VERBS, config.sbCommandRate, config.sbCommandBurst, 512 * 1024, 'pace'),
    sbPort: () => ports.sb,
    onSessionClosed: (s) => sbSessions.delete(s),
  };

  const listen = async (name: string, port: number, accept: Parameters<typeof listenTcp>[0]['accept']) => {
    const server = await listenTcp({ host: config.host, port, name, log, accept, perIp: connectionsPerIp });
    servers.push(server);
    const addr = server.address() as net.AddressInfo;
    listeners.push({ name, host: config.host, port: addr.port });
    return addr.port;
  };

  // Every transport (TCP, the gateway) gets the very same sessions.
  const newNsSession = (ctx: NsContext, t: Transport) => {
    const s = new NsSession(ctx, t, Date.now());
    nsSessions.add(s);
    return s;
  };
  const newSbSession = (t: Transport, ctx = sbContext) => {
    const s = new SbSession(ctx, t, Date.now());
    sbSessions.add(s);
    return s;
  };
  // Gateway output waits for the client's next poll (every ~2 s), not for a socket
  // to drain: a P2P transfer from a TCP peer needs more room there.
  const gatewayRoom = <C extends { limits: SessionLimits }>(ctx: C): C => ({
    ...ctx,
    limits: { ...ctx.limits, maxWriteBuffer: config.gatewayMaxQueue },
  });

  /** The context of sessions that sign clients in (the notification listener's). */
  let signInCtx: NsContext | undefined;
  try {
    const redirect = config.dispatch === 'redirect';
    const nsCtx = nsContext(redirect);
    signInCtx = nsCtx;
    ports.ns = await listen(redirect ? 'dispatch' : 'notification', config.nsPort, (t) => newNsSession(nsCtx, t));
    if (redirect) {
      const notifyCtx = nsContext(false);
      signInCtx = notifyCtx;
      ports.notify = await listen('notification', config.notifyPort, (t) => newNsSession(notifyCtx, t));
    }
    ports.sb = await listen('switchboard', config.sbPort, (t) => newSbSession(t));
  } catch (e) {
    for (const s of servers) s.close();
    await store.close();
    throw e;
  }

  // The HTTP gateway runs the same sessions over polled HTTP. Its NS sessions sign
  // in directly: the gateway "has never been seen to transfer clients to another
  // notification server" (hypothetic.org "HTTP connections").
  const gatewaySbCtx = gatewayRoom(sbContext);
  const gatewayNsCtx = signInCtx && gatewayRoom(signInCtx);
  const gateway = config.gateway
    ? new HttpGateway(config, log, {
        perIp: connectionsPerIp,
        timers: core.timers,
        now: () => core.clock.now(),
        open: (kind, t) => (kind === 'SB' ? newSbSession(t, gatewaySbCtx) : newNsSession(gatewayNsCtx!, t)),
      })
    : undefined;

  let web: RunningWeb | undefined;
  const problems: string[] = [];
  if (opts.web !== false) {
    try {
      web = await startWeb(config, core, log, gateway && ((r) => gateway.routes(r)));
    } catch (e) {
      // Nothing half-started stays behind (the process could not exit otherwise).
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      await store.close();
      throw e;
    }
    problems.push(...web.problems);
    if (web.httpPort !== undefined) listeners.push({ name: 'http', host: config.host, port: web.httpPort });
    if (web.httpsPort !== undefined) listeners.push({ name: 'https', host: config.host, port: web.httpsPort });
  }

  core.chats.expel = (members) => {
    for (const m of members) if (m instanceof SbSession) m.close('alone in the conversation for too long');
  };
  let lastAdminPoll = 0;
  let polling = false;
  // One timer for the process: sessions, tokens, tickets and chats register
  // their deadlines in core.timers, and each tick pops only what is due.
  const timer = setInterval(() => {
    const now = core.clock.now();
    core.sweep();
    if (!polling && now - lastAdminPoll >= config.adminPollInterval * 1000) {
      lastAdminPoll = now;
      polling = true;
      core
        .pollAdminFeed()
        .catch((e: unknown) => log.error({ err: e }, 'reading admin events failed'))
        .finally(() => (polling = false));
    }
  }, TICK_MS);
  timer.unref();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(timer);
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of [...nsSessions]) {
        s.send('OUT SSD');
        s.close('server shutting down');
      }
      for (const s of [...sbSessions]) s.close('server shutting down');
      // Gateway clients collect their OUT SSD with their next poll (every ~2 s): give them one.
      if (gateway) await gateway.sessions.drained(3000);
      await web?.server.close();
      await closed;
      await store.close();
    })());

  const stats = () => ({
    notificationConnections: nsSessions.size,
    switchboardConnections: sbSessions.size,
    online: core.presence.count,
    conversations: core.chats.count,
  });
  return {
    core,
    listeners,
    problems,
    web,
    ports: { ns: ports.ns, sb: ports.sb, notify: ports.notify, http: web?.httpPort, https: web?.httpsPort },
    stop,
    stats,
  };
}
