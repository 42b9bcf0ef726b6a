// Limits on every connection: sign-in deadline, idle switchboards, oversize
// lines and payloads; junk on one connection never disturbs another.
import { openPair } from './helpers/chat.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MsnpConnection } from '../src/client/connection.js';
import { HOST, startTestServer, type TestServer } from './helpers/server.js';

describe('limits', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_AUTH_TIMEOUT: '1', MSNPD_SB_IDLE_TIMEOUT: '2', MSNPD_MAX_LINE: '1024' });
    for (const u of ['l1@example.com', 'l2@example.com', 'l3@example.com']) await t.user(u);
  });
  after(() => t.stop());

  test('a connection that does not sign in is cut after MSNPD_AUTH_TIMEOUT', async () => {
    const ns = await MsnpConnection.connect(HOST, t.ns);
    await ns.request('VER', ['MSNP7']);
    const sb = await MsnpConnection.connect(HOST, t.sb);
    await ns.closedByPeer(4000);
    await sb.closedByPeer(4000);
  });

  test('a silent switchboard member is cut after MSNPD_SB_IDLE_TIMEOUT; the others get BYE email 1', async () => {
    const a = await t.login('l1@example.com', 7, { status: null });
    const b = await t.login('l2@example.com', 7, { status: null });
    const { sa, sb } = await openPair(a, b);
    // Keep a talking; b stays silent.
    const keepAlive = setInterval(() => sa.send('x', 'U'), 300);
    try {
      assert.equal((await sa.conn.expect('BYE', 6000)).line, 'BYE l2@example.com 1');
      await sb.conn.closedByPeer();
    } finally {
      clearInterval(keepAlive);
    }
    a.close();
    b.close();
  });

  test('an oversize line or payload closes that connection only', async () => {
    const canary = await t.login('l3@example.com', 7);
    const long = await t.login('l1@example.com', 6);
    long.conn.raw('REA 9 l1@example.com ' + 'x'.repeat(2000) + '\r\n');
    await long.conn.closedByPeer();
    const noEnd = await MsnpConnection.connect(HOST, t.ns);
    noEnd.raw('VER 1 MSNP7 ' + 'A'.repeat(5000));
    await noEnd.closedByPeer();
    const big = await t.login('l1@example.com', 6);
    big.conn.raw('QRY 5 msmsgs@msnmsgr.com 100000000\r\n');
    await big.conn.closedByPeer();
    const lie = await t.login('l2@example.com', 7);
    lie.conn.raw('QRY 5 msmsgs@msnmsgr.com x1\r\n');
    await lie.conn.closedByPeer();
    for (let i = 0; i < 20; i++) {
      const junk = await MsnpConnection.connect(HOST, i % 2 ? t.ns : t.sb);
      junk.raw(randomBytes(600));
      junk.raw('\r\n');
      junk.destroy();
    }
    canary.conn.sendLine(['PNG']);
    assert.equal((await canary.conn.expect('QNG')).line, 'QNG');
    assert.equal((await canary.conn.request('CHG', ['BSY'])).args[1], 'BSY');
    canary.close();
  });
});
