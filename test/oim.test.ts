// Offline messages (issue 13 item 5) against a real server over HTTPS and
// TCP: the OIM store with its lock-key challenge, token faults, refusals and
// limits; UUM from MSNP18; the sign-in Mail-Data and the arrival
// notification; RSI GetMetadata/GetMessage/DeleteMessages (never another
// account's messages); the captured RSI requests replayed; delivery to an
// MSNP7 user through a switchboard; survival across a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MsnpConnection } from '../src/client/connection.js';
import { computeSsoResponse } from '../src/core/sso-response.js';
import { code } from './helpers/ns.js';
import { signInWithTicket, ticketFor } from './helpers/tickets.js';
import { HOST, startTestServer, tempDir, type TestServer } from './helpers/server.js';
import { rst2For, ssoToken } from './helpers/sso.js';
import {
  capturedOimRequests, deleteMessages, getMessage, lockKeyFor, mdEntries, messageResult, oimFault, oimStore, post, rsi, rst2Tokens,
  storeWithChallenge, type StoreOptions,
} from './helpers/oim.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/soap/offline-messages.jsonl');
const ON = { MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_LOGIN_FAILURES_PER_IP: '1000', MSNPD_SOAP_REQUEST_RATE: '0' };
const CVR = ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', '8.5.1288.816', 'msmsgs'];

/** An SSO sign-in (MSNP15 or 18) up to the first CHG; resolves before the Mail-Data message is read. */
async function ssoSignIn(t: TestServer, email: string, version: 15 | 18, status = 'NLN'): Promise<MsnpConnection> {
  const c = rst2For(email, 'secret');
  const { ticket, secret } = await ssoToken(t, c);
  const conn = await MsnpConnection.connect(HOST, t.ns);
  await conn.request('VER', [`MSNP${version}`, 'CVR0']);
  await conn.request('CVR', [...CVR, email]);
  const usr = await conn.request('USR', ['SSO', 'I', email]);
  const nonce = usr.args[4]!;
  const ok = await conn.request('USR', ['SSO', 'S', ticket, computeSsoResponse(secret, nonce)]);
  assert.equal(ok.args[1], 'OK');
  await conn.expect('MSG'); // the profile
  await conn.request('ADL', [], '<ml l="1"/>');
  await conn.request('CHG', [status, '0', '0']);
  return conn;
}

/** The Mail-Data header of the next `MSG Hotmail Hotmail` of this content type. */
async function mailData(conn: MsnpConnection, type: string): Promise<string> {
  const m = await conn.expect('MSG', 5000, (r) => (r.payload?.toString('utf8') ?? '').includes(type));
  return /^Mail-Data: (.*)$/m.exec(m.payload!.toString('utf8'))![1]!.replace(/\r$/, '');
}

const body = (r: { body: Buffer }) => r.body.toString('utf8');

