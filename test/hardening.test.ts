// Limits and abuse: command floods, pipelined bursts, slow senders, readers
// that stop reading, too many connections, password guessing, and facts that
// must survive a restart (decoy salts, account ids).
import { openPair } from './helpers/chat.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { httpsRequest } from './helpers/https.js';
import { MsnpConnection } from '../src/client/connection.js';
import { HOST, sleep, startTestServer, tempDir, type TestServer } from './helpers/server.js';
import { code } from './helpers/ns.js';


describe('hardening', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      MSNPD_NS_COMMAND_RATE: '20',
      MSNPD_NS_COMMAND_BURST: '200',
      MSNPD_PARTIAL_TIMEOUT: '1',
      MSNPD_MAX_CONNECTIONS_PER_IP: '40',
      MSNPD_LOGIN_FAILURES_PER_IP: '5',
    });
    for (const u of ['h1@example.com', 'h2@example.com', 'h3@example.com']) await t.user(u);
  });
  after(() => t.stop());

  test('a burst of pipelined commands is answered in order, none lost', async () => {
    const c = await t.login('h1@example.com', 7);
    await c.conn.request('ADD', ['FL', 'h2@example.com', 'h2', '0']);
    let burst = '';
    for (let i = 0; i < 120; i++) burst += `REA ${1000 + i} h2@example.com Name${i}\r\n`;
    c.conn.raw(burst);
    const replies = [];
    for (let i = 0; i < 120; i++) replies.push(await c.conn.expect('REA'));
    assert.deepEqual(replies.map((r) => r.args[0]), Array.from({ length: 120 }, (_, i) => String(1000 + i)));
    const versions = replies.map((r) => Number(r.args[1]));
    assert.ok(versions.every((v, i) => i === 0 || v === versions[i - 1]! + 1), 'versions rise by one');
    c.close();
  });

  test('a command flood beyond the burst closes that connection only', async () => {
    const canary = await t.login('h3@example.com', 7);
    const c = await t.login('h1@example.com', 7);
    c.conn.raw('PNG\r\n'.repeat(1000));
    await c.conn.closedByPeer();
    canary.conn.sendLine(['PNG']);
    assert.equal((await canary.conn.expect('QNG')).line, 'QNG');
    canary.close();
  });

  test('a sender dribbling a command byte by byte is cut after MSNPD_PARTIAL_TIMEOUT', async () => {
    const c = await t.login('h1@example.com', 5);
    const line = 'REA 9 h1@example.com Slow';
    let i = 0;
    const timer = setInterval(() => {
      if (i < line.length) c.conn.raw(line[i++]!);
    }, 150);
    try {
      await c.conn.closedByPeer(5000);
    } finally {
      clearInterval(timer);
    }
    assert.ok(i < line.length, 'cut before the line was complete');
  });

  test('a payload that never arrives is cut after MSNPD_PARTIAL_TIMEOUT', async () => {
    const c = await t.login('h1@example.com', 5);
    c.conn.raw('PAG 9 h2@example.com 100\r\n<TEXT>only part');
    await c.conn.closedByPeer(5000);
  });

  test('too many connections from one address are refused; others are unaffected', async () => {
    const held: MsnpConnection[] = [];
    for (let i = 0; i < 40; i++) held.push(await MsnpConnection.connect(HOST, i % 2 ? t.ns : t.sb));
    const refused = await MsnpConnection.connect(HOST, t.ns);
    await refused.closedByPeer();
    for (const h of held) h.destroy();
    await sleep(100);
    const again = await MsnpConnection.connect(HOST, t.ns);
    assert.equal((await again.request('VER', ['MSNP7'])).args[1], 'MSNP7');
    again.destroy();
  });

  test('the web listeners count connections per address too; a refused one is closed at once', async () => {
    const held: net.Socket[] = [];
    const open = (port: number) =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, HOST, () => resolve(s));
        s.on('error', reject);
      });
    for (let i = 0; i < 40; i++) held.push(await open(i % 2 ? t.server.ports.https! : t.server.ports.http!));
    const refused = await open(t.server.ports.https!);
    await new Promise<void>((resolve) => refused.on('close', () => resolve()));
    for (const h of held) h.destroy();
    await sleep(100);
    const r = await httpsRequest(t.server.ports.https!, { path: '/rdr/pprdr.asp' });
    assert.equal(r.status, 200);
  });

  test('password guessing: after MSNPD_LOGIN_FAILURES_PER_IP failures the address is refused', async () => {
    for (let i = 0; i < 5; i++) {
      const c = t.client(7);
      await c.connect();
      await assert.rejects(c.login('h2@example.com', `guess${i}`), code(911));
    }
    const right = t.client(7);
    await right.connect();
    await assert.rejects(right.login('h2@example.com', 'secret'), code(911), 'refused even with the right password');
  });
});

describe('a reader that stops reading', () => {
  test('is cut off once its buffer is full; the sender gets NAK, memory stays bounded', async () => {
    const t = await startTestServer({ MSNPD_SB_COMMAND_RATE: '0' });
    await t.user('r1@example.com');
    await t.user('r2@example.com');
    const a = await t.login('r1@example.com', 7, { status: null });
    const b = await t.login('r2@example.com', 7, { status: null });
    const { sa, sb } = await openPair(a, b);
    sb.conn.socket.pause();
    const body = Buffer.alloc(1600, 0x41);
    let nak = false;
    for (let i = 0; i < 20000 && !nak; i++) {
      const tr = sa.send(body, 'A');
      if (i % 100 === 99) {
        const r = await sa.conn.waitFor((x) => x.args[0] === String(tr));
        nak = r.verb === 'NAK';
      }
    }
    assert.ok(nak, 'the sender learnt that delivery failed');
    assert.equal((await sa.conn.expect('BYE', 10000)).args[0], 'r2@example.com');
    await t.stop();
  });
});

describe('across restarts', () => {
  test('decoy salts stay the same, so unknown accounts cannot be told apart', async () => {
    const dir = tempDir();
    const saltOf = async (t: TestServer, email: string) => {
      const c = await MsnpConnection.connect(HOST, t.ns);
      await c.request('VER', ['MSNP7']);
      const r = await c.request('USR', ['MD5', 'I', email]);
      c.destroy();
      return r.args[3];
    };
    const t1 = await startTestServer({}, dir);
    const s1 = await saltOf(t1, 'nobody@example.com');
    await t1.stop();
    const t2 = await startTestServer({}, dir);
    assert.equal(await saltOf(t2, 'nobody@example.com'), s1);
    await t2.stop();
  });

  test('a deleted account\'s id is never given to a new account', async () => {
    const t = await startTestServer();
    const a = await t.user('ida@example.com');
    const b = await t.user('idb@example.com');
    await t.server.core.accounts.remove('idb@example.com');
    const c = await t.user('idc@example.com');
    assert.ok(c > b && b > a);
    await t.stop();
  });
});
