// Switchboard conversations: XFR SB, USR, CAL/RNG/ANS, IRO/JOI, MSG with
// every acknowledgement type, BYE, multi-party and mixed-version chats,
// byte-exact payloads, P2P-Dest routing, privacy, cookies and limits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MsnpConnection } from '../src/client/connection.js';
import type { NsClient } from '../src/client/ns-client.js';
import { SbClient } from '../src/client/sb-client.js';
import { HOST, sleep, startTestServer, type TestServer } from './helpers/server.js';
import { code } from './helpers/ns.js';


describe('switchboard', () => {
  let t: TestServer;
  let n = 0;
  /** Fresh signed-in users who all have each other on FL and AL. */
  const friends = async (...versions: number[]): Promise<{ emails: string[]; ns: NsClient[] }> => {
    const emails = versions.map((_, i) => `s${++n}-${i}@example.com`);
    for (const e of emails) await t.user(e, 'secret', `Name ${e.slice(0, e.indexOf('@'))}`);
    const ns: NsClient[] = [];
    for (let i = 0; i < versions.length; i++) ns.push(await t.login(emails[i]!, versions[i]!, { status: null }));
    for (let i = 0; i < versions.length; i++) {
      for (let j = 0; j < versions.length; j++) {
        if (i === j) continue;
        await ns[i]!.conn.request('ADD', ['FL', emails[j]!, emails[j]!, ...(versions[i]! >= 7 ? ['0'] : [])]);
        await ns[i]!.conn.request('ADD', ['AL', emails[j]!, emails[j]!]);
      }
    }
    for (const c of ns) await c.setStatus('NLN');
    for (const c of ns) c.conn.take();
    return { emails, ns };
  };
  /** a opens a chat and brings each of the others in. */
  const chat = async (emails: string[], ns: NsClient[]) => {
    const sbs: SbClient[] = [await ns[0]!.openChat()];
    for (let i = 1; i < ns.length; i++) {
      await sbs[0]!.call(emails[i]!);
      const { sb } = await ns[i]!.acceptInvitation();
      sbs.push(sb);
      for (let j = 0; j < i; j++) await sbs[j]!.conn.expect('JOI');
    }
    return sbs;
  };

  before(async () => {
    t = await startTestServer({ MSNPD_SB_LONELY_TIMEOUT: '1', MSNPD_RING_TIMEOUT: '2' });
  });
  after(() => t.stop());

  test('two-party chat: XFR, USR, CAL, RNG, ANS, IRO, JOI, MSG, ACK, BYE', async () => {
    const { emails: [a, b], ns: [na, nb] } = await friends(2, 7);
    const xfr = await na!.conn.request('XFR', ['SB']);
    assert.match(xfr.line, new RegExp(`^XFR \\d+ SB ${HOST.replace(/\./g, '\\.')}:${t.sb} CKI \\d+\\.\\d+\\.\\d+$`));
    const sa = await SbClient.connect(HOST, t.sb);
    assert.equal((await sa.usr(a!, xfr.args[4]!)).line.split(' ').slice(2).join(' '), `OK ${a} Name%20${a!.split('@')[0]}`);
    const cal = await sa.conn.request('CAL', [b!]);
    assert.match(cal.line, /^CAL \d+ RINGING \d+$/);
    const rng = await nb!.conn.expect('RNG');
    assert.equal(rng.args[0], cal.args[2]);
    assert.equal(rng.args[1], `${HOST}:${t.sb}`);
    assert.equal(rng.args[2], 'CKI');
    assert.notEqual(rng.args[3], xfr.args[4], 'the invitation has its own cookie');
    assert.deepEqual(rng.args.slice(4), [a, `Name%20${a!.split('@')[0]}`]);
    const sb = await SbClient.connect(HOST, t.sb);
    const tr = sb.conn.send('ANS', [b!, rng.args[3]!, rng.args[0]!]);
    assert.equal((await sb.conn.waitFor(() => true)).line, `IRO ${tr} 1 1 ${a} Name%20${a!.split('@')[0]}`);
    assert.equal((await sb.conn.waitFor(() => true)).line, `ANS ${tr} OK`);
    assert.equal((await sa.conn.expect('JOI')).line, `JOI ${b} Name%20${b!.split('@')[0]}`);
    const text = SbClient.text('Hello Bob');
    assert.ok(await sa.sendAcked(text));
    const m = await sb.receive();
    assert.equal(m.line, `MSG ${a} Name%20${a!.split('@')[0]} ${Buffer.byteLength(text)}`);
    assert.equal(m.payload!.toString(), text);
    sb.leave();
    assert.equal((await sa.conn.expect('BYE')).line, `BYE ${b}`);
  });

  test('acknowledgements: U never, N only on failure, A/D ACK when delivered, NAK when alone', async () => {
    const { emails: [, b], ns: [na, nb] } = await friends(7, 7);
    const sa = await na!.openChat();
    // Alone: A, D and N get NAK, U gets nothing.
    for (const ack of ['A', 'D', 'N'] as const) {
      const tr = sa.send('x', ack);
      assert.equal((await sa.conn.waitFor((r) => r.args[0] === String(tr))).line, `NAK ${tr}`);
    }
    sa.send('x', 'U');
    await sa.call(b!);
    const { sb } = await nb!.acceptInvitation();
    await sa.conn.expect('JOI');
    const trU = sa.send('u', 'U');
    const trN = sa.send('n', 'N');
    const trA = sa.send('a', 'A');
    assert.equal((await sa.conn.waitFor((r) => r.verb === 'ACK' || r.verb === 'NAK')).line, `ACK ${trA}`);
    const got = [await sb.receive(), await sb.receive(), await sb.receive()].map((r) => r.payload!.toString());
    assert.deepEqual(got, ['u', 'n', 'a']);
    assert.ok(!sa.conn.take().some((r) => r.args[0] === String(trU) || r.args[0] === String(trN)));
  });

  test('binary payloads arrive byte-exact, P2P only to its P2P-Dest', async () => {
    const { emails: [a, b, c], ns } = await friends(7, 5, 2);
    const [sa, sb, sc] = await chat([a!, b!, c!], ns);
    for (let i = 0; i < 50; i++) {
      const body = randomBytes(1 + ((i * 37) % 1600));
      assert.ok(await sa!.sendAcked(body, i % 2 ? 'A' : 'D'));
      assert.deepEqual((await sb!.receive()).payload, body);
      assert.deepEqual((await sc!.receive()).payload, body);
    }
    const head = `MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: ${c}\r\n\r\n`;
    const p2p = Buffer.concat([Buffer.from(head), randomBytes(48 + 1202), Buffer.from([0, 0, 0, 1])]);
    assert.ok(await sb!.sendAcked(p2p, 'D'));
    assert.deepEqual((await sc!.receive()).payload, p2p);
    const nowhere = Buffer.concat([Buffer.from(head.replace(c!, 'nobody@example.com')), randomBytes(52)]);
    assert.equal(await sb!.sendAcked(nowhere, 'D'), false, 'P2P-Dest names nobody here: NAK');
    sb!.conn.sendLine(['PNG']);
    assert.ok(!sa!.conn.take().some((r) => r.verb === 'MSG'), 'the third member got no P2P data');
  });

  test('three-party chat across MSNP2, MSNP5 and MSNP7: roster, joins, fan-out, leaves', async () => {
    const { emails: [a, b, c], ns } = await friends(2, 5, 7);
    const sa = await ns[0]!.openChat();
    await sa.call(b!);
    const { sb, roster } = await ns[1]!.acceptInvitation();
    assert.deepEqual(roster.map((r) => r.args.slice(1, 4)), [['1', '1', a]]);
    await sa.conn.expect('JOI');
    await sb.call(c!);
    const rng = await ns[2]!.conn.expect('RNG');
    assert.equal(rng.args[4], b, 'the inviter is named');
    const scc = await SbClient.connect(HOST, t.sb);
    const roster3 = await scc.ans(c!, rng.args[3]!, rng.args[0]!);
    assert.deepEqual(roster3.map((r) => r.args.slice(1, 4)), [['1', '2', a], ['2', '2', b]]);
    assert.equal((await sa.conn.expect('JOI')).args[0], c);
    assert.equal((await sb.conn.expect('JOI')).args[0], c);
    assert.ok(await scc.sendAcked(SbClient.text('hi all')));
    assert.equal((await sa.receive()).args[0], c);
    assert.equal((await sb.receive()).args[0], c);
    sa.leave();
    assert.equal((await sb.conn.expect('BYE')).line, `BYE ${a}`);
    assert.equal((await scc.conn.expect('BYE')).line, `BYE ${a}`);
    assert.ok(await sb.sendAcked(SbClient.text('still here')));
    assert.equal((await scc.receive()).payload!.toString().endsWith('still here'), true);
  });

  test('CAL errors: 217 offline, hidden, blocking, blocked, unknown; 215 present or ringing; 208 malformed', async () => {
    const { emails: [a, b, c, d], ns: [na, nb, nc, nd] } = await friends(7, 7, 7, 7);
    const sa = await na!.openChat();
    await assert.rejects(sa.call('nobody@example.com'), code(217));
    await assert.rejects(sa.call('@@a'), code(208));
    await assert.rejects(sa.call(a!), code(215), 'calling oneself');
    await sa.call(b!);
    await assert.rejects(sa.call(b!), code(215), 'still ringing');
    await nb!.conn.expect('RNG');
    await nc!.setStatus('HDN');
    await assert.rejects(sa.call(c!), code(217), 'hidden');
    await nd!.conn.request('ADD', ['BL', a!, a!]).catch(() => undefined);
    await nd!.conn.request('REM', ['AL', a!]);
    await nd!.conn.request('ADD', ['BL', a!, a!]);
    await assert.rejects(sa.call(d!), code(217), 'blocks the caller');
    nc!.close();
    await sleep(50);
    await assert.rejects(sa.call(c!), code(217), 'offline');
    assert.ok(!nd!.conn.take().some((r) => r.verb === 'RNG'));
  });

  test('privacy inside a conversation: a blocked user is never let in with, nor reaches, the blocker', async () => {
    const { emails: [a, b, c], ns: [na, nb, nc] } = await friends(7, 7, 7);
    // c blocks b.
    await nc!.conn.request('REM', ['AL', b!]);
    await nc!.conn.request('ADD', ['BL', b!, b!]);
    const sa = await na!.openChat();
    await sa.call(b!);
    const { sb } = await nb!.acceptInvitation();
    await sa.conn.expect('JOI');
    await assert.rejects(sa.call(c!), code(217), 'c blocks b, who is here');
    assert.ok(!nc!.conn.take().some((r) => r.verb === 'RNG'));
    // Blocking during a conversation: the blocker stops receiving the blocked user.
    const { emails: [x, y], ns: [nx, ny] } = await friends(7, 7);
    const sx = await nx!.openChat();
    await sx.call(y!);
    const { sb: sy } = await ny!.acceptInvitation();
    await sx.conn.expect('JOI');
    assert.ok(await sy.sendAcked('before'));
    assert.equal((await sx.receive()).payload!.toString(), 'before');
    await nx!.conn.request('REM', ['AL', y!]);
    await nx!.conn.request('ADD', ['BL', y!, y!]);
    assert.equal(await sy.sendAcked('after'), false);
    sx.conn.sendLine(['PNG']);
    await sleep(50);
    assert.ok(!sx.conn.take().some((r) => r.verb === 'MSG'));
    void a;
    void x;
    void sb;
  });

  test('cookies: single use, bound to the account, expired invitations, bad cookies get 911', async () => {
    const { emails: [a, b], ns: [na, nb] } = await friends(7, 7);
    const xfr = await na!.conn.request('XFR', ['SB']);
    const wrong = await SbClient.connect(HOST, t.sb);
    await assert.rejects(wrong.usr(b!, xfr.args[4]!), code(911), 'cookie of another account');
    await wrong.conn.closedByPeer();
    const again = await SbClient.connect(HOST, t.sb);
    await assert.rejects(again.usr(a!, xfr.args[4]!), code(911), 'the cookie was used up by the failed try');
    const xfr2 = await na!.conn.request('XFR', ['SB']);
    const ok = await SbClient.connect(HOST, t.sb);
    await ok.usr(a!, xfr2.args[4]!);
    const reuse = await SbClient.connect(HOST, t.sb);
    await assert.rejects(reuse.usr(a!, xfr2.args[4]!), code(911), 'single use');
    await ok.call(b!);
    const rng = await nb!.conn.expect('RNG');
    const bad = await SbClient.connect(HOST, t.sb);
    await assert.rejects(bad.ans(b!, '1.2.3', rng.args[0]!), /911/);
    await sleep(2300);
    const late = await SbClient.connect(HOST, t.sb);
    await assert.rejects(late.ans(b!, rng.args[3]!, rng.args[0]!), /911/, 'the invitation expired');
  });

  test('answering after everyone left: 911 and a close (the conversation is over)', async () => {
    const { emails: [, b], ns: [na, nb] } = await friends(7, 7);
    const sa = await na!.openChat();
    await sa.call(b!);
    const rng = await nb!.conn.expect('RNG');
    sa.leave();
    await sleep(50);
    const sb = await SbClient.connect(HOST, t.sb);
    await assert.rejects(sb.ans(b!, rng.args[3]!, rng.args[0]!), /911/);
    await sb.conn.closedByPeer();
  });

  test('being rung does not reveal anything: a blocked caller gets 217, not 215', async () => {
    const { emails: [, b, c], ns: [na, nb, nc] } = await friends(7, 7, 7);
    // c blocks b; a rings c, then brings b in; b calls c.
    await nc!.conn.request('REM', ['AL', b!]);
    await nc!.conn.request('ADD', ['BL', b!, b!]);
    const sa = await na!.openChat();
    await sa.call(c!);
    const ringC = await nc!.conn.expect('RNG');
    await sa.call(b!);
    const { sb } = await nb!.acceptInvitation();
    await sa.conn.expect('JOI');
    await assert.rejects(sb.call(c!), code(217), 'c is still being rung, yet b learns nothing');
    const late = await SbClient.connect(HOST, t.sb);
    await assert.rejects(late.ans(c!, ringC.args[3]!, ringC.args[0]!), /911/, 'c\'s invitation ended when b, whom c blocks, joined');
  });

  test('a switchboard cookie is worthless once its owner is hidden or signed out', async () => {
    const { emails: [a, b], ns: [na] } = await friends(7, 7);
    const x1 = await na!.conn.request('XFR', ['SB']);
    const x2 = await na!.conn.request('XFR', ['SB']);
    await na!.setStatus('HDN');
    const s1 = await SbClient.connect(HOST, t.sb);
    await assert.rejects(s1.usr(a!, x1.args[4]!), code(911));
    await na!.setStatus('NLN');
    const open = await na!.openChat();
    na!.conn.sendLine(['OUT']);
    await na!.conn.closedByPeer();
    await sleep(50);
    const s2 = await SbClient.connect(HOST, t.sb);
    await assert.rejects(s2.usr(a!, x2.args[4]!), code(911));
    await assert.rejects(open.call(b!), code(913), 'signed out: cannot invite');
  });

  test('at most 8 unused XFR cookies per account: older ones stop working', async () => {
    const { emails: [a], ns: [na] } = await friends(7);
    const cookies: string[] = [];
    for (let i = 0; i < 10; i++) cookies.push((await na!.conn.request('XFR', ['SB'])).args[4]!);
    const old = await SbClient.connect(HOST, t.sb);
    await assert.rejects(old.usr(a!, cookies[0]!), code(911));
    const recent = await SbClient.connect(HOST, t.sb);
    await recent.usr(a!, cookies[9]!);
    recent.leave();
  });

  test('XFR SB while hidden or before the first CHG: 913; IMS OFF: 913 and no RNG', async () => {
    const u = 'xh@example.com';
    await t.user(u);
    const c = await t.login(u, 7, { status: null });
    await assert.rejects(c.conn.request('XFR', ['SB']), code(913));
    await c.setStatus('HDN');
    await assert.rejects(c.conn.request('XFR', ['SB']), code(913));
    await c.setStatus('NLN');
    await assert.rejects(c.conn.request('XFR', ['NS']), code(201));
    assert.equal((await c.conn.request('IMS', ['OFF'])).args.slice(1).join(' '), '0 OFF');
    await assert.rejects(c.conn.request('XFR', ['SB']), code(913));
    const { ns: [na] } = await friends(7);
    await na!.conn.request('ADD', ['FL', u, u, '0']);
    const sa = await na!.openChat();
    await assert.rejects(sa.call(u), code(217));
    await c.conn.request('IMS', ['ON']);
    await sa.call(u);
    await c.conn.expect('RNG');
    await assert.rejects(c.conn.request('IMS', ['MAYBE']), code(201));
  });

  test('limits and bad input: oversize MSG, bad ack, commands before USR, unknown verbs close the connection', async () => {
    const { ns: [na] } = await friends(7);
    const big = await na!.openChat();
    big.conn.raw(`MSG 9 N 1665\r\n${'x'.repeat(1665)}`);
    await big.conn.closedByPeer();
    const badAck = await na!.openChat();
    badAck.conn.raw('MSG 9 Q 1\r\nx');
    await badAck.conn.closedByPeer();
    const early = await MsnpConnection.connect(HOST, t.sb);
    early.send('CAL', ['a@b.c']);
    await early.closedByPeer();
    const junk = await MsnpConnection.connect(HOST, t.sb);
    junk.raw('\x00\x01garbage\r\n');
    await junk.closedByPeer();
    const exact = await na!.openChat();
    exact.send(Buffer.alloc(1664, 1), 'U');
    exact.conn.sendLine(['OUT']);
    await exact.conn.closedByPeer();
  });

  test('a conversation left with one member closes after the lonely timeout', async () => {
    const { ns: [na] } = await friends(7);
    const sa = await na!.openChat();
    await sa.conn.closedByPeer(4000);
  });
});
