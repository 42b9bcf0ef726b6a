// Whole sessions through the HTTP gateway only (services.md §9): sign-in,
// lists, presence and a switchboard conversation with MSNC P2P data relayed
// byte for byte, for MSNP2, MSNP7, MSNP9 and MSNP12; and gateway users with
// TCP users in one conversation, each side opening it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { NsClient } from '../src/client/ns-client.js';
import { SbClient } from '../src/client/sb-client.js';
import { GatewayStream } from '../src/client/gateway-connection.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { destroyGatewayClients, gatewayClient, gatewayLogin } from './helpers/gateway.js';
import { addToFl } from './helpers/ns.js';

/** A P2P message for `to`: MIME head, a 48-byte binary header, data with every byte value, footer. */
function p2pMessage(to: string): Buffer {
  const head = `MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: ${to}\r\n\r\n`;
  const data = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(900)]);
  const header = Buffer.alloc(48);
  header.writeUInt32LE(7, 0);
  header.writeUInt32LE(data.length, 24);
  return Buffer.concat([Buffer.from(head, 'latin1'), header, data, Buffer.from([0, 0, 0, 1])]);
}

/** Messages both ways and a P2P payload each way, checked byte for byte. */
async function converse(x: SbClient, xEmail: string, y: SbClient, yEmail: string): Promise<void> {
  assert.equal(await x.sendAcked(SbClient.text('hello over HTTP')), true);
  assert.match((await y.receive()).payload!.toString(), /\r\n\r\nhello over HTTP$/);
  assert.equal(await y.sendAcked(SbClient.text('and back')), true);
  assert.match((await x.receive()).payload!.toString(), /\r\n\r\nand back$/);
  for (const [from, to, toEmail] of [[x, y, yEmail], [y, x, xEmail]] as const) {
    const p2p = p2pMessage(toEmail);
    assert.equal(await from.sendAcked(p2p, 'D'), true);
    const got = await to.receive();
    assert.ok(got.payload!.equals(p2p), 'P2P data relayed byte for byte');
  }
}

