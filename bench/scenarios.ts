// The benchmark scenarios. Each runs against a host:port with msnpd's own
// client library; where the baseline can do the same work, the same code
// drives it (its dialect differs only in how groups are formed).
import { performance } from 'node:perf_hooks';
import { MsnpConnection, type Received } from '../src/client/connection.js';
import { NsClient } from '../src/client/ns-client.js';
import type { PassportOptions } from '../src/client/passport.js';
import { distribution, pool, type Distribution } from './stats.js';

export const HOST = '127.0.0.1';
export const PASSWORD = 'benchpw';
export const account = (i: number) => `u${i}@bench.example`;
/** Accounts with the default (slow) password hash, for Passport sign-ins. */
export const slowAccount = (i: number) => `t${i}@bench.example`;

export async function signIn(port: number, email: string, version = 7, passport?: PassportOptions): Promise<NsClient> {
  const c = new NsClient({ host: HOST, port, versions: [version], timeoutMs: 60000, passport });
  await c.connect();
  await c.login(email, PASSWORD);
  return c;
}

// ---------------------------------------------------------------- login

export interface LoginResult {
  logins: number;
  perSecond: number;
  latencyMs: Distribution;
}

/**
 * N sign-ins at once until USR OK: MSNP7 (VER, INF, USR MD5 I/S), or with
 * `passport` MSNP11 (VER, CVR, USR TWN I, Nexus + login2.srf over HTTPS, USR TWN S).
 */
export async function loginScenario(port: number, n: number, offset = 0, passport?: PassportOptions, accountName = account): Promise<LoginResult> {
  const lat: number[] = [];
  const clients: NsClient[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const s = performance.now();
      const c = await signIn(port, accountName(offset + i), passport ? 11 : 7, passport);
      lat.push(performance.now() - s);
      clients.push(c);
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  for (const c of clients) c.conn.destroy();
  return { logins: n, perSecond: n / elapsed, latencyMs: distribution(lat) };
}

// ---------------------------------------------------------------- idle

export interface IdleResult {
  connections: number;
  rssBeforeBytes: number;
  rssHalfBytes: number;
  rssAfterBytes: number;
  /** (after - half) / (C/2): what one more connection costs, without the fixed costs a burst leaves. */
  bytesPerConnection: number;
  /** (after - before) / C, fixed costs included (V8's young generation grows to its maximum in a burst). */
  bytesPerConnectionInclusive: number;
}

/** C signed-in (SYN, CHG NLN) idle connections; the server's RSS growth per connection. */
export async function idleScenario(port: number, c: number, rss: () => number, offset = 0): Promise<{ result: IdleResult; clients: NsClient[] }> {
  const before = await steadyRss(rss);
  const connect = (from: number, count: number) =>
    pool(Array.from({ length: count }, (_, i) => from + i), 400, async (i) => {
      const cl = await signIn(port, account(offset + i));
      await cl.sync(0);
      await cl.setStatus('NLN');
      cl.conn.keepInbox = false;
      cl.conn.take();
      return cl;
    });
  const half = Math.floor(c / 2);
  const clients = await connect(0, half);
  const mid = await steadyRss(rss);
  clients.push(...(await connect(half, c - half)));
  const after = await steadyRss(rss);
  return {
    result: {
      connections: c,
      rssBeforeBytes: before,
      rssHalfBytes: mid,
      rssAfterBytes: after,
      bytesPerConnection: (after - mid) / (c - half),
      bytesPerConnectionInclusive: (after - before) / c,
    },
    clients,
  };
}

/** Set by the runner: asks the server for a full collection (msnpd: SIGUSR2). */
let compact: () => Promise<void> = async () => undefined;
export function setCompactor(fn: () => Promise<void>): void {
  compact = fn;
}

/**
 * RSS once it has stopped moving: V8 keeps the pages a burst of sign-ins
 * used until its memory reducer runs (several idle seconds later), so a
 * reading taken at once measures the burst, not the connections.
 */
async function steadyRss(rss: () => number): Promise<number> {
  const samples: number[] = [];
  await compact();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(rss());
    const last = samples.slice(-3);
    if (last.length === 3 && Math.max(...last) - Math.min(...last) < 0.01 * Math.max(...last)) break;
  }
  return samples[samples.length - 1]!;
}

