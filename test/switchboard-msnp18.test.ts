// The switchboard for MSNP16-18 (issue 13 item 6, client-quirks.md
// "Switchboard, MSNP18"), over real TCP with real SSO sign-ins: endpoints in
// USR/ANS/IRO/JOI/BYE, the self-CAL, P2Pv2 by endpoint and P2Pv1 by account,
// conversations across MSNP18, MSNP12 and MSNP7, every error path, and a
// 1 MB P2P transfer sent at full speed, paced instead of cut.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MsnpConnection, type Received } from '../src/client/connection.js';
import { SbClient } from '../src/client/sb-client.js';
import { code } from './helpers/ns.js';
import { answerRing, drain, openSb, p2pMessage, p2pv1, p2pv2, signIn18 } from './helpers/msnp18.js';
import { HOST, startTestServer, type TestServer } from './helpers/server.js';

/** MSNPSharp 3.2.1 writes its machine GUID braced and lower case (captures/msnpsharp-3.2.1/alice.txt)... */
const SHARP_GUID = '{99e0c157-5658-4eea-ab70-c308835176c7}';
/** ...Pidgin 2.11 upper case, bare in USR SSO S and braced on the switchboard (captures/pidgin-2.11/bob.txt). */
const PIDGIN_GUID = 'AF0F7C49-3F52-2EDC-3246-470A5C4D18CB';
const CAPS18 = '2789003324';

/** Deterministic bytes (a picture stand-in): SHA-256 in counter mode over a seed. */
function bytes(n: number, seed: string): Buffer {
  const out: Buffer[] = [];
  for (let i = 0, len = 0; len < n; i++) {
    const b = createHash('sha256').update(`${seed}:${i}`).digest();
    out.push(b);
    len += b.length;
  }
  return Buffer.concat(out).subarray(0, n);
}

/** The part of a line after the verb and transaction id. */
const tail = (line: string) => line.split(' ').slice(2).join(' ');

/** The next MSG on `c`, its payload checked byte for byte against `sent`. */
async function relayed(c: MsnpConnection, from: string, name: string, sent: Buffer): Promise<void> {
  const m = await c.expect('MSG');
  assert.equal(m.line, `MSG ${from} ${name} ${sent.length}`);
  assert.ok(m.payload!.equals(sent), `payload of ${sent.length} bytes relayed byte for byte`);
}

const slp = (first: string, to: string, from: string, body: string) =>
  Buffer.from(
    `${first}\r\nTo: <msnmsgr:${to}>\r\nFrom: <msnmsgr:${from}>\r\nVia: MSNSLP/1.0/TLP ;branch={A0D624A6-6C0C-4283-A9E0-BC97B4B46D32}\r\nCSeq: 0 \r\n` +
      `Call-ID: {2B073406-9C5E-4B21-A0AD-2B7C4D8E5F6A}\r\nMax-Forwards: 0\r\nContent-Type: application/x-msnmsgr-sessionreqbody\r\nContent-Length: ${body.length + 1}\r\n\r\n${body}\0`,
    'latin1',
  );