describe('HTTP gateway: whole sessions', () => {
  let t: TestServer;
  let n = 0;
  const account = async () => {
    const e = `g${++n}@example.com`;
    await t.user(e, 'secret', `Gate ${n}`);
    return e;
  };
  before(async () => {
    // Polling every 25 ms from one address is far above a person's rate: that limit has its own test.
    t = await startTestServer({ MSNPD_GATEWAY_REQUEST_RATE: '0' });
  });
  after(async () => {
    destroyGatewayClients();
    await t.stop();
  });

  for (const v of [2, 7, 9, 12]) {
    test(`MSNP${v}: sign-in, lists, presence and a conversation with P2P data, all through the gateway`, async () => {
      const [a, b] = [await account(), await account()];
      const ca = gatewayClient(t, v);
      assert.equal(await ca.connect(), v);
      const ok = await ca.login(a!, 'secret');
      assert.equal(ok.verb, 'USR');
      assert.equal(ca.email, a);
      if (v >= 8) {
        // COMPAT: the original service reported ClientPort 0 to HTTP clients (hypothetic.org "HTTP connections").
        const profile = (await ca.conn.expect('MSG')).payload!.toString();
        assert.match(profile, /\r\nClientPort: 0\r\n/);
        assert.match(profile, /\r\nClientIP: 127\.0\.0\.1\r\n/);
      }
      const sync = await ca.sync(0);
      assert.equal(sync.head.verb, 'SYN');
      const cb = await gatewayLogin(t, b!, v, { status: null });

      // Lists: each adds the other; the reverse-list push reaches the other through its polls.
      await addToFl(ca, b!);
      const rl = await cb.conn.expect(v >= 10 ? 'ADC' : 'ADD');
      assert.match(rl.line, new RegExp(`^${v >= 10 ? 'ADC' : 'ADD'} 0 RL .*${a!.replace('.', '\\.')}`));
      await addToFl(cb, a!);
      const fl = (await ca.sync(0)).lines.filter((l) => l.verb === 'LST' && l.line.includes(b!));
      assert.ok(fl.length >= 1, 'the contact is in the list download');

      // Presence: b online first, so a's first CHG brings b's ILN; then b changes status.
      await cb.setStatus('NLN');
      await ca.setStatus('NLN');
      assert.equal((await ca.conn.expect('ILN', 15000, (r) => r.line.includes(b!))).args[1], 'NLN');
      await cb.setStatus('AWY');
      assert.equal((await ca.conn.expect('NLN', 15000, (r) => r.args[0] === 'AWY')).args[1], b);

      // A conversation: XFR SB and RNG name switchboard addresses; both open gateway sessions to them.
      const sa = await ca.openChat();
      await sa.call(b!);
      const { sb } = await cb.acceptInvitation(15000);
      await sa.conn.expect('JOI', 15000);
      await converse(sa, a!, sb, b!);
      sb.leave();
      assert.equal((await sa.conn.expect('BYE', 15000)).args[0], b);

      // Signing out: OUT ends a's session, b sees a go offline.
      ca.conn.sendLine(['OUT']);
      await ca.conn.closedByPeer(15000);
      assert.equal((await cb.conn.expect('FLN', 15000)).args[0], a);
      sa.conn.destroy();
    });
  }

  test('a gateway user opens the switchboard, a TCP user joins it; then a TCP user rings a gateway user', async () => {
    const [g, tc] = [await account(), await account()];
    const cg = await gatewayLogin(t, g!, 7, { status: null });
    const ct = await t.login(tc!, 12, { status: null });
    await addToFl(cg, tc!);
    await addToFl(ct, g!);
    await ct.setStatus('NLN');
    await cg.setStatus('NLN');
    assert.equal((await ct.conn.expect('NLN', 15000, (r) => r.line.includes(g!))).args[0], 'NLN', 'the TCP user sees the gateway user online');

    // Gateway opens (XFR SB through the gateway), the TCP user answers RNG over TCP.
    const s1 = await cg.openChat();
    await s1.call(tc!);
    const { sb: t1 } = await ct.acceptInvitation(15000);
    await s1.conn.expect('JOI', 15000);
    await converse(s1, g!, t1, tc!);

    // The TCP user opens, the gateway user answers RNG through the gateway.
    const [g2, tc2] = [await account(), await account()];
    const cg2 = await gatewayLogin(t, g2!, 12, { status: null });
    const ct2 = await t.login(tc2!, 9, { status: null });
    await addToFl(cg2, tc2!);
    await addToFl(ct2, g2!);
    await cg2.setStatus('NLN');
    await ct2.setStatus('NLN');
    const s2 = await ct2.openChat();
    await s2.call(g2!);
    const { sb: g2sb, roster } = await cg2.acceptInvitation(15000);
    assert.equal(roster[0]!.args[3], tc2, 'IRO names the TCP caller');
    assert.ok(g2sb.conn.socket instanceof GatewayStream, 'the gateway user answered through the gateway');
    await s2.conn.expect('JOI', 15000);
    await converse(s2, tc2!, g2sb, g2!);

    // A gateway user leaving is seen by the TCP member as a plain BYE.
    g2sb.leave();
    assert.equal((await s2.conn.expect('BYE', 15000)).args[0], g2);
    for (const c of [s1, t1, s2] as SbClient[]) c.conn.destroy();
    for (const c of [ct, ct2] as NsClient[]) c.conn.destroy();
  });

  test('HTTPS: the same gateway on the HTTPS port (browser-style clients)', async () => {
    const e = await account();
    const { sharedTls } = await import('./helpers/server.js');
    const fs = await import('node:fs');
    const c = gatewayClient(t, 12, { port: t.server.ports.https!, tls: { ca: fs.readFileSync(sharedTls().ca) }, gatewayHost: 'localhost' });
    await c.connect();
    await c.login(e!, 'secret');
    assert.equal(c.email, e);
    c.conn.destroy();
  });
});