describe('offline messages', () => {
  let t: TestServer;
  let https: number;
  let n = 0;
  /** Fresh accounts, password "secret", and their tokens. */
  async function people(count: number): Promise<{ email: string; oim: string; rsi: string; contacts: string }[]> {
    const out = [];
    for (let i = 0; i < count; i++) {
      const email = `oim${++n}@example.com`;
      await t.user(email, 'secret', `Person ${n}`);
      const tk = await rst2Tokens(https, email, 'secret');
      out.push({ email, oim: tk['messengersecure.live.com']!, rsi: tk['messenger.msn.com']!, contacts: tk['contacts.msn.com']! });
    }
    return out;
  }
  const send = (o: StoreOptions) => storeWithChallenge(https, o);
  const metadata = async (ticket: string) => {
    const r = await rsi(https, 'GetMetadata', ticket);
    assert.equal(r.status, 200, body(r));
    return mdEntries(body(r));
  };

  before(async () => {
    t = await startTestServer(ON);
    https = t.server.ports.https!;
  });
  after(() => t.stop());

  test('Store2 as Pidgin sends it: a fault whose detail is only LockKeyChallenge, then success with the answer; the lock key serves later messages', async () => {
    const [a, b] = await people(2);
    const first = await oimStore(https, { from: a!.email, to: b!.email, ticket: a!.oim, text: 'first', seq: 1 });
    assert.equal(first.status, 500);
    const f = oimFault(first)!;
    assert.equal(f.code, 'q0:AuthenticationFailed');
    // COMPAT: MSNPSharp 3.2.1 takes the whole detail text as the challenge.
    assert.match(f.detail, /^<LockKeyChallenge[^>]*>\d{20}<\/LockKeyChallenge>$/);
    assert.match(body(first), /xmlns:q0="http:\/\/messenger\.msn\.com\/ws\/2004\/09\/oim\/"/);
    const lockkey = lockKeyFor(f.challenge!);
    const ok = await oimStore(https, { from: a!.email, to: b!.email, ticket: a!.oim, text: 'first', seq: 1, lockkey });
    assert.equal(ok.status, 200, body(ok));
    // MSNPSharp counts the message sent only when the range echoes its number.
    assert.match(body(ok), /<SequenceAcknowledgment xmlns="http:\/\/schemas\.xmlsoap\.org\/ws\/2003\/03\/rm">.*<AcknowledgmentRange Upper="1" Lower="1" \/>/);
    assert.match(body(ok), /<StoreResponse xmlns="http:\/\/messenger\.msn\.com\/ws\/2004\/09\/oim\/"><PointsConsumed>0<\/PointsConsumed><\/StoreResponse>/);
    // MSNPSharp's CRLF content and WLM 8.0's Store action, with the same lock key.
    const second = await oimStore(https, { from: a!.email, to: b!.email, ticket: a!.oim, text: 'second ünïcödé', seq: 2, lockkey, crlf: true, action: 'http://messenger.msn.com/ws/2004/09/oim/Store' });
    assert.equal(second.status, 200, body(second));
    const md = await metadata(b!.rsi);
    assert.deepEqual(md.map((m) => m.sender), [a!.email, a!.email]);
    for (const m of md) {
      assert.match(m.id, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
      assert.match(m.rt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      assert.equal(m.n, `=?utf-8?B?${Buffer.from('Person ' + a!.email.match(/\d+/)![0]).toString('base64')}?=`);
    }
    assert.equal(Buffer.from(messageResult(await rsi(https, 'GetMessage', b!.rsi, getMessage(md[1]!.id)))!.split('\n\n')[1]!, 'base64').toString('utf8'), 'second ünïcödé');
  });

  test('a wrong lock key gets a fresh challenge and stores nothing', async () => {
    const [a, b] = await people(2);
    const r = await oimStore(https, { from: a!.email, to: b!.email, ticket: a!.oim, lockkey: '0123456789abcdef0123456789abcdef' });
    const f = oimFault(r)!;
    assert.equal(f.code, 'q0:AuthenticationFailed');
    assert.ok(f.challenge);
    // An answer computed for another product id is wrong too.
    const other = await oimStore(https, { from: a!.email, to: b!.email, ticket: a!.oim, lockkey: lockKeyFor(f.challenge!, 'PROD0090YUAUV{2B') });
    assert.equal(oimFault(other)!.code, 'q0:AuthenticationFailed');
    assert.deepEqual(await metadata(b!.rsi), []);
  });

  test('tokens: none, garbage, or one for another service are q0:BadContextToken (store) and q0:AuthenticationFailed with RequiredAuthPolicy (RSI)', async () => {
    const [a, b] = await people(2);
    for (const ticket of ['', 't=garbage&p=', a!.contacts, a!.rsi]) {
      const r = await oimStore(https, { from: a!.email, to: b!.email, ticket });
      assert.equal(r.status, 500);
      assert.equal(oimFault(r)!.code, 'q0:BadContextToken', `store with ${ticket.slice(0, 12)}`);
    }
    for (const ticket of ['t=garbage&p=', a!.contacts, a!.oim]) {
      const r = await rsi(https, 'GetMetadata', ticket);
      const f = oimFault(r)!;
      assert.equal(f.code, 'q0:AuthenticationFailed');
      assert.match(f.detail, /<RequiredAuthPolicy[^>]*>MBI<\/RequiredAuthPolicy>/);
    }
  });

  test('an unknown recipient and one who blocks the sender get the same q0:SystemUnavailable; nothing is stored', async () => {
    const [a, b] = await people(2);
    const b7 = await t.login(b!.email, 7);
    await b7.conn.request('ADD', ['BL', a!.email, a!.email]);
    b7.close();
    const blocked = await send({ from: a!.email, to: b!.email, ticket: a!.oim });
    assert.equal(oimFault(blocked.res)!.code, 'q0:SystemUnavailable');
    const unknown = await send({ from: a!.email, to: 'nobody-here@example.com', ticket: a!.oim });
    assert.equal(oimFault(unknown.res)!.code, 'q0:SystemUnavailable');
    assert.equal(oimFault(unknown.res)!.detail, oimFault(blocked.res)!.detail);
    assert.deepEqual(await metadata(b!.rsi), []);
  });

  test('a recipient signed in hidden, or online: accepted, and the MSNP15 client gets text/x-msmsgsoimnotification naming it', async () => {
    const [a, b, c] = await people(3);
    const hidden = await ssoSignIn(t, b!.email, 15, 'HDN');
    const online = await ssoSignIn(t, c!.email, 15, 'NLN');
    try {
      await mailData(hidden, 'initialmdatanotification');
      await mailData(online, 'initialmdatanotification');
      for (const [who, conn] of [[b!, hidden], [c!, online]] as const) {
        const r = await send({ from: a!.email, to: who.email, ticket: a!.oim, text: 'are you there?' });
        assert.equal(r.res.status, 200, body(r.res));
        const md = await mailData(conn, 'text/x-msmsgsoimnotification');
        const [entry] = mdEntries(md);
        assert.equal(entry!.sender, a!.email);
        assert.deepEqual((await metadata(who.rsi)).map((m) => m.id), [entry!.id]);
      }
    } finally {
      hidden.destroy();
      online.destroy();
    }
  });

  test('malformed XML, unreadable Content, a MessageType other than text: SOAP faults, nothing stored', async () => {
    const [a, b] = await people(2);
    const { lockkey } = await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'ok' });
    const bad = await post(https, 'ows.messenger.msn.com', '/OimWS/oim.asmx', 'http://messenger.live.com/ws/2006/09/oim/Store2', '<soap:Envelope><soap:Body><Content>');
    assert.equal(bad.status, 500);
    assert.equal(oimFault(bad)!.code, 'soap:Client');
    for (const content of ['no headers and no blank line', 'Content-Transfer-Encoding: base64\n\n!!!not base64!!!', 'Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n/w==']) {
      const r = await oimStore(https, { from: a!.email, to: b!.email, ticket: a!.oim, lockkey, content, seq: 9 });
      assert.equal(oimFault(r)?.code, 'q0:InvalidContent', content);
    }
    const dtd = await post(https, 'ows.messenger.msn.com', '/OimWS/oim.asmx', 'http://messenger.live.com/ws/2006/09/oim/Store2', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>');
    assert.equal(oimFault(dtd)!.code, 'soap:Client');
    assert.equal((await metadata(b!.rsi)).length, 1);
  });

  test('a Store repeated after a lost answer (same run id and sequence number) is stored once', async () => {
    const [a, b] = await people(2);
    const o = { from: a!.email, to: b!.email, ticket: a!.oim, text: 'once', seq: 5, runId: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE' };
    const { lockkey } = await send(o);
    const again = await oimStore(https, { ...o, lockkey });
    assert.equal(again.status, 200);
    assert.match(body(again), /AcknowledgmentRange Upper="5" Lower="5"/);
    assert.equal((await metadata(b!.rsi)).length, 1);
  });

  test('UUM from MSNP18 (Dest-Agent: client) is stored; the MSNP15 recipient sees it in the sign-in Mail-Data and reads and deletes it over RSI', async () => {
    const [a, b] = await people(2);
    const a18 = await ssoSignIn(t, a!.email, 18);
    try {
      const payload = 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nX-MMS-IM-Format: FN=Arial; EF=; CO=000000; CS=0; PF=22\r\nDest-Agent: client\r\n\r\nhi from WLM 2009 ✓';
      a18.send('UUM', [b!.email, '1', '1'], payload);
      // Commands run in order: once PNG is answered, the UUM has committed.
      a18.send('PNG');
      await a18.expect('QNG');
      assert.deepEqual(a18.take((r) => /^\d{3}$/.test(r.verb)).map((r) => r.line), []);
      await assert.rejects(a18.request('UUM', ['nobody@example.com', '1', '1'], payload), code(509));
    } finally {
      a18.destroy();
    }
    const b15 = await ssoSignIn(t, b!.email, 15);
    try {
      const md = await mailData(b15, 'initialmdatanotification');
      assert.match(md, /^<MD><E>.*<\/E><Q>.*<\/Q><M><T>11<\/T><S>6<\/S><RT>[^<]+<\/RT><RS>0<\/RS><SZ>\d+<\/SZ><E>oim\d+@example\.com<\/E><I>[0-9A-F-]{36}<\/I><F>\.!!OIM<\/F><N>=\?utf-8\?B\?[A-Za-z0-9+/=]+\?=<\/N><SU> <\/SU><\/M><\/MD>$/);
      const [entry] = mdEntries(md);
      assert.equal(entry!.sender, a!.email);
      // COMPAT: MSNPSharp asks with the GUID in lower case without braces.
      const r = await rsi(https, 'GetMessage', b!.rsi, getMessage(entry!.id.toLowerCase()));
      assert.equal(r.status, 200, body(r));
      const text = messageResult(r)!;
      assert.equal(Buffer.byteLength(text), entry!.sz);
      assert.ok(!text.includes('\r'), 'LF line ends');
      const [head, b64] = text.split('\n\n') as [string, string];
      assert.match(head, new RegExp(`^From: =\\?utf-8\\?B\\?[A-Za-z0-9+/=]+\\?= <${a!.email.replace('.', '\\.')}>$`, 'm'));
      // COMPAT: Pidgin 2.11 scans "%d %s %d %d:%d:%d %s": no weekday.
      assert.match(head, /^Date: \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
      assert.match(head, /^Content-Transfer-Encoding: base64$/m);
      assert.match(head, /^Content-Type: text\/plain; charset=UTF-8$/m);
      assert.equal(Buffer.from(b64, 'base64').toString('utf8'), 'hi from WLM 2009 ✓');
      const braces = await rsi(https, 'GetMessage', b!.rsi, getMessage(`{${entry!.id.toLowerCase()}}`));
      assert.equal(braces.status, 200);
      const del = await rsi(https, 'DeleteMessages', b!.rsi, deleteMessages(entry!.id.toLowerCase()));
      assert.equal(del.status, 200, body(del));
      assert.deepEqual(await metadata(b!.rsi), []);
      assert.equal((await rsi(https, 'GetMessage', b!.rsi, getMessage(entry!.id))).status, 500);
    } finally {
      b15.destroy();
    }
  });

  test("one account never reads or deletes another's messages", async () => {
    const [a, b, c] = await people(3);
    await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'for b only' });
    const [entry] = await metadata(b!.rsi);
    const peek = await rsi(https, 'GetMessage', c!.rsi, getMessage(entry!.id));
    assert.equal(peek.status, 500);
    assert.ok(!body(peek).includes(Buffer.from('for b only').toString('base64')));
    // The sender cannot read it back either.
    assert.equal((await rsi(https, 'GetMessage', a!.rsi, getMessage(entry!.id))).status, 500);
    assert.equal((await rsi(https, 'DeleteMessages', c!.rsi, deleteMessages(entry!.id))).status, 200);
    assert.deepEqual((await metadata(c!.rsi)).length, 0);
    assert.deepEqual((await metadata(b!.rsi)).map((m) => m.id), [entry!.id]);
  });

  test('more than 25 waiting: Mail-Data says too-large and GetMetadata lists them all (as elements)', async () => {
    const [a, b, c] = await people(3);
    for (const [from, count] of [[a!, 13], [c!, 13]] as const) {
      let lockkey = '';
      for (let i = 1; i <= count; i++) {
        const r = i === 1 ? await send({ from: from.email, to: b!.email, ticket: from.oim, seq: i, text: `m${i}` }) : { res: await oimStore(https, { from: from.email, to: b!.email, ticket: from.oim, seq: i, text: `m${i}`, lockkey }), lockkey };
        lockkey = r.lockkey;
        assert.equal(r.res.status, 200, body(r.res));
      }
    }
    const b15 = await ssoSignIn(t, b!.email, 15);
    try {
      assert.equal(await mailData(b15, 'initialmdatanotification'), 'too-large');
    } finally {
      b15.destroy();
    }
    const r = await rsi(https, 'GetMetadata', b!.rsi);
    assert.match(body(r), /<GetMetadataResponse xmlns="http:\/\/www\.hotmail\.msn\.com\/ws\/2004\/09\/oim\/rsi"><MD><E>/);
    assert.equal(mdEntries(body(r)).length, 26);
  });

  test('every captured OIM/RSI request replayed (MSNPSharp 3.2.1 GetMessage, DeleteMessages) with a token and an id of ours', async () => {
    const [a, b] = await people(2);
    await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'captured' });
    const [entry] = await metadata(b!.rsi);
    const reqs = capturedOimRequests(FIXTURES);
    assert.ok(reqs.length >= 2);
    const t1 = /(?:^|&)t=([^&]*)/.exec(b!.rsi)![1]!;
    for (const r of reqs) {
      const res = await post(https, r.host, r.path, r.soapaction, r.body.replace('{ticket}', t1.replace(/&/g, '&amp;')).replace('{message-id}', entry!.id.toLowerCase()));
      assert.equal(res.status, 200, `${r.client} line ${r.line}: ${body(res).slice(0, 300)}`);
      if (r.soapaction.includes('GetMessage')) assert.equal(Buffer.from(messageResult(res)!.split('\n\n')[1]!, 'base64').toString(), 'captured');
    }
    assert.deepEqual(await metadata(b!.rsi), []);
  });

  test('MSNP18 to MSNP7: at sign-in the sender rings the MSNP7 user, the message arrives in the switchboard, the sender leaves, and it is deleted', async () => {
    const [a, b] = await people(2);
    const a18 = await ssoSignIn(t, a!.email, 18);
    a18.send('UUM', [b!.email, '1', '1'], 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nDest-Agent: client\r\n\r\nsee you tomorrow');
    a18.send('PNG');
    await a18.expect('QNG');
    a18.destroy();
    await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'and bring the cake' });
    const b7 = await t.login(b!.email, 7);
    const { sb, roster } = await b7.acceptInvitation();
    assert.deepEqual(roster.map((r) => r.args[3]), [a!.email]);
    const texts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const m = await sb.receive();
      assert.equal(m.args[0], a!.email);
      const p = m.payload!.toString('utf8');
      assert.match(p, /^MIME-Version: 1\.0\r\nContent-Type: text\/plain; charset=UTF-8\r\n\r\n/);
      texts.push(p.split('\r\n\r\n')[1]!);
    }
    assert.deepEqual(texts, ['see you tomorrow', 'and bring the cake']);
    assert.equal((await sb.conn.expect('BYE')).args[0], a!.email);
    for (let i = 0; i < 200 && (await metadata(b!.rsi)).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(await metadata(b!.rsi), []);
    sb.conn.destroy();
    b7.close();
  });

  test('an MSN 7.5 (MSNP12) user online when the message is stored is rung at once and gets it', async () => {
    const [a, b] = await people(2);
    const b12 = await t.login(b!.email, 12);
    const stored = await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'right now' });
    assert.equal(stored.res.status, 200);
    const { sb, roster } = await b12.acceptInvitation();
    assert.equal(roster[0]!.args[3], a!.email);
    const m = await sb.receive();
    assert.equal(m.args[0], a!.email);
    assert.match(m.payload!.toString('utf8'), /\r\n\r\nright now$/);
    sb.conn.destroy();
    b12.close();
  });

  test('messages of a sender who blocks the MSNP7 recipient, or whom it blocks, are dropped at its sign-in instead of filling its box for good; nobody is rung', async () => {
    const core = t.server.core;
    for (const senderBlocks of [true, false]) {
      const [a, b] = await people(2);
      await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'one' });
      await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'two', seq: 2 });
      assert.equal((await metadata(b!.rsi)).length, 2);
      const [blocker, blocked] = senderBlocks ? [a!.email, b!.email] : [b!.email, a!.email];
      await core.contacts.add((await core.accounts.get(blocker))!.id, 'BL', blocked);
      const b7 = await t.login(b!.email, 7);
      for (let i = 0; i < 200 && (await metadata(b!.rsi)).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.deepEqual(await metadata(b!.rsi), [], senderBlocks ? 'the sender blocks the recipient' : 'the recipient blocks the sender');
      await b7.conn.request('PNG').catch(() => undefined);
      assert.deepEqual(b7.conn.take((r) => r.verb === 'RNG').map((r) => r.line), []);
      b7.close();
    }
  });

  test('an MSNP7 user who does not answer the ring keeps the message for the next sign-in', async () => {
    const [a, b] = await people(2);
    await send({ from: a!.email, to: b!.email, ticket: a!.oim, text: 'later' });
    const b7 = await t.login(b!.email, 7, { status: 'HDN' });
    // Hidden: nobody may ring it, the message waits.
    await b7.conn.request('PNG').catch(() => undefined);
    assert.equal(b7.conn.take((r) => r.verb === 'RNG').length, 0);
    assert.equal((await metadata(b!.rsi)).length, 1);
    // Visible again: now it is rung.
    await b7.setStatus('NLN');
    const { sb } = await b7.acceptInvitation();
    assert.match((await sb.receive()).payload!.toString('utf8'), /later$/);
    sb.conn.destroy();
    b7.close();
  });
});

