// Switchboards with MSNP8-12 clients: capabilities on IRO/JOI for MSNP12,
// mixed-version conversations, and a display picture sent as MSNC P2P data,
// relayed byte for byte to its P2P-Dest only. Challenges for MSNP8-12.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { NsClient } from '../src/client/ns-client.js';
import { HOST, sleep, startTestServer, type TestServer } from './helpers/server.js';
import { SbClient } from '../src/client/sb-client.js';

/** A P2Pv1 binary header (48 bytes, little-endian; vectors.md §5.1). */
function p2pHeader(f: { session: number; id: number; offset: number; total: number; size: number; flags: number; ackSession: number }): Buffer {
  const b = Buffer.alloc(48);
  b.writeUInt32LE(f.session, 0);
  b.writeUInt32LE(f.id, 4);
  b.writeBigUInt64LE(BigInt(f.offset), 8);
  b.writeBigUInt64LE(BigInt(f.total), 16);
  b.writeUInt32LE(f.size, 24);
  b.writeUInt32LE(f.flags, 28);
  b.writeUInt32LE(f.ackSession, 32);
  return b;
}

describe('MSNP8-12 switchboard', () => {
  let t: TestServer;
  let n = 0;
  const friends = async (...versions: number[]) => {
    const emails = versions.map(() => `x${++n}@example.com`);
    for (const e of emails) await t.user(e, 'secret', `N${e.slice(1, e.indexOf('@'))}`);
    const ns: NsClient[] = [];
    for (let i = 0; i < versions.length; i++) ns.push(await t.login(emails[i]!, versions[i]!, { status: null }));
    for (let i = 0; i < versions.length; i++) {
      for (let j = 0; j < versions.length; j++) {
        if (i === j) continue;
        const v = versions[i]!;
        if (v >= 10) await ns[i]!.conn.request('ADC', ['FL', `N=${emails[j]}`, `F=${emails[j]}`]);
        else await ns[i]!.conn.request('ADD', ['FL', emails[j]!, emails[j]!, ...(v >= 7 ? ['0'] : [])]);
      }
    }
    const caps = [0, 268435492, 805306404, 1073791084, 1342177312];
    for (let i = 0; i < ns.length; i++) {
      const v = versions[i]!;
      await ns[i]!.conn.request('CHG', v >= 8 ? ['NLN', String(caps[i % caps.length])] : ['NLN']);
    }
    for (const c of ns) c.conn.take();
    return { emails, ns };
  };
  before(async () => {
    t = await startTestServer({ MSNPD_CHALLENGES: 'enforce', MSNPD_CHALLENGE_DELAY: '0', MSNPD_CHALLENGE_INTERVAL: '1' });
  });
  after(() => t.stop());

  test('MSNP2 + MSNP9 + MSNP12 in one conversation; MSNP12 sees capabilities on IRO and JOI', async () => {
    const { emails: [a2, b9, c12], ns: [n2, n9, n12] } = await friends(2, 9, 12);
    const s2 = await n2!.openChat();
    await s2.call(b9!);
    const { sb: s9, roster: r9 } = await n9!.acceptInvitation();
    assert.equal(r9[0]!.line, `IRO ${r9[0]!.args[0]} 1 1 ${a2} N${n - 2}`, 'MSNP9: no capabilities');
    await s2.conn.expect('JOI');
    await s9.call(c12!);
    const { sb: s12, roster: r12 } = await n12!.acceptInvitation();
    assert.deepEqual(r12.map((r) => r.args.slice(1).join(' ')), [`1 2 ${a2} N${n - 2} 0`, `2 2 ${b9} N${n - 1} 268435492`]);
    assert.equal((await s2.conn.expect('JOI')).line, `JOI ${c12} N${n}`);
    assert.equal((await s9.conn.expect('JOI')).line, `JOI ${c12} N${n}`);
    // A fourth, MSNP12 too, joining: the MSNP12 member sees its capabilities on JOI.
    const { emails: [d12], ns: [nd] } = await friends(12);
    await n12!.conn.request('ADC', ['FL', `N=${d12}`, `F=${d12}`]);
    await nd!.conn.request('ADC', ['FL', `N=${c12}`, `F=${c12}`]);
    for (const [c, e] of [[n2!, d12!], [n9!, d12!]] as [NsClient, string][]) await c.conn.request('ADD', ['FL', e, e, ...(c.version >= 7 ? ['0'] : [])]);
    for (const e of [a2!, b9!]) await nd!.conn.request('ADC', ['FL', `N=${e}`, `F=${e}`]);
    await s12.call(d12!);
    await nd!.acceptInvitation();
    assert.equal((await s12.conn.expect('JOI')).line, `JOI ${d12} N${n} 0`);
    const text = SbClient.text('hello from 1.0');
    assert.ok(await s2.sendAcked(text));
    for (const s of [s9, s12]) assert.equal((await s.receive()).payload!.toString(), text);
  });

  test('a 64 KB display picture over P2P (ack D) arrives byte-exact, only at its P2P-Dest', async () => {
    const { emails: [a12, b9, c7], ns: [na, nb, nc] } = await friends(12, 9, 7);
    const sa = await na!.openChat();
    await sa.call(b9!);
    const { sb } = await nb!.acceptInvitation();
    await sa.conn.expect('JOI');
    await sb.call(c7!);
    const { sb: sc } = await nc!.acceptInvitation();
    await sa.conn.expect('JOI');
    await sb.conn.expect('JOI');
    const picture = randomBytes(64 * 1024 + 123);
    const head = `MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: ${b9}\r\n\r\n`;
    const messages: Buffer[] = [];
    for (let off = 0, id = 1000; off < picture.length; off += 1202, id++) {
      const chunk = picture.subarray(off, Math.min(picture.length, off + 1202));
      const h = p2pHeader({ session: 7, id, offset: off, total: picture.length, size: chunk.length, flags: 0x20, ackSession: 0x1234 });
      messages.push(Buffer.concat([Buffer.from(head), h, chunk, Buffer.from([0, 0, 0, 1])]));
    }
    for (const m of messages) assert.ok(m.length <= 1664);
    // Sent with a window of 8, as clients do.
    const got: Buffer[] = [];
    const receiving = (async () => {
      for (let i = 0; i < messages.length; i++) got.push((await sb.receive(10000)).payload!);
    })();
    const pending: Promise<boolean>[] = [];
    for (const m of messages) {
      pending.push(sa.sendAcked(m, 'D'));
      if (pending.length >= 8) assert.ok(await pending.shift()!);
    }
    for (const p of pending) assert.ok(await p);
    await receiving;
    assert.deepEqual(got, messages, 'every message byte-exact, in order');
    const rebuilt = Buffer.concat(got.map((m) => m.subarray(head.length + 48, m.length - 4)));
    assert.equal(createHash('sha1').update(rebuilt).digest('hex'), createHash('sha1').update(picture).digest('hex'));
    sc.conn.sendLine(['OUT']);
    await sc.conn.closedByPeer();
    assert.ok(!sc.conn.inbox.some((r) => r.verb === 'MSG'), 'the third member got none of it');
    void a12;
  });

  test('challenges: MSNP8-10 answered with MD5, MSNP11-12 with lock-and-key, by product id', async () => {
    for (const [v, productId] of [[8, 'msmsgs@msnmsgr.com'], [10, 'PROD0038W!61ZTF9'], [11, 'PROD0090YUAUV{2B'], [12, 'PROD0101{0RM?UBW']] as [number, string][]) {
      const e = `chl${v}@example.com`;
      await t.user(e);
      const c = t.client(v);
      (c as unknown as { opts: { productId: string } }).opts.productId = productId;
      await c.connect();
      await c.login(e, 'secret');
      await c.sync();
      await c.setStatus('NLN');
      await sleep(1500);
      c.conn.sendLine(['PNG']);
      assert.equal((await c.conn.expect('QNG')).verb, 'QNG', `MSNP${v} still connected after its challenges`);
      c.close();
    }
  });
});

