// MSNP8-12 sign-in over Passport: login2.srf and RST.srf tickets, with good
// and bad passwords, expired, replayed and borrowed tickets; the login lines
// each version expects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MsnpConnection } from '../src/client/connection.js';
import { passportTicket } from '../src/client/passport.js';
import fs from 'node:fs';
import { HOST, sharedTls, sleep, startTestServer, type TestServer } from './helpers/server.js';
import { signInWithTicket } from './helpers/tickets.js';
import { code } from './helpers/ns.js';


describe('Passport sign-in, MSNP8-12', () => {
  let t: TestServer;
  const passport = (method: 'login2' | 'rst') => ({ host: HOST, port: t.server.ports.https!, ca: fs.readFileSync(sharedTls().ca), method });
  before(async () => {
    t = await startTestServer({ MSNPD_TICKET_TTL: '2', MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
    await t.user('ann@example.com', 'secret', 'Ann Smith');
    await t.user('bob@example.com', 'hunter2');
  });
  after(() => t.stop());

  for (const v of [8, 9, 10, 11, 12]) {
    for (const method of ['login2', 'rst'] as const) {
      test(`MSNP${v} with a ${method} ticket: USR OK, SBS, profile`, async () => {
        const c = t.client(v, method);
        assert.equal(await c.connect(), v);
        const ok = await c.login('ann@example.com', 'secret');
        const tr = ok.args[0];
        assert.equal(ok.line, v >= 10 ? `USR ${tr} OK ann@example.com 1 0` : `USR ${tr} OK ann@example.com Ann%20Smith 1 0`);
        if (v >= 11) assert.equal((await c.conn.waitFor(() => true)).line, 'SBS 0 null');
        const profile = await c.conn.expect('MSG');
        const text = profile.payload!.toString();
        assert.match(text, new RegExp(`MSPAuth: ${c.ticket.slice(2, c.ticket.indexOf('&'))}\\r\\n`));
        assert.match(text, /\r\nClientIP: 127\.0\.0\.1\r\n/);
        const port = Number(/ClientPort: (\d+)/.exec(text)![1]);
        const local = c.conn.socket.localPort!;
        assert.equal(port, ((local & 0xff) << 8) | (local >> 8), 'ClientPort is byte-swapped');
        assert.equal(text.includes('ABCHMigrated: 1'), v >= 10);
        c.close();
      });
    }
  }

  test('the TWN challenge carries every key the 2003 service sent, ct numeric', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP9', 'MSNP8', 'CVR0']);
    await conn.request('CVR', ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', '6.0.0602', 'MSMSGS', 'ann@example.com']);
    const r = await conn.request('USR', ['TWN', 'I', 'ann@example.com']);
    assert.match(r.args[3]!, /^lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=\d+,kpp=1,kv=5,ver=2\.1\.0173\.1,tpf=[0-9a-f]{32}$/);
    conn.destroy();
  });

  test('a wrong password: login2.srf 401, RST.srf a fault; the server answers 911 to what msn-pecan then sends', async () => {
    for (const method of ['login2', 'rst'] as const) {
      await assert.rejects(passportTicket(passport(method), 'ann@example.com', 'wrong', 'lc=1033,id=507'), code(911));
    }
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP12']);
    await conn.request('CVR', ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', '7.5.0324', 'msmsgs', 'ann@example.com']);
    await conn.request('USR', ['TWN', 'I', 'ann@example.com']);
    await assert.rejects(conn.request('USR', ['TWN', 'S', 't=(null)&p=(null)']), code(911));
    await conn.closedByPeer();
  });

  const signInWith = (email: string, ticket: string) => signInWithTicket(t.ns, email, ticket);

  test('tickets: single sign-in, bound to the account, expiring', async () => {
    const other = await passportTicket(passport('login2'), 'ann@example.com', 'secret', 'lc=1033');
    await assert.rejects(signInWith('bob@example.com', other), code(911), "another account's ticket");
    const ticket = await passportTicket(passport('rst'), 'ann@example.com', 'secret', 'lc=1033');
    assert.equal((await signInWith('ann@example.com', ticket)).args[1], 'OK');
    await assert.rejects(signInWith('ann@example.com', ticket), code(911), 'replayed');
    const late = await passportTicket(passport('login2'), 'ann@example.com', 'secret', 'lc=1033');
    await sleep(2300);
    await assert.rejects(signInWith('ann@example.com', late), code(911), 'expired');
    await assert.rejects(signInWith('ann@example.com', 't=made-up&p='), code(911), 'made up');
  });

  test('MD5 is not offered from MSNP8 (and TWN not before): the connection closes', async () => {
    const a = await MsnpConnection.connect(HOST, t.ns);
    await a.request('VER', ['MSNP8']);
    a.send('USR', ['MD5', 'I', 'ann@example.com']);
    await a.closedByPeer();
    const b = await MsnpConnection.connect(HOST, t.ns);
    await b.request('VER', ['MSNP7']);
    b.send('USR', ['TWN', 'I', 'ann@example.com']);
    await b.closedByPeer();
    const c = await MsnpConnection.connect(HOST, t.ns);
    await c.request('VER', ['MSNP8']);
    c.send('INF');
    await c.closedByPeer();
  });
});