describe('offline-message limits (MSNPD_OIM_*)', () => {
  let t: TestServer;
  let https: number;
  before(async () => {
    t = await startTestServer({ ...ON, MSNPD_OIM_MAX_BYTES: '100', MSNPD_OIM_MAX_PER_SENDER: '2', MSNPD_OIM_MAX_PER_RECIPIENT: '3' });
    https = t.server.ports.https!;
    for (const u of ['la', 'lb', 'lc', 'ld']) await t.user(`${u}@example.com`, 'secret');
  });
  after(() => t.stop());

  test('size: 100 bytes of text pass, 101 are q0:InvalidContent; per sender: the third is q0:SenderThrottleLimitExceeded; per recipient: the fourth is q0:SystemUnavailable', async () => {
    const tk = async (u: string) => (await rst2Tokens(https, `${u}@example.com`, 'secret'))['messengersecure.live.com']!;
    const [la, lc, ld] = [await tk('la'), await tk('lc'), await tk('ld')];
    const o = { from: 'la@example.com', to: 'lb@example.com', ticket: la };
    const big = await storeWithChallenge(https, { ...o, text: 'é'.repeat(50) + 'x', seq: 1 });
    assert.equal(oimFault(big.res)?.code, 'q0:InvalidContent');
    const lockkey = big.lockkey;
    assert.equal((await oimStore(https, { ...o, lockkey, text: 'é'.repeat(50), seq: 2 })).status, 200);
    assert.equal((await oimStore(https, { ...o, lockkey, text: 'two', seq: 3 })).status, 200);
    assert.equal(oimFault(await oimStore(https, { ...o, lockkey, text: 'three', seq: 4 }))?.code, 'q0:SenderThrottleLimitExceeded');
    assert.equal((await storeWithChallenge(https, { from: 'lc@example.com', to: 'lb@example.com', ticket: lc, text: 'c' })).res.status, 200);
    const full = await storeWithChallenge(https, { from: 'ld@example.com', to: 'lb@example.com', ticket: ld, text: 'd' });
    assert.equal(oimFault(full.res)?.code, 'q0:SystemUnavailable');
    // UUM is held to the same limits: 509.
    const d18 = await ssoSignIn(t, 'ld@example.com', 18);
    try {
      await assert.rejects(d18.request('UUM', ['lb@example.com', '1', '1'], 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nDest-Agent: client\r\n\r\nd'), code(509));
    } finally {
      d18.destroy();
    }
    const b = (await rst2Tokens(https, 'lb@example.com', 'secret'))['messenger.msn.com']!;
    assert.equal(mdEntries(body(await rsi(https, 'GetMetadata', b))).length, 3);
  });
});

describe('offline messages: expired tokens', () => {
  let offset = 0;
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ ...ON, MSNPD_SERVICE_TOKEN_TTL: '60', MSNPD_TICKET_TTL: '60' }, tempDir(), { clock: { now: () => Date.now() + offset } });
    await t.user('xa@example.com', 'secret');
    await t.user('xb@example.com', 'secret');
  });
  after(() => t.stop());

  test('an expired messengersecure or messenger.msn.com token is refused like an unknown one', async () => {
    const https = t.server.ports.https!;
    const a = await rst2Tokens(https, 'xa@example.com', 'secret');
    assert.equal((await storeWithChallenge(https, { from: 'xa@example.com', to: 'xb@example.com', ticket: a['messengersecure.live.com']!, text: 'in time' })).res.status, 200);
    assert.equal((await rsi(https, 'GetMetadata', a['messenger.msn.com']!)).status, 200);
    offset = 61_000;
    assert.equal(oimFault(await oimStore(https, { from: 'xa@example.com', to: 'xb@example.com', ticket: a['messengersecure.live.com']! }))?.code, 'q0:BadContextToken');
    assert.equal(oimFault(await rsi(https, 'GetMetadata', a['messenger.msn.com']!))?.code, 'q0:AuthenticationFailed');
  });
});

