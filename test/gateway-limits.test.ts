// The HTTP gateway's edges: the exact response framing (on raw sockets), CORS,
// unknown, malformed and foreign SessionIDs, the end of a session
// (`Session=close`), expiry, oversized bodies, a client that stops polling
// while others send to it, sessions and requests per address.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sharedTls, startTestServer, type TestServer } from './helpers/server.js';
import { destroyGatewayClients, gatewayClient, gatewayLogin, gatewayRequest, rawExchange, sessionIdOf } from './helpers/gateway.js';
import { addToFl } from './helpers/ns.js';
import { GatewayStream, type GatewayOptions } from '../src/client/gateway-connection.js';
import { SbClient } from '../src/client/sb-client.js';
import type { NsClient } from '../src/client/ns-client.js';

const OPEN_NS = 'Action=open&Server=NS&IP=messenger.hotmail.com';

/** Waits until `c` sees `email` online (ILN if it was online first, else NLN). */
const seesOnline = (c: NsClient, email: string) => c.conn.waitFor((r) => (r.verb === 'ILN' || r.verb === 'NLN') && r.line.includes(email), 15000, `${email} online`);

describe('HTTP gateway: framing, ids, lifecycle and limits', () => {
  let t: TestServer;
  let n = 0;
  const account = async (server = t) => {
    const e = `l${++n}@example.com`;
    await server.user(e, 'secret', `Limit ${n}`);
    return e;
  };
  /** A TCP user and a gateway user who watch each other, both online. */
  const watchedPair = async (server: TestServer, gv = 7, extra: Partial<GatewayOptions> = {}) => {
    const [g, w] = [await account(server), await account(server)];
    const cg = await gatewayLogin(server, g, gv, { status: null, extra });
    const cw = await server.login(w, 12, { status: null });
    await addToFl(cg, w);
    await addToFl(cw, g);
    await cg.setStatus('NLN');
    await cw.setStatus('NLN');
    await seesOnline(cw, g);
    return { g, w, cg, cw };
  };
  before(async () => {
    t = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '0' });
  });
  after(async () => {
    destroyGatewayClients();
    await t.stop();
  });

  test('exact framing: HTTP/1.1 200 OK, Content-Length, X-MSN-Messenger last, no chunking; kept alive for the next request', async () => {
    const { replies, closed } = await rawExchange(t.server.ports.http!, [
      gatewayRequest(OPEN_NS, 'VER 1 MSNP7 MSNP6 CVR0\r\n'),
      (r) => gatewayRequest(`Action=poll&SessionID=${sessionIdOf(r[0]!)}`),
      (r) => gatewayRequest(`SessionID=${sessionIdOf(r[0]!)}`, 'CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS l@example.com\r\n', { version: '1.0', connection: 'close' }),
    ], { waitForClose: 5000 });
    assert.equal(replies.length, 3, 'three answers on one connection');
    const [open, poll, last] = replies as [typeof replies[0], typeof replies[0], typeof replies[0]];
    assert.equal(open.status, 'HTTP/1.1 200 OK');
    assert.equal(open.body.toString(), 'VER 1 MSNP7\r\n');
    assert.deepEqual(open.headers.slice(0, -1), [
      'Connection: Keep-Alive',
      `Content-Length: ${open.body.length}`,
      'Content-Type: application/x-msn-messenger',
      'Access-Control-Allow-Origin: *',
      'Access-Control-Expose-Headers: X-MSN-Messenger',
    ]);
    assert.match(open.headers.at(-1)!, /^X-MSN-Messenger: SessionID=\d{10}\.\d{20}; GW-IP=gateway\.messenger\.hotmail\.com$/);
    assert.ok(!open.headers.some((h) => /^(transfer-encoding|date):/i.test(h)));
    assert.equal(poll.status, 'HTTP/1.1 200 OK');
    assert.ok(poll.headers.includes('Content-Length: 0'), 'an empty poll is answered at once with an empty body');
    assert.equal(sessionIdOf(poll), sessionIdOf(open), 'the id stays the same');
    // HTTP/1.0 without keep-alive: answered, then closed.
    assert.match(last.body.toString(), /^CVR 2 /);
    assert.ok(last.headers.includes('Connection: close'));
    assert.ok(closed, 'the HTTP/1.0 connection is closed after its answer');
  });

  test('GW-IP: MSNPD_GATEWAY_HOST when set, else the host the client used, without its port (clients use port 80)', async () => {
    const { replies } = await rawExchange(t.server.ports.http!, [gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n', { host: '192.0.2.7:8080' })]);
    assert.match(replies[0]!.headers.at(-1)!, /; GW-IP=192\.0\.2\.7$/);
    const t2 = await startTestServer({ MSNPD_GATEWAY_HOST: 'gw.example.net' });
    try {
      const r2 = await rawExchange(t2.server.ports.http!, [gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n')]);
      assert.match(r2.replies[0]!.headers.at(-1)!, /; GW-IP=gw\.example\.net$/);
    } finally {
      await t2.stop();
    }
  });

  test('OPTIONS answers with CORS headers exposing X-MSN-Messenger', async () => {
    const res = await fetch(`http://127.0.0.1:${t.server.ports.http}/gateway/gateway.dll`, { method: 'OPTIONS' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-expose-headers'), 'X-MSN-Messenger');
    assert.match(res.headers.get('access-control-allow-methods')!, /POST/);
  });

  test('unknown, malformed and wrong SessionIDs get 400 and never reach a session; ids are unique and long', async () => {
    const port = t.server.ports.http!;
    const { g, cg, cw } = await watchedPair(t);
    const real = (cg.conn.socket as unknown as GatewayStream).sessionId!;
    const [prefix, secret] = real.split('.') as [string, string];
    const wrongSecret = `${prefix}.${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
    for (const q of ['', 'Action=poll', 'SessionID=abc', `SessionID=${prefix}`, 'SessionID=1.2', `SessionID=${wrongSecret}`, `Action=poll&SessionID=${prefix}.`, 'Action=open&Server=XX&IP=x']) {
      const { replies } = await rawExchange(port, [gatewayRequest(q, 'OUT\r\n')]);
      assert.equal(replies[0]!.status, 'HTTP/1.1 400 Bad Request', q);
      assert.ok(!replies[0]!.headers.some((h) => h.startsWith('X-MSN-Messenger')), q);
    }
    // The OUT sent with the owner's prefix but a wrong secret reached nobody: the owner is still online and answered.
    assert.equal((await cg.conn.request('CHG', ['BSY'])).args[1], 'BSY');
    assert.equal((await cw.conn.expect('NLN', 15000, (r) => r.args[0] === 'BSY')).args[1], g);
    // Ids: the digits shape, a unique part before the dot, 20 digits of secret after it.
    const ids = await Promise.all(Array.from({ length: 20 }, async () => sessionIdOf((await rawExchange(port, [gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n')])).replies[0]!)));
    for (const id of ids) assert.match(id, /^\d{10}\.\d{20}$/);
    assert.equal(new Set(ids.map((i) => i.split('.')[0])).size, ids.length);
  });

  test('requests of one session that arrive together are answered in order: output never overtakes', async () => {
    const { w, cg, cw } = await watchedPair(t);
    const stream = cg.conn.socket as unknown as GatewayStream;
    const id = stream.sessionId!;
    stream.abandon();
    // Output waits for the gateway user (a status change), then a command that takes a database
    // round trip and a poll arrive pipelined on one connection.
    await cw.setStatus('AWY');
    const { replies } = await rawExchange(t.server.ports.http!, [gatewayRequest(`SessionID=${id}`, 'SYN 50 0\r\n'), gatewayRequest(`Action=poll&SessionID=${id}`)], { pipelined: true });
    assert.equal(replies.length, 2);
    const lines = Buffer.concat(replies.map((r) => r.body)).toString('latin1').split('\r\n');
    const nln = lines.findIndex((l) => l.startsWith(`NLN AWY ${w}`));
    const syn = lines.findIndex((l) => l.startsWith('SYN 50 '));
    assert.ok(nln >= 0 && syn >= 0, lines.join(' | '));
    assert.ok(nln < syn, 'what was queued first arrives first');
  });

  test('a session the server ends: its last output comes with Session=close, then the id is unknown (400)', async () => {
    const e = await account();
    const first = await gatewayLogin(t, e, 7);
    const stream = first.conn.socket as unknown as GatewayStream;
    const id = stream.sessionId!;
    // Signing in elsewhere ends the first session with OUT OTH.
    await t.login(e, 7);
    assert.equal((await first.conn.expect('OUT', 15000)).line, 'OUT OTH');
    await first.conn.closedByPeer(15000);
    assert.match(stream.replies.at(-1)!.headers.get('x-msn-messenger')!, /; Session=close$/);
    const { replies } = await rawExchange(t.server.ports.http!, [gatewayRequest(`Action=poll&SessionID=${id}`)]);
    assert.equal(replies[0]!.status, 'HTTP/1.1 400 Bad Request');
  });

  test('a client that stops polling while others send to it: its queue is bounded, then it is closed; members and watchers see it go', async () => {
    const t2 = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '0', MSNPD_NS_COMMAND_RATE: '0', MSNPD_SB_COMMAND_RATE: '0', MSNPD_GATEWAY_MAX_QUEUE: String(512 * 1024) });
    try {
      const { g, cg, cw } = await watchedPair(t2, 12);
      const sw = await cw.openChat();
      await sw.call(g);
      const { sb: sg } = await cg.acceptInvitation(15000);
      await sw.conn.expect('JOI', 15000);
      // The gateway client vanishes without a word (its sessions stay until the 60 s timeout).
      (sg.conn.socket as unknown as GatewayStream).abandon();
      (cg.conn.socket as unknown as GatewayStream).abandon();
      // The switchboard: 512 KiB of unread messages close it; the sender sees BYE, then NAK.
      const filler = 'x'.repeat(1500);
      let nak = false;
      for (let i = 0; i < 1000 && !nak; i++) nak = !(await sw.sendAcked(SbClient.text(`${i} ${filler}`)));
      assert.ok(nak, 'messages to a member who stopped reading end in NAK');
      assert.equal((await sw.conn.expect('BYE', 15000)).args[0], g);
      // The notification session: as much of unread personal-message pushes closes it; watchers see FLN.
      let gone = false;
      cw.conn.on('line', (r) => (gone ||= r.verb === 'FLN' && r.args[0] === g));
      for (let i = 0; i < 2000 && !gone; i++) {
        await cw.conn.request('UUX', [], `<Data><PSM>${i} ${'y'.repeat(3900)}</PSM><CurrentMedia></CurrentMedia></Data>`, 15000);
      }
      assert.equal((await cw.conn.expect('FLN', 15000)).args[0], g);
      sw.conn.destroy();
    } finally {
      await t2.stop();
    }
  });

  test('a 2 MB transfer from a TCP member reaches a gateway member who polls every 2 s (the queue holds what arrives between polls)', async () => {
    const t2 = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '0', MSNPD_SB_COMMAND_RATE: '0' });
    try {
      const { g, cg, cw } = await watchedPair(t2, 12, { pollMs: 2000 });
      const sw = await cw.openChat();
      await sw.call(g);
      const { sb: sg } = await cg.acceptInvitation(15000);
      await sw.conn.expect('JOI', 15000);
      const chunk = 'z'.repeat(1300);
      const n = 1600;
      for (let i = 0; i < n; i++) assert.ok(await sw.sendAcked(SbClient.text(`${i} ${chunk}`)), `message ${i} acknowledged`);
      let got = 0;
      while (got < n) {
        const m = await sg.conn.expect('MSG', 30000);
        assert.ok(m.payload!.toString().endsWith(`${got} ${chunk}`), `message ${got} in order`);
        got++;
      }
      assert.equal(sg.conn.closed, false);
      sw.conn.destroy();
    } finally {
      await t2.stop();
    }
  });

  test('requests over the rate get 429; sessions over the per-address limit get 503 until one ends', async () => {
    const t2 = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '1', MSNPD_GATEWAY_REQUEST_BURST: '3' });
    try {
      // Refusals close their connection: one connection per request.
      const statuses: string[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await rawExchange(t2.server.ports.http!, [gatewayRequest('SessionID=1.2')])).replies[0]!.status);
      assert.ok(statuses.includes('HTTP/1.1 429 Too Many Requests'), statuses.join(', '));
      // Opening is limited too; a live session's own requests are not (a refusal would sign its user out).
      const opens: string[] = [];
      for (let i = 0; i < 5; i++) opens.push((await rawExchange(t2.server.ports.http!, [gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n')])).replies[0]!.status);
      assert.ok(opens.includes('HTTP/1.1 429 Too Many Requests'), opens.join(', '));
      await new Promise((r) => setTimeout(r, 3100));
      const live = (await rawExchange(t2.server.ports.http!, [gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n')])).replies[0]!;
      assert.equal(live.status, 'HTTP/1.1 200 OK');
      const polls: ((r: import('./helpers/gateway.js').RawReply[]) => Buffer)[] = [];
      for (let i = 0; i < 20; i++) polls.push(() => gatewayRequest(`Action=poll&SessionID=${sessionIdOf(live)}`));
      const answered = await rawExchange(t2.server.ports.http!, polls);
      assert.deepEqual(new Set(answered.replies.map((r) => r.status)), new Set(['HTTP/1.1 200 OK']), '20 polls of a live session at once: all answered');
    } finally {
      await t2.stop();
    }
    const t3 = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '0', MSNPD_MAX_CONNECTIONS_PER_IP: '2' });
    try {
      const port = t3.server.ports.http!;
      const open = async () => (await rawExchange(port, [gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n')])).replies[0]!;
      const a = await open();
      const b = await open();
      assert.equal(b.status, 'HTTP/1.1 200 OK');
      assert.equal((await open()).status, 'HTTP/1.1 503 Service Unavailable');
      // The first session ends (OUT): its last answer frees the place.
      const bye = (await rawExchange(port, [gatewayRequest(`SessionID=${sessionIdOf(a)}`, 'OUT\r\n')])).replies[0]!;
      assert.match(bye.headers.at(-1)!, /; Session=close$/);
      assert.equal((await open()).status, 'HTTP/1.1 200 OK');
    } finally {
      await t3.stop();
    }
  });
});

describe('HTTP gateway: expiry and oversized bodies', () => {
  let t: TestServer;
  let n = 0;
  before(async () => {
    t = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '0', MSNPD_GATEWAY_TIMEOUT: '1', MSNPD_GATEWAY_MAX_BODY: '1024' });
  });
  after(async () => {
    destroyGatewayClients();
    await t.stop();
  });
  const pair = async () => {
    const [g, w] = [`e${++n}@example.com`, `e${++n}@example.com`];
    await t.user(g);
    await t.user(w);
    const cg = await gatewayLogin(t, g, 9, { status: null });
    const cw = await t.login(w, 7, { status: null });
    await addToFl(cg, w);
    await addToFl(cw, g);
    await cg.setStatus('NLN');
    await cw.setStatus('NLN');
    await seesOnline(cw, g);
    return { g, w, cg, cw };
  };

  test('a session nobody polls for MSNPD_GATEWAY_TIMEOUT is closed like a dropped connection: FLN, BYE, then 400', async () => {
    const { g, cg, cw } = await pair();
    const sw = await cw.openChat();
    await sw.call(g);
    const { sb: sg } = await cg.acceptInvitation(15000);
    await sw.conn.expect('JOI', 15000);
    const ns = cg.conn.socket as unknown as GatewayStream;
    const id = ns.sessionId!;
    ns.abandon();
    (sg.conn.socket as unknown as GatewayStream).abandon();
    assert.equal((await sw.conn.expect('BYE', 15000)).args[0], g, 'the conversation notices');
    assert.equal((await cw.conn.expect('FLN', 15000)).args[0], g, 'watchers see the user go offline');
    const { replies } = await rawExchange(t.server.ports.http!, [gatewayRequest(`Action=poll&SessionID=${id}`)]);
    assert.equal(replies[0]!.status, 'HTTP/1.1 400 Bad Request');
    sw.conn.destroy();
  });

  test('a session is kept alive by its own requests only, not by others on the same connection (a proxy reusing a connection for many users)', async () => {
    const port = t.server.ports.http!;
    const open = gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n');
    const polls: (number | ((r: import('./helpers/gateway.js').RawReply[]) => Buffer))[] = [];
    // Two sessions opened on one connection; only the second is polled, every 100 ms, for three times the 1 s timeout.
    for (let i = 0; i < 30; i++) polls.push(100, (r) => gatewayRequest(`Action=poll&SessionID=${sessionIdOf(r[1]!)}`));
    const { replies } = await rawExchange(port, [open, open, ...polls, (r) => gatewayRequest(`Action=poll&SessionID=${sessionIdOf(r[0]!)}`)]);
    assert.equal(replies.length, 33);
    assert.equal(replies.at(-2)!.status, 'HTTP/1.1 200 OK', 'the polled session lives');
    assert.equal(replies.at(-1)!.status, 'HTTP/1.1 400 Bad Request', 'the session nobody polled expired, whatever its connection carried');
  });

  test('a body over MSNPD_GATEWAY_MAX_BODY gets 413 and closes its session; an oversized open opens nothing', async () => {
    const { g, cg, cw } = await pair();
    const id = (cg.conn.socket as unknown as GatewayStream).sessionId!;
    const port = t.server.ports.http!;
    const big = `PNG\r\n${'x'.repeat(1100)}\r\n`;
    const { replies } = await rawExchange(port, [gatewayRequest(`SessionID=${id}`, big), gatewayRequest(`Action=poll&SessionID=${id}`)]);
    assert.equal(replies[0]!.status, 'HTTP/1.1 413 Payload Too Large');
    assert.equal((await cw.conn.expect('FLN', 15000)).args[0], g);
    const after = await rawExchange(port, [gatewayRequest(`Action=poll&SessionID=${id}`)]);
    assert.equal(after.replies[0]!.status, 'HTTP/1.1 400 Bad Request');
    const open = await rawExchange(port, [gatewayRequest(OPEN_NS, big)]);
    assert.equal(open.replies[0]!.status, 'HTTP/1.1 413 Payload Too Large');
    assert.ok(!open.replies[0]!.headers.some((h) => h.startsWith('X-MSN-Messenger')));
  });

  for (const scheme of ['http', 'https'] as const) {
    test(`a polling client keeps its one ${scheme} connection beyond the web lifetime cap (4 x MSNPD_WEB_IDLE_TIMEOUT)`, async () => {
      const t2 = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '0', MSNPD_WEB_IDLE_TIMEOUT: '1' });
      try {
        await t2.user('k@example.com');
        // Over HTTPS the lifetime belongs to the raw connection under the TLS stream.
        const extra = scheme === 'https' ? { port: t2.server.ports.https!, tls: { ca: fs.readFileSync(sharedTls().ca) }, gatewayHost: 'localhost' } : {};
        const c = await gatewayLogin(t2, 'k@example.com', 7, { extra });
        const stream = c.conn.socket as unknown as GatewayStream;
        // Polls every 25 ms for longer than the 4 s cap a connection without keep-alive answers would get.
        await new Promise((r) => setTimeout(r, 5000));
        assert.equal((await c.conn.request('CHG', ['BSY'], undefined, 15000)).args[1], 'BSY');
        assert.equal(stream.connections, 1, 'no reconnection was needed');
        c.conn.destroy();
      } finally {
        await t2.stop();
      }
    });
  }

  test('MSNPD_DISPATCH=redirect: gateway clients sign in directly (the gateway never transfers them)', async () => {
    const t2 = await startTestServer({ MSNPD_DISPATCH: 'redirect', MSNPD_GATEWAY_REQUEST_RATE: '0' });
    try {
      await t2.user('r@example.com');
      const c = gatewayClient(t2, 7);
      await c.connect();
      const ok = await c.login('r@example.com', 'secret');
      assert.equal(ok.args[1], 'OK');
      c.conn.destroy();
    } finally {
      await t2.stop();
    }
  });
});

test('gateway settings: defaults, MSNPD_GATEWAY=off, and bad values naming the variable', async () => {
  const { ConfigError, loadConfig } = await import('../src/config.js');
  const c = loadConfig({});
  assert.deepEqual(
    [c.gateway, c.gatewayHost, c.gatewayTimeout, c.gatewayMaxBody, c.gatewayRequestRate, c.gatewayRequestBurst],
    [true, undefined, 60, 131072, 50, 200],
  );
  for (const env of [{ MSNPD_GATEWAY: 'maybe' }, { MSNPD_GATEWAY_HOST: 'a b' }, { MSNPD_GATEWAY_TIMEOUT: '0' }, { MSNPD_GATEWAY_MAX_BODY: '999999999' }]) {
    const name = Object.keys(env)[0]!;
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.variable === name);
  }
  const off = await startTestServer({ MSNPD_GATEWAY: 'off' });
  try {
    const { replies } = await rawExchange(off.server.ports.http!, [gatewayRequest(OPEN_NS, 'VER 1 MSNP7\r\n')]);
    assert.equal(replies[0]!.status, 'HTTP/1.1 404 Not Found');
  } finally {
    await off.stop();
  }
});