// ---------------------------------------------------------------- relay

export interface RelayResult {
  pairs: number;
  messages: number;
  perSecond: number;
  latencyMs: Distribution;
}

/** One side of a pair: sends `count` messages keeping `window` unacknowledged, notes receive latency. */
function drive(sender: MsnpConnection, receiver: MsnpConnection, count: number, window: number, lat: number[]): Promise<void> {
  const filler = 'x'.repeat(60);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    let received = 0;
    const done = () => acked === count && received === count && resolve();
    const sendOne = () => {
      const body = `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${performance.now().toFixed(3)} ${filler}`;
      sender.send('MSG', ['A'], body);
      sent++;
    };
    sender.on('line', (r: Received) => {
      if (r.verb === 'ACK') {
        acked++;
        if (sent < count) sendOne();
        done();
      } else if (r.verb === 'NAK' || /^\d{3}$/.test(r.verb)) {
        reject(new Error(`relay failed: ${r.line}`));
      }
    });
    receiver.on('line', (r: Received) => {
      if (r.verb !== 'MSG') return;
      const text = r.payload!.toString('latin1');
      const ts = Number(text.slice(text.indexOf('\r\n\r\n') + 4).split(' ')[0]);
      lat.push(performance.now() - ts);
      received++;
      done();
    });
    for (let i = 0; i < Math.min(window, count); i++) sendOne();
  });
}

export async function relayRun(pairs: [MsnpConnection, MsnpConnection][], messages: number, window: number): Promise<RelayResult> {
  const lat: number[] = [];
  const half = Math.floor(messages / 2);
  const t0 = performance.now();
  await Promise.all(pairs.flatMap(([a, b]) => [drive(a, b, half, window, lat), drive(b, a, messages - half, window, lat)]));
  const elapsed = (performance.now() - t0) / 1000;
  for (const [a, b] of pairs) {
    a.destroy();
    b.destroy();
  }
  return { pairs: pairs.length, messages: lat.length, perSecond: lat.length / elapsed, latencyMs: distribution(lat) };
}

/** Two accounts sign in (however `signIn` connects), befriend each other and open a conversation (XFR/CAL/ANS). */
export async function formPair(
  signIn: (email: string) => Promise<NsClient>,
  ea: string,
  eb: string,
  timeoutMs: number,
): Promise<{ chat: [MsnpConnection, MsnpConnection]; ns: [MsnpConnection, MsnpConnection] }> {
  const [a, b] = await Promise.all([signIn(ea), signIn(eb)]);
  await Promise.all([a.sync(0), b.sync(0)]);
  for (const [x, other] of [[a, eb], [b, ea]] as [NsClient, string][]) {
    await x.conn.request('ADD', ['FL', other, other, '0']).catch(() => undefined);
    await x.conn.request('ADD', ['AL', other, other]).catch(() => undefined);
    await x.setStatus('NLN');
  }
  const sa = await a.openChat();
  await sa.call(eb);
  const { sb } = await b.acceptInvitation(timeoutMs);
  await sa.conn.expect('JOI', timeoutMs);
  for (const c of [a.conn, b.conn, sa.conn, sb.conn]) c.keepInbox = false;
  return { chat: [sa.conn, sb.conn], ns: [a.conn, b.conn] };
}

/** Sets up P conversations on msnpd and runs the relay. */
export async function relayScenarioMsnpd(port: number, p: number, messages: number, window: number, offset: number): Promise<RelayResult> {
  const pairs = await pool(Array.from({ length: p }, (_, i) => i), 50, (i) => formPair((e) => signIn(port, e), account(offset + 2 * i), account(offset + 2 * i + 1), 30000));
  const r = await relayRun(pairs.map((x) => x.chat), messages, window);
  for (const x of pairs) for (const c of x.ns) c.destroy();
  return r;
}

export async function relayScenarioBaseline(port: number, p: number, messages: number, window: number): Promise<RelayResult> {
  const pairs = await pool(Array.from({ length: p }, (_, i) => i), 50, async (i) => {
    const conns = await Promise.all([0, 1].map(async (j) => {
      const c = await MsnpConnection.connect(HOST, port);
      c.sendLine(['JOIN', `pair${i}`, account(2 * i + j)]);
      await c.expect('JOIN');
      c.keepInbox = false;
      return c;
    }));
    return conns as [MsnpConnection, MsnpConnection];
  });
  return relayRun(pairs, messages, window);
}