describe('offline messages across a restart', () => {
  test('a stored message is read after the server restarts on the same data', async () => {
    const dir = tempDir();
    let t = await startTestServer(ON, dir);
    await t.user('ra@example.com', 'secret');
    await t.user('rb@example.com', 'secret');
    const a = (await rst2Tokens(t.server.ports.https!, 'ra@example.com', 'secret'))['messengersecure.live.com']!;
    const stored = await storeWithChallenge(t.server.ports.https!, { from: 'ra@example.com', to: 'rb@example.com', ticket: a, text: 'still here' });
    assert.equal(stored.res.status, 200);
    await t.stop();
    t = await startTestServer(ON, dir);
    try {
      const b = (await rst2Tokens(t.server.ports.https!, 'rb@example.com', 'secret'))['messenger.msn.com']!;
      const [entry] = mdEntries(body(await rsi(t.server.ports.https!, 'GetMetadata', b)));
      const text = messageResult(await rsi(t.server.ports.https!, 'GetMessage', b, getMessage(entry!.id)))!;
      assert.equal(Buffer.from(text.split('\n\n')[1]!, 'base64').toString(), 'still here');
    } finally {
      await t.stop();
    }
  });
});

describe('offline messages: request rate', () => {
  let t: TestServer;
  before(async () => {
    // The core's clock stands still: no bucket refills between requests, however slow the machine.
    const frozen = Date.now();
    t = await startTestServer({ ...ON, MSNPD_SOAP_REQUEST_RATE: '1', MSNPD_SOAP_REQUEST_BURST: '2', MSNPD_OIM_MAX_PER_RECIPIENT: '3' }, tempDir(), { clock: { now: () => frozen } });
    await t.user('qa@example.com', 'secret');
    await t.user('qb@example.com', 'secret');
  });
  after(() => t.stop());

  test('the store shares the SOAP burst; RSI may fetch and delete a full box (2 × the per-recipient limit + 2) at once', async () => {
    const https = t.server.ports.https!;
    const a = await rst2Tokens(https, 'qa@example.com', 'secret');
    const first = await storeWithChallenge(https, { from: 'qa@example.com', to: 'qb@example.com', ticket: a['messengersecure.live.com']! });
    assert.equal(first.res.status, 200);
    assert.equal(oimFault(await oimStore(https, { from: 'qa@example.com', to: 'qb@example.com', ticket: a['messengersecure.live.com']!, lockkey: first.lockkey, seq: 2 }))?.code, 'q0:SenderThrottleLimitExceeded');
    const b = (await rst2Tokens(https, 'qb@example.com', 'secret'))['messenger.msn.com']!;
    for (let i = 0; i < 8; i++) assert.equal((await rsi(https, 'GetMetadata', b)).status, 200, `request ${i + 1}`);
    assert.equal(oimFault(await rsi(https, 'GetMetadata', b))?.code, 'q0:SenderThrottleLimitExceeded');
  });
});

describe('RSI and a ticket shown on the notification connection', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(ON);
    await t.user('rx12@example.com', 'secret');
    await t.user('rx13@example.com', 'secret');
  });
  after(() => t.stop());

  test('after USR TWN S on MSNP12 the RST messenger.msn.com ticket no longer opens RSI; on MSNP13 (WLM 8.0 reads OIMs with it) it still does', async () => {
    const https = t.server.ports.https!;
    for (const [email, version, open] of [['rx12@example.com', 12, false], ['rx13@example.com', 13, true]] as const) {
      const ticket = await ticketFor(t, email, 'secret', 'rst');
      assert.equal((await rsi(https, 'GetMetadata', ticket)).status, 200, `${email}: before the sign-in`);
      const ok = await signInWithTicket(t.ns, email, ticket, version);
      assert.equal(ok.args[1], 'OK');
      const after = await rsi(https, 'GetMetadata', ticket);
      if (open) assert.equal(after.status, 200, `MSNP${version}`);
      else assert.equal(oimFault(after)?.code, 'q0:AuthenticationFailed', `MSNP${version}`);
    }
  });
});