void HOST;

describe('what clients send through a switchboard', () => {
  test('invitations, typing, nudges, winks, ink, custom emoticons, client caps: relayed unchanged', async () => {
    const t = await startTestServer();
    try {
      await t.user('k1@example.com');
      await t.user('k2@example.com');
      const a = await t.login('k1@example.com', 11, { status: null });
      const b = await t.login('k2@example.com', 9, { status: null });
      await a.conn.request('ADC', ['FL', 'N=k2@example.com', 'F=x']);
      await b.conn.request('ADD', ['FL', 'k1@example.com', 'x', '0']);
      await a.setStatus('NLN');
      await b.setStatus('NLN');
      const sa = await a.openChat();
      await sa.call('k2@example.com');
      const { sb } = await b.acceptInvitation();
      await sa.conn.expect('JOI');
      const bodies: [string, 'U' | 'N' | 'A' | 'S', string][] = [
        ['invitation', 'S', 'MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\nApplication-Name: File Transfer\r\nApplication-GUID: {5D3E02AB-6190-11d3-BBBB-00C04F795683}\r\nInvitation-Command: INVITE\r\nInvitation-Cookie: 2\r\nApplication-File: a.txt\r\nApplication-FileSize: 3\r\n\r\n'],
        ['typing', 'U', 'MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: k1@example.com\r\n\r\n\r\n'],
        ['nudge', 'N', 'MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n\r\n'],
        ['wink', 'N', 'MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 2\r\nData: <msnobj Creator="k1@example.com" Type="8"/>\r\n\r\n'],
        ['ink', 'N', 'MIME-Version: 1.0\r\nContent-Type: image/gif\r\n\r\nbase64:R0lGODlhAQABAAAAACw='],
        ['emoticon', 'N', 'MIME-Version: 1.0\r\nContent-Type: text/x-mms-emoticon\r\n\r\n:-X\t<msnobj Creator="k1@example.com" Type="2"/>\t'],
        ['caps', 'U', 'MIME-Version: 1.0\r\nContent-Type: text/x-clientcaps\r\n\r\nClient-Name: msnpd-test\r\n'],
      ];
      for (const [what, ack, body] of bodies) {
        const tr = sa.send(body, ack);
        const got = await sb.receive();
        assert.equal(got.payload!.toString(), body, what);
        if (ack === 'S') assert.equal((await sa.conn.expect('ACK')).args[0], String(tr));
      }
    } finally {
      await t.stop();
    }
  });
});