// ---------------------------------------------------------------- fan-out

export interface FanoutResult {
  watchers: number;
  rounds: number;
  /** Per watcher and round: status change to arrival. */
  latencyMs: Distribution;
  /** Per round: status change until the last watcher had it. */
  allReceivedMs: Distribution;
}

async function fanoutRun(publisher: MsnpConnection, watchers: MsnpConnection[], rounds: number): Promise<FanoutResult> {
  const lat: number[] = [];
  const all: number[] = [];
  const statuses = ['AWY', 'BSY', 'BRB', 'NLN'];
  for (let r = 0; r < rounds; r++) {
    const status = statuses[r % statuses.length]!;
    let pending = watchers.length;
    let last = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const handlers = watchers.map((w) => {
        const h = (line: Received) => {
          if (line.verb !== 'NLN' || line.args[0] !== status) return;
          const now = performance.now();
          lat.push(now - t0);
          last = Math.max(last, now - t0);
          w.off('line', h);
          if (--pending === 0) resolve();
        };
        w.on('line', h);
        return h;
      });
      void handlers;
      publisher.send('CHG', [status]);
    });
    all.push(last);
    await new Promise((res) => setTimeout(res, 50));
  }
  return { watchers: watchers.length, rounds, latencyMs: distribution(lat), allReceivedMs: distribution(all) };
}

/** K watchers have the publisher on FL and are online; the publisher changes status `rounds` times. */
export async function fanoutScenarioMsnpd(port: number, k: number, rounds: number, offset: number): Promise<FanoutResult> {
  const pubEmail = account(offset);
  const publisher = await signIn(port, pubEmail);
  await publisher.sync(0);
  await publisher.setStatus('NLN');
  const watchers = await pool(Array.from({ length: k }, (_, i) => i), 200, async (i) => {
    const w = await signIn(port, account(offset + 1 + i));
    await w.sync(0);
    await w.conn.request('ADD', ['FL', pubEmail, pubEmail, '0']).catch(() => undefined);
    await w.setStatus('NLN');
    w.conn.keepInbox = false;
    w.conn.take();
    return w.conn;
  });
  publisher.conn.keepInbox = false;
  publisher.conn.take();
  const r = await fanoutRun(publisher.conn, watchers, rounds);
  publisher.conn.destroy();
  for (const w of watchers) w.destroy();
  return r;
}

export async function fanoutScenarioBaseline(port: number, k: number, rounds: number): Promise<FanoutResult> {
  const join = async (email: string) => {
    const c = await MsnpConnection.connect(HOST, port);
    c.sendLine(['JOIN', 'fanout', email]);
    await c.expect('JOIN');
    c.keepInbox = false;
    return c;
  };
  const publisher = await join(account(0));
  const watchers = await pool(Array.from({ length: k }, (_, i) => i), 200, (i) => join(account(1 + i)));
  const r = await fanoutRun(publisher, watchers, rounds);
  publisher.destroy();
  for (const w of watchers) w.destroy();
  return r;
}

// ---------------------------------------------------------------- list

export interface ListResult {
  contacts: number;
  repeats: number;
  /** Connect to the last LST line of SYN 0. */
  timeToLastLstMs: Distribution;
}

/** An account with `contacts` contacts signs in and downloads its lists. */
export async function listScenario(port: number, contacts: number, repeats: number, ownerIndex: number, firstContact: number): Promise<ListResult> {
  const owner = account(ownerIndex);
  const setup = await signIn(port, owner);
  await setup.sync(0);
  await pool(Array.from({ length: contacts }, (_, i) => account(firstContact + i)), 16, (e) =>
    setup.conn.request('ADD', ['FL', e, e, '0'], undefined, 60000).catch(() => undefined),
  );
  setup.conn.destroy();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c = await signIn(port, owner);
    const s = await c.sync(0);
    times.push(performance.now() - t0);
    if (s.lines.filter((l) => l.verb === 'LST' && l.args[1] === 'FL').length !== contacts) throw new Error('list incomplete');
    c.conn.destroy();
  }
  return { contacts, repeats, timeToLastLstMs: distribution(times) };
}
