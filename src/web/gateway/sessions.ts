// The gateway's sessions: opened by `Action=open`, found by their SessionID,
// answered one request at a time in arrival order, and closed like a dropped
// connection when the client stops polling.
import type { Deadline, DeadlineHeap } from '../../core/deadline-heap.js';
import type { Logger } from '../../log.js';
import type { SocketSession } from '../../net/transport.js';
import { newSessionId, sameSessionId, sessionIdPrefix } from './session-id.js';
import { GatewayTransport } from './transport.js';

export type ServerKind = 'NS' | 'SB';

export interface GatewaySessionsOptions {
  log: Logger;
  /** Milliseconds a session may go without a request. */
  timeoutMs: number;
  /** Longest wait for a request's commands to be handled before answering with what is there. */
  answerWithinMs: number;
  /** Sessions per address, counted with the MSNP listeners' connections (MSNPD_MAX_CONNECTIONS_PER_IP): the connection counter shared with the TCP listeners (IPv6 counted per prefix: see net/address.ts). */
  perIp?: { keyOf(ip: string): string; add(key: string): boolean; remove(key: string): void };
  /** Creates the notification or switchboard session behind a new gateway session (the classes TCP uses). */
  open(kind: ServerKind, transport: GatewayTransport): SocketSession;
  /** The process's deadlines (core.timers): each session is looked at only when it may have expired. */
  timers: DeadlineHeap;
  now?: () => number;
}

export class GatewaySession {
  lastSeen: number;
  /** Requests being answered (the session does not expire meanwhile). */
  inFlight = 0;
  /** The previous request's answer: requests are answered in order. */
  turn: Promise<unknown> = Promise.resolve();
  /** When to look at this session again (its expiry, unless it was polled meanwhile). */
  expiry: Deadline | undefined;

  constructor(
    readonly id: string,
    readonly prefix: string,
    readonly kind: ServerKind,
    readonly transport: GatewayTransport,
    readonly ip: string,
    now: number,
  ) {
    this.lastSeen = now;
  }
}

export interface GatewayAnswer {
  body: Buffer;
  /** The session is over (its last output is in `body`): `Session=close`. */
  closed: boolean;
}

export class GatewaySessions {
  /** By the part of the id before the dot (unique). */
  private readonly byPrefix = new Map<string, GatewaySession>();
  private readonly now: () => number;

  constructor(private readonly opts: GatewaySessionsOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.byPrefix.size;
  }

  /** Resolves once every session's last output was collected, or after `ms` (shutdown). */
  async drained(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.byPrefix.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  /** A new session behind `Action=open`; undefined when the address has too many. */
  open(kind: ServerKind, remoteAddress: string, localAddress: string, localPort: number): GatewaySession | undefined {
    if (this.opts.perIp && !this.opts.perIp.add(this.opts.perIp.keyOf(remoteAddress))) return undefined;
    const { prefix, id } = newSessionId((p) => this.byPrefix.has(p));
    const transport = new GatewayTransport(remoteAddress, localAddress, localPort);
    try {
      transport.session = this.opts.open(kind, transport);
    } catch (e) {
      this.opts.perIp?.remove(this.opts.perIp.keyOf(remoteAddress));
      throw e;
    }
    const s = new GatewaySession(id, prefix, kind, transport, remoteAddress, this.now());
    this.byPrefix.set(prefix, s);
    s.expiry = this.opts.timers.add(s.lastSeen + this.opts.timeoutMs + 1, (now) => this.check(s, now));
    this.opts.log.debug({ kind, remote: remoteAddress }, 'gateway session opened');
    return s;
  }

  /** The live session with exactly this id; a malformed, unknown or wrong one finds nothing. */
  find(id: string): GatewaySession | undefined {
    const prefix = sessionIdPrefix(id);
    const s = prefix === undefined ? undefined : this.byPrefix.get(prefix);
    return s && sameSessionId(id, s.id) ? s : undefined;
  }

  /**
   * Feeds a request's body (after the session's earlier requests) and collects what is queued for the client.
   * Only a request for this session keeps it alive: proxies reuse one upstream connection for
   * many users, so counting a connection's traffic for every session it ever carried would keep
   * a vanished user online for as long as a colleague polls (Pidgin 2.4.3 and msn-pecan 0.1.4,
   * verified, poll each session on its own connection).
   */
  serve(s: GatewaySession, body: Buffer): Promise<GatewayAnswer> {
    s.inFlight++;
    const answer = s.turn.then(() => this.answer(s, body));
    s.turn = answer.catch(() => undefined);
    return answer.finally(() => {
      s.inFlight--;
      s.lastSeen = this.now();
    });
  }

  /** Closes a session at once, as a dropped connection (an oversized request, shutdown). */
  drop(s: GatewaySession, reason: string): void {
    this.opts.log.info({ remote: s.ip, kind: s.kind, reason }, 'gateway session closed');
    this.remove(s);
    s.transport.destroy();
    s.transport.session?.transportClosed();
  }

  /**
   * A session's deadline came: close it if nobody polled it for the timeout (or
   * forget it if it ended and nobody collected it); otherwise look again when it
   * may expire next. Polls themselves touch no timer, so a busy session costs
   * one heap operation per timeout period.
   */
  private check(s: GatewaySession, now: number): void {
    if (this.byPrefix.get(s.prefix) !== s) return;
    if (s.inFlight === 0 && now - s.lastSeen > this.opts.timeoutMs) {
      this.drop(s, s.transport.closed ? 'ended and never collected' : 'not polled in time (MSNPD_GATEWAY_TIMEOUT)');
      return;
    }
    this.opts.timers.schedule(s.expiry!, Math.max(s.lastSeen, now) + this.opts.timeoutMs + 1);
  }

  private async answer(s: GatewaySession, body: Buffer): Promise<GatewayAnswer> {
    s.lastSeen = this.now();
    try {
      await s.transport.feed(body, this.now(), this.opts.answerWithinMs);
    } catch (e) {
      // Nothing a client sends may take the process down (as for TCP).
      this.opts.log.error({ err: e }, 'error while handling gateway data');
      this.drop(s, 'error while handling data');
    }
    const out = s.transport.take();
    const closed = s.transport.closed;
    // Its last output is on its way: the id means nothing from now on.
    if (closed) this.remove(s);
    return { body: out, closed };
  }

  private remove(s: GatewaySession): void {
    if (this.byPrefix.get(s.prefix) !== s) return;
    this.byPrefix.delete(s.prefix);
    if (s.expiry) this.opts.timers.cancel(s.expiry);
    this.opts.perIp?.remove(this.opts.perIp.keyOf(s.ip));
  }
}