describe('switchboard MSNP16-18 (MSNPD_EXPERIMENTAL_MSNP13=on)', () => {
  let t: TestServer;
  let n = 0;
  /** Fresh accounts `m18-N@example.com`, named `NameN`. */
  const users = async (count: number): Promise<{ email: string; name: string }[]> => {
    const out = [];
    for (let i = 0; i < count; i++) {
      const name = `Name${++n}`;
      const email = `m18-${n}@example.com`;
      await t.user(email, 'secret', name);
      out.push({ email, name });
    }
    return out;
  };

  before(async () => {
    t = await startTestServer({ MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
  });
  after(() => t.stop());

  test('MSNP18 with MSNP18: USR/ANS with endpoints, self-CAL, IRO/JOI per endpoint and account, text, a P2Pv2 display picture, BYE per endpoint', async () => {
    const [a, b] = (await users(2)) as [{ email: string; name: string }, { email: string; name: string }];
    const na = await signIn18(t, a.email, 'secret', SHARP_GUID);
    const nb = await signIn18(t, b.email, 'secret', PIDGIN_GUID);
    const aHandle = `${a.email};${SHARP_GUID}`;
    const bHandle = `${b.email};{${PIDGIN_GUID}}`;
    const { sb: sa, usr } = await openSb(t, na, aHandle);
    // USR OK echoes the endpoint; MSNPSharp compares the part before ';' with its owner's address.
    assert.equal(tail(usr.line), `OK ${aHandle} ${a.name}`);
    // MSNPSharp calls itself first: RINGING, though no other endpoint of it is online; nobody is rung.
    const self = await sa.request('CAL', [a.email.toUpperCase()]);
    assert.match(self.line, /^CAL \d+ RINGING \d+$/);
    const sid = self.args[2]!;
    const cal = await sa.request('CAL', [b.email]);
    assert.equal(tail(cal.line), `RINGING ${sid}`);
    assert.deepEqual((await drain(na)).filter((l) => l.startsWith('RNG')), [], 'the caller is not rung by its own self-CAL');
    const { sb: sbb, iro, rng } = await answerRing(t, nb, bHandle);
    // The ring names the conversation's switchboard, in the MSNP14+ form.
    assert.equal(rng.line, `RNG ${sid} ${HOST}:${t.sb} CKI ${rng.args[3]} ${a.email} ${a.name} U messenger.hotmail.com 1`);
    assert.deepEqual(nb.take().filter((r) => r.verb === 'RNG'), [], 'one ring only');
    // Each endpoint, then the account; the GUID as that endpoint wrote it; caps:extcaps.
    assert.deepEqual(iro.map(tail), [`1 2 ${aHandle} ${a.name} ${CAPS18}:0`, `2 2 ${a.email} ${a.name} ${CAPS18}:0`]);
    assert.equal((await sa.expect('JOI')).line, `JOI ${bHandle} ${b.name} ${CAPS18}:0`);
    assert.equal((await sa.expect('JOI')).line, `JOI ${b.email} ${b.name} ${CAPS18}:0`);

    // Text both ways.
    const hi = Buffer.from(SbClient.text('hello from MSNP18 ✓'), 'utf8');
    sa.send('MSG', ['A'], hi);
    await relayed(sbb, a.email, a.name, hi);
    assert.equal((await sa.expect('ACK')).verb, 'ACK');

    // B fetches A's display picture over P2Pv2: every packet is for one endpoint and names its source.
    const toA = (body: Buffer) => p2pMessage(aHandle, body, bHandle);
    const toB = (body: Buffer) => p2pMessage(bHandle, body, aHandle);
    const exchange = async (from: MsnpConnection, to: MsnpConnection, fromUser: { email: string; name: string }, msg: Buffer) => {
      const tr = from.send('MSG', ['D'], msg);
      await relayed(to, fromUser.email, fromUser.name, msg);
      assert.equal((await from.expect('ACK', 5000, (r) => r.args[0] === String(tr))).verb, 'ACK');
    };
    const context = Buffer.from(`<msnobj Creator="${a.email}" Size="4000" Type="3" Location="0" Friendly="AAA=" SHA1D="x"/>\0`).toString('base64');
    const invite = slp(`INVITE MSNMSGR:${aHandle} MSNSLP/1.0`, aHandle, bHandle, `EUF-GUID: {A4268EEC-FEC5-49E5-95C3-F126696BDBF6}\r\nSessionID: 7\r\nAppID: 12\r\nContext: ${context}\r\n\r\n`);
    await exchange(sbb, sa, b, toA(p2pv2(100, invite, { tf: 1 })));
    await exchange(sa, sbb, a, toB(p2pv2(200, slp('MSNSLP/1.0 200 OK', bHandle, aHandle, 'SessionID: 7\r\n\r\n'), { tf: 1 })));
    await exchange(sa, sbb, a, toB(p2pv2(201, Buffer.from([0, 0, 0, 0]), { tf: 0, session: 7 })));
    const picture = bytes(4000, 'picture-a');
    for (let off = 0, seq = 202; off < picture.length; off += 1202, seq++) {
      await exchange(sa, sbb, a, toB(p2pv2(seq, picture.subarray(off, off + 1202), { tf: 4, session: 7, appId: 12 })));
    }
    // An acknowledgement-only packet (no data header) back to A.
    await exchange(sbb, sa, b, toA(p2pv2(101, Buffer.alloc(0))));

    // B leaves: its endpoint's BYE, then its account's.
    sbb.sendLine(['OUT']);
    assert.equal((await sa.expect('BYE')).line, `BYE ${bHandle}`);
    assert.equal((await sa.expect('BYE')).line, `BYE ${b.email}`);
    for (const c of [sa, sbb, na, nb]) c.destroy();
  });

  test('MSNP18, MSNP12 and MSNP7 in one conversation: each sees the others in its own forms; P2Pv1 between MSNP18 and MSNP12', async () => {
    const [a, b, c] = (await users(3)) as [{ email: string; name: string }, { email: string; name: string }, { email: string; name: string }];
    const na = await signIn18(t, a.email, 'secret', SHARP_GUID);
    const n12 = await t.login(b.email, 12, { status: null });
    await n12.conn.request('CHG', ['NLN', '1342177312']);
    const n7 = await t.login(c.email, 7);
    const aHandle = `${a.email};${SHARP_GUID}`;
    const { sb: sa } = await openSb(t, na, aHandle);
    await sa.request('CAL', [a.email]);
    await sa.request('CAL', [b.email]);
    const { sb: s12, roster: r12 } = await n12.acceptInvitation();
    // MSNP12 (MSN 7.5): one line per member, the bare address and the capabilities number.
    assert.deepEqual(r12.map((r) => tail(r.line)), [`1 1 ${a.email} ${a.name} ${CAPS18}`]);
    assert.equal((await sa.expect('JOI')).line, `JOI ${b.email} ${b.name} 1342177312:0`);
    await sa.request('CAL', [c.email]);
    const { sb: s7, roster: r7 } = await n7.acceptInvitation();
    // MSNP7: no capabilities, no endpoints.
    assert.deepEqual(r7.map((r) => tail(r.line)), [`1 2 ${a.email} ${a.name}`, `2 2 ${b.email} ${b.name}`]);
    assert.equal((await sa.expect('JOI')).line, `JOI ${c.email} ${c.name} 0:0`);
    assert.equal((await s12.conn.expect('JOI')).line, `JOI ${c.email} ${c.name} 0`);

    // Text from each reaches the others.
    const t18 = Buffer.from(SbClient.text('from 2009'), 'utf8');
    sa.send('MSG', ['N'], t18);
    await relayed(s12.conn, a.email, a.name, t18);
    await relayed(s7.conn, a.email, a.name, t18);
    const t7 = Buffer.from(SbClient.text('from MSN 4.7'), 'utf8');
    s7.send(t7);
    await relayed(sa, c.email, c.name, t7);
    await relayed(s12.conn, c.email, c.name, t7);

    // P2Pv1 (what WLM 2009 speaks to MSN 7.5): P2P-Dest names the account, the MSNP7 member sees none of it.
    const invite = slp(`INVITE MSNMSGR:${a.email} MSNSLP/1.0`, a.email, b.email, 'EUF-GUID: {A4268EEC-FEC5-49E5-95C3-F126696BDBF6}\r\nSessionID: 9\r\nAppID: 1\r\n\r\n');
    const v1 = (dest: string, body: Buffer) => p2pMessage(dest, body);
    const inv = v1(a.email, p2pv1(0x0ac47447, 0, 0, invite.length, invite, 0));
    s12.send(inv, 'D');
    await relayed(sa, b.email, b.name, inv);
    const picture = bytes(3000, 'picture-18');
    for (let off = 0, id = 1; off < picture.length; off += 1202, id++) {
      const m = v1(b.email, p2pv1(id, 9, off, picture.length, picture.subarray(off, off + 1202), 1));
      sa.send('MSG', ['D'], m);
      await relayed(s12.conn, a.email, a.name, m);
      await sa.expect('ACK');
    }
    const barrier = Buffer.from(SbClient.text('after the picture'), 'utf8');
    sa.send('MSG', ['N'], barrier);
    await relayed(s7.conn, a.email, a.name, barrier);

    // Leaving: an MSNP12 member is one BYE; the MSNP18 member is one bare BYE for the older clients.
    s12.leave();
    assert.equal((await sa.expect('BYE')).line, `BYE ${b.email}`);
    assert.equal((await s7.conn.expect('BYE')).line, `BYE ${b.email}`);
    sa.sendLine(['OUT']);
    assert.equal((await s7.conn.expect('BYE')).line, `BYE ${a.email}`);
    assert.deepEqual(s7.conn.take((r) => r.verb === 'BYE'), [], 'no per-endpoint BYE for MSNP7');
    for (const x of [sa, na]) x.destroy();
    s7.leave();
  });

  test('MSNP12 invites MSNP18: RNG in the MSNP18 form, the invitee sees a single-line roster with caps:extcaps, the caller a bare JOI', async () => {
    const [a, b] = (await users(2)) as [{ email: string; name: string }, { email: string; name: string }];
    const n12 = await t.login(b.email, 12);
    const na = await signIn18(t, a.email, 'secret', PIDGIN_GUID);
    const s12 = await n12.openChat();
    await s12.call(a.email);
    const { sb: sa, iro } = await answerRing(t, na, `${a.email};{${PIDGIN_GUID}}`);
    assert.deepEqual(iro.map(tail), [`1 1 ${b.email} ${b.name} 0:0`]);
    assert.equal((await s12.conn.expect('JOI')).line, `JOI ${a.email} ${a.name} ${CAPS18}`);
    sa.sendLine(['OUT']);
    assert.equal((await s12.conn.expect('BYE')).line, `BYE ${a.email}`);
    s12.leave();
    na.destroy();
  });

  test('an MSNP16+ client that names no endpoint is taken as it is: plain handles', async () => {
    const [a, b] = (await users(2)) as [{ email: string; name: string }, { email: string; name: string }];
    const na = await signIn18(t, a.email, 'secret', SHARP_GUID);
    const nb = await signIn18(t, b.email, 'secret', PIDGIN_GUID);
    const { sb: sa, usr } = await openSb(t, na, a.email);
    assert.equal(tail(usr.line), `OK ${a.email} ${a.name}`);
    await sa.request('CAL', [b.email]);
    const { sb: sbb, iro } = await answerRing(t, nb, `${b.email};{${PIDGIN_GUID}}`);
    assert.deepEqual(iro.map(tail), [`1 1 ${a.email} ${a.name} ${CAPS18}:0`]);
    sa.sendLine(['OUT']);
    assert.equal((await sbb.expect('BYE')).line, `BYE ${a.email}`);
    for (const x of [sbb, na, nb]) x.destroy();
  });

  test('USR/ANS: a suffix that is no braced GUID, or a GUID on an MSNP12 cookie, is 911 and the connection closes', async () => {
    const [a, b] = (await users(2)) as [{ email: string; name: string }, { email: string; name: string }];
    const na = await signIn18(t, a.email, 'secret', SHARP_GUID);
    for (const bad of [`${a.email};{not-a-guid}`, `${a.email};${PIDGIN_GUID}`, `${a.email};{${PIDGIN_GUID}`, `${a.email};`]) {
      const xfr = await na.request('XFR', ['SB']);
      const sb = await MsnpConnection.connect(HOST, t.sb);
      await assert.rejects(sb.request('USR', [bad, xfr.args[4]!]), code(911), bad);
      await sb.closedByPeer();
    }
    // An MSN 7.5 cookie with an endpoint: no MSNP12 client has one.
    const n12 = await t.login(b.email, 12);
    const xfr = await n12.conn.request('XFR', ['SB']);
    const sb = await MsnpConnection.connect(HOST, t.sb);
    await assert.rejects(sb.request('USR', [`${b.email};${SHARP_GUID}`, xfr.args[4]!]), code(911));
    await sb.closedByPeer();
    // And as an invitee: the MSNP12 user answers with an endpoint; the caller sees nobody join.
    const { sb: sa } = await openSb(t, na, `${a.email};${SHARP_GUID}`);
    await sa.request('CAL', [b.email]);
    const rng = await n12.conn.expect('RNG');
    const ans = await MsnpConnection.connect(HOST, t.sb);
    await assert.rejects(ans.request('ANS', [`${b.email};${SHARP_GUID}`, rng.args[3]!, rng.args[0]!]), code(911));
    await ans.closedByPeer();
    const after = Buffer.from(SbClient.text('anyone?'), 'utf8');
    sa.send('MSG', ['A'], after);
    assert.equal((await sa.expect('NAK')).verb, 'NAK', 'nobody joined');
    assert.deepEqual(sa.take((r) => r.verb === 'JOI'), []);
    for (const x of [sa, na]) x.destroy();
  });

  test('self-CAL: MSNP12 keeps 215 (already there); MSNP18 while hidden gets 913', async () => {
    const [a, b] = (await users(2)) as [{ email: string; name: string }, { email: string; name: string }];
    const n12 = await t.login(b.email, 12);
    const s12 = await n12.openChat();
    await assert.rejects(s12.conn.request('CAL', [b.email]), code(215));
    s12.leave();
    const na = await signIn18(t, a.email, 'secret', SHARP_GUID);
    const { sb: sa } = await openSb(t, na, `${a.email};${SHARP_GUID}`);
    await na.request('CHG', ['HDN', CAPS18, '0']);
    await assert.rejects(sa.request('CAL', [a.email]), code(913));
    for (const x of [sa, na]) x.destroy();
  });

  /** A (MSNPSharp's GUID form) and B (Pidgin's) in one MSNP18 switchboard, both joined. */
  async function p2pPair() {
    const [a, b] = (await users(2)) as [{ email: string; name: string }, { email: string; name: string }];
    const na = await signIn18(t, a.email, 'secret', SHARP_GUID);
    const nb = await signIn18(t, b.email, 'secret', PIDGIN_GUID);
    const aHandle = `${a.email};${SHARP_GUID}`;
    const bHandle = `${b.email};{${PIDGIN_GUID}}`;
    const { sb: sa } = await openSb(t, na, aHandle);
    await sa.request('CAL', [b.email]);
    const { sb: sbb } = await answerRing(t, nb, bHandle);
    await sa.expect('JOI');
    await sa.expect('JOI');
    return { a, b, na, nb, aHandle, bHandle, sa, sbb };
  }

  /** Each message, sent as `MSG D`, fits the payload limit and gets NAK (relayed to nobody). */
  async function allRefused(sa: MsnpConnection, refused: Buffer[]): Promise<void> {
    for (const m of refused) {
      assert.ok(m.length <= 1664, `${m.length} bytes fit the switchboard payload limit`);
      const tr = sa.send('MSG', ['D'], m);
      assert.equal((await sa.expect('NAK', 5000, (r) => r.args[0] === String(tr))).verb, 'NAK');
    }
  }

  test('P2P: a P2P-Dest endpoint not in the conversation, a malformed one, or a P2P-Src naming someone else is not relayed (NAK)', async () => {
    const { a, b, na, nb, aHandle, bHandle, sa, sbb } = await p2pPair();
    const body = p2pv2(1, Buffer.from('data'), { session: 3, appId: 12 });
    const refused = [
      p2pMessage(`${b.email};{00000000-0000-0000-0000-000000000001}`, body, aHandle),
      p2pMessage(`${b.email};{zz}`, body, aHandle),
      p2pMessage(bHandle, body, `${b.email};{${PIDGIN_GUID}}`),
      p2pMessage(bHandle, body, `${a.email};{00000000-0000-0000-0000-000000000001}`),
    ];
    await allRefused(sa, refused);
    // The GUID matches in any case and with or without braces in P2P-Dest's form as Pidgin writes it.
    const ok = p2pMessage(`${b.email.toUpperCase()};{${PIDGIN_GUID.toLowerCase()}}`, body, `${a.email};${SHARP_GUID.toUpperCase()}`);
    sa.send('MSG', ['D'], ok);
    await relayed(sbb, a.email, a.name, ok);
    assert.deepEqual(sbb.take((r) => r.verb === 'MSG'), [], 'nothing refused arrived');
    for (const x of [sa, sbb, na, nb]) x.destroy();
  });

  test('P2P: a P2P-Src past the first KiB of headers, repeated, or spelled with spaces around its name is checked (NAK), as is a Content-Type past the first KiB', async () => {
    const { a, b, na, nb, aHandle, bHandle, sa, sbb } = await p2pPair();
    const body = p2pv2(1, Buffer.from('data'), { session: 3, appId: 12 });
    const forged = `${b.email};{00000000-0000-0000-0000-000000000001}`;
    const pad = `X-Pad: ${'a'.repeat(1100)}`;
    const msg = (...headers: string[]) => Buffer.concat([Buffer.from(`MIME-Version: 1.0\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
    const type = 'Content-Type: application/x-msnmsgrp2p';
    const refused = [
      msg(type, `P2P-Dest: ${bHandle}`, pad, `P2P-Src: ${forged}`),
      msg(type, `P2P-Dest: ${bHandle}`, `P2P-Src: ${aHandle}`, `P2P-Src: ${forged}`),
      msg(type, `P2P-Dest: ${bHandle}`, `P2P-Src: ${aHandle}`, `P2P-Src : ${forged}`),
      // COMPAT: MSNPSharp 3.2.1 trims header names.
      msg(type, `P2P-Dest: ${bHandle}`, ` P2P-Src: ${forged}`),
      msg(type, `P2P-Dest: ${bHandle}`, `P2P-Dest: ${aHandle}`, `P2P-Src: ${aHandle}`),
      msg(pad, type, `P2P-Dest: ${bHandle}`, `P2P-Src: ${forged}`),
    ];
    await allRefused(sa, refused);
    // Long headers with a true P2P-Src are relayed as before.
    const ok = msg(type, `P2P-Dest: ${bHandle}`, pad, `P2P-Src: ${aHandle}`);
    sa.send('MSG', ['D'], ok);
    await relayed(sbb, a.email, a.name, ok);
    assert.deepEqual(sbb.take((r) => r.verb === 'MSG'), [], 'nothing refused arrived');
    for (const x of [sa, sbb, na, nb]) x.destroy();
  });

  test('an error flood (more error replies than a tenth of the burst) closes that switchboard connection only', async () => {
    const [a, b] = (await users(2)) as [{ email: string; name: string }, { email: string; name: string }];
    const na = await signIn18(t, a.email, 'secret', SHARP_GUID);
    const nb = await signIn18(t, b.email, 'secret', PIDGIN_GUID);
    const { sb: sa } = await openSb(t, na, `${a.email};${SHARP_GUID}`);
    const { sb: canary } = await openSb(t, nb, `${b.email};{${PIDGIN_GUID}}`);
    let flood = '';
    for (let i = 0; i < 150; i++) flood += `CAL ${10 + i} not-an-address\r\n`;
    sa.raw(flood);
    await sa.closedByPeer();
    const errors = sa.take((r) => r.verb === '208').length;
    assert.ok(errors >= 90 && errors < 150, `${errors} errors answered before the close`);
    assert.match((await canary.request('CAL', [b.email])).line, /RINGING/);
    for (const x of [canary, na, nb]) x.destroy();
  });
});

describe('a P2P transfer at full speed over a rate-limited switchboard', () => {
  let t: TestServer;
  before(async () => {
    // A burst far below the transfer's message count: without pacing the sender would be cut off.
    t = await startTestServer({ MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_SB_COMMAND_RATE: '200', MSNPD_SB_COMMAND_BURST: '100' });
    for (const u of ['fast1@example.com', 'fast2@example.com']) await t.user(u, 'secret', u.slice(0, 5));
  });
  after(() => t.stop());

  test('1 MB of P2Pv2 data written in one go arrives complete, in order and byte for byte; every message is acknowledged', async () => {
    const na = await signIn18(t, 'fast1@example.com', 'secret', SHARP_GUID);
    const nb = await signIn18(t, 'fast2@example.com', 'secret', PIDGIN_GUID);
    const aHandle = `fast1@example.com;${SHARP_GUID}`;
    const bHandle = `fast2@example.com;{${PIDGIN_GUID}}`;
    const { sb: sa } = await openSb(t, na, aHandle);
    await sa.request('CAL', ['fast2@example.com']);
    const { sb: sbb } = await answerRing(t, nb, bHandle);
    const data = bytes(1 << 20, 'one-megabyte');
    const messages: Buffer[] = [];
    for (let off = 0, seq = 1; off < data.length; off += 1202, seq++) {
      messages.push(p2pMessage(bHandle, p2pv2(seq, data.subarray(off, off + 1202), { tf: 4, session: 5, appId: 12 }), aHandle));
    }
    assert.ok(messages.length > 800);
    const wire = Buffer.concat(messages.map((m, i) => Buffer.concat([Buffer.from(`MSG ${i + 10} D ${m.length}\r\n`), m])));
    sa.raw(wire);
    const got: Received[] = [];
    for (let i = 0; i < messages.length; i++) got.push(await sbb.expect('MSG', 60_000));
    got.forEach((m, i) => assert.ok(m.payload!.equals(messages[i]!), `message ${i} byte for byte`));
    const acks = [];
    for (let i = 0; i < messages.length; i++) acks.push(await sa.waitFor((r) => r.verb === 'ACK' || r.verb === 'NAK', 60_000));
    assert.deepEqual(acks.map((r) => r.line), messages.map((_, i) => `ACK ${i + 10}`));
    const reassembled = Buffer.concat(got.map((m) => m.payload!.subarray(m.payload!.indexOf('\r\n\r\n') + 4 + 16, m.payload!.length - 4)));
    assert.ok(reassembled.equals(data), 'the megabyte, reassembled');
    for (const x of [sa, sbb, na, nb]) x.destroy();
  });
});

describe('an MSNP18 member dropped as idle', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_SB_IDLE_TIMEOUT: '1' });
    for (const u of ['idle1@example.com', 'idle2@example.com']) await t.user(u, 'secret', u.slice(0, 5));
  });
  after(() => t.stop());

  test('the others get BYE email;{guid} 1 and then BYE email 1', async () => {
    const na = await signIn18(t, 'idle1@example.com', 'secret', SHARP_GUID);
    const nb = await signIn18(t, 'idle2@example.com', 'secret', PIDGIN_GUID);
    const { sb: sa } = await openSb(t, na, `idle1@example.com;${SHARP_GUID}`);
    await sa.request('CAL', ['idle2@example.com']);
    const { sb: sbb } = await answerRing(t, nb, `idle2@example.com;{${PIDGIN_GUID}}`);
    // Alice keeps talking (typing notifications); Bob says nothing.
    const typing = setInterval(() => sa.send('MSG', ['U'], 'MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: idle1@example.com\r\n\r\n\r\n'), 300);
    try {
      assert.equal((await sa.expect('BYE', 10_000)).line, `BYE idle2@example.com;{${PIDGIN_GUID}} 1`);
      assert.equal((await sa.expect('BYE')).line, 'BYE idle2@example.com 1');
    } finally {
      clearInterval(typing);
    }
    await sbb.closedByPeer();
    for (const x of [sa, na, nb]) x.destroy();
  });
});
