// MSNP16-18 on the notification server (issue 13, behind
// MSNPD_EXPERIMENTAL_MSNP13) against a real server over TCP and HTTPS: the
// machine GUID in both clients' forms, endpoint data (UUX EndpointData and
// PrivateEndpointData, the own UBX), presence and UBX across MSNP18, MSNP16,
// MSNP12 and MSNP7, USR SHA A, UUN sign-out, circle ADLs, error lines with a
// payload length, and every refusal. The sign-in itself: transcripts/msnp18.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { MsnpConnection } from '../src/client/connection.js';
import { computeSsoResponse } from '../src/core/sso-response.js';
import { code, quiet } from './helpers/ns.js';
import { HOST, startTestServer, type TestServer } from './helpers/server.js';
import { rst2For, ssoToken } from './helpers/sso.js';

const PIDGIN_GUID = 'B5929066-5AAA-7E8D-3743-789D4C532D70';
const SHARP_GUID = '{99e0c157-5658-4eea-ab70-c308835176c7}';
/** A circle ticket as the clients send it (base64 of a SignedTicket). */
const CIRCLE_TICKET = Buffer.from('<SignedTicket ver="1"><Data>MQ==</Data><Sig></Sig></SignedTicket>').toString('base64');

/** VER (MSNPSharp 3.2.1's offer, or another), CVR, USR SSO I/S with this GUID; resolves after the profile message. */
async function signIn(t: TestServer, email: string, guid: string | undefined, version = 18): Promise<MsnpConnection> {
  const { ticket, secret } = await ssoToken(t, rst2For(email, 'secret'));
  const conn = await MsnpConnection.connect(HOST, t.ns);
  const ver = await conn.request('VER', [`MSNP${version}`, 'CVR0']);
  assert.equal(ver.line, `VER ${ver.args[0]} MSNP${version}`);
  await conn.request('CVR', ['0x040c', 'winnt', '5.1', 'i386', 'MSNMSGR', '14.0.8064.0206', 'msmsgs', email]);
  const usr = await conn.request('USR', ['SSO', 'I', email]);
  const nonce = usr.args[4]!;
  const ok = await conn.request('USR', ['SSO', 'S', ticket, computeSsoResponse(secret, nonce), ...(guid ? [guid] : [])]);
  assert.equal(ok.line, `USR ${ok.args[0]} OK ${email} 1 0`);
  await conn.expect('MSG');
  conn.take();
  return conn;
}

/** Signed in, initial ADL of these contacts (FL+AL), first CHG; the burst is left in the inbox. */
async function online(t: TestServer, email: string, guid: string | undefined, contacts: string[], version = 18): Promise<MsnpConnection> {
  const conn = await signIn(t, email, guid, version);
  const cs = contacts.map((c) => `<c n="${c.split('@')[0]}" l="3" t="1"/>`).join('');
  assert.equal((await conn.request('ADL', [], contacts.length ? `<ml l="1"><d n="example.com">${cs}</d></ml>` : '<ml l="1"/>')).args[1], 'OK');
  await conn.request('CHG', ['NLN', version >= 16 ? '2684387616:2550273312' : '2684387616', '0']);
  return conn;
}

/** Everything that arrived up to a PNG round trip, taken from the inbox. */
async function drain(conn: MsnpConnection): Promise<{ line: string; payload: string }[]> {
  conn.sendLine(['PNG']);
  await conn.expect('QNG');
  return conn.take().map((r) => ({ line: r.line, payload: r.payload?.toString('utf8') ?? '' }));
}

describe('MSNP16-18 notification server (MSNPD_EXPERIMENTAL_MSNP13=on)', () => {
  let t: TestServer;
  let n = 0;
  /** Fresh accounts `<prefix>N@example.com`, password `secret`, named after the local part. */
  const fresh = async (prefix: string) => {
    const e = `${prefix}${++n}@example.com`;
    await t.user(e, 'secret', e.split('@')[0]);
    return e;
  };
  /** Mutual forward and allow lists between these accounts (as the SOAP side or an older client makes them). */
  const befriend = async (...emails: string[]) => {
    const core = t.server.core;
    for (const a of emails) {
      const id = (await core.accounts.get(a))!.id;
      for (const b of emails) {
        if (a === b) continue;
        await core.contacts.add(id, 'FL', b);
        await core.contacts.add(id, 'AL', b);
      }
    }
  };
  before(async () => {
    t = await startTestServer({ MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
  });
  after(() => t.stop());

  test("machine GUID: MSNPSharp's braced lower-case form is kept as sent in the own UBX", async () => {
    const a = await fresh('guid');
    const conn = await online(t, a, SHARP_GUID, []);
    try {
      await drain(conn);
      // MSNPSharp 3.2.1's captured EndpointData (UUX 79).
      await conn.request('UUX', [], '<EndpointData><Capabilities>2684387616:2550273312</Capabilities></EndpointData>');
      const ubx = await conn.expect('UBX');
      assert.equal(ubx.line, `UBX 1:${a} ${ubx.payload!.length}`);
      assert.match(ubx.payload!.toString('utf8'), /<EndpointData id="\{99e0c157-5658-4eea-ab70-c308835176c7\}"><Capabilities>2684387616:2550273312<\/Capabilities><\/EndpointData><PrivateEndpointData id="\{99e0c157-5658-4eea-ab70-c308835176c7\}">/);
    } finally {
      conn.destroy();
    }
  });

  for (const [what, guid] of [
    ['mismatched braces', '{B5929066-5AAA-7E8D-3743-789D4C532D70'],
    ['not a GUID', 'B5929066-5AAA-7E8D-3743'],
    ['an extra argument', `${PIDGIN_GUID} extra`],
  ] as const) {
    test(`machine GUID with ${what}: 911 and close`, async () => {
      const a = await fresh('badguid');
      const { ticket, secret } = await ssoToken(t, rst2For(a, 'secret'));
      const conn = await MsnpConnection.connect(HOST, t.ns);
      try {
        await conn.request('VER', ['MSNP18', 'CVR0']);
        await conn.request('CVR', ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', '8.5.1302', 'BC01', a]);
        const nonce = (await conn.request('USR', ['SSO', 'I', a])).args[4]!;
        await assert.rejects(conn.request('USR', ['SSO', 'S', ticket, computeSsoResponse(secret, nonce), ...guid.split(' ')]), code(911));
        await conn.closedByPeer();
      } finally {
        conn.destroy();
      }
    });
  }

  test('presence, names, personal messages and pictures across MSNP18, MSNP12 and MSNP7', async () => {
    const a18 = await fresh('x18-');
    const b12 = await fresh('x12-');
    const c7 = await fresh('x7-');
    await befriend(a18, b12, c7);
    const bob = await t.login(b12, 12);
    const carol = await t.login(c7, 7);
    await bob.conn.request('UUX', [], '<Data><PSM>gone fishing</PSM><CurrentMedia></CurrentMedia></Data>');
    await quiet(bob);
    await quiet(carol);
    const alice = await online(t, a18, PIDGIN_GUID, [b12, c7]);
    try {
      // The burst: NLN (never ILN) with 1: handles and caps:extcaps, each followed by the server-built UBX.
      const burst = await drain(alice);
      assert.ok(!burst.some((l) => l.line.startsWith('ILN')), JSON.stringify(burst));
      const nlnB = burst.find((l) => l.line.startsWith(`NLN NLN 1:${b12} `));
      assert.match(nlnB?.line ?? '', new RegExp(`^NLN NLN 1:${b12} ${b12.split('@')[0]} \\d+:0 0$`));
      assert.ok(burst.some((l) => l.line === `NLN NLN 1:${c7} ${c7.split('@')[0]} 0:0 0`), JSON.stringify(burst));
      const ubxB = burst.find((l) => l.line.startsWith(`UBX 1:${b12} `))!;
      assert.equal(ubxB.payload, `<Data><PSM>gone fishing</PSM><CurrentMedia></CurrentMedia><FriendlyName>${b12.split('@')[0]}</FriendlyName></Data>`);
      const ubxC = burst.find((l) => l.line.startsWith(`UBX 1:${c7} `))!;
      assert.equal(ubxC.payload, `<Data><PSM></PSM><CurrentMedia></CurrentMedia><FriendlyName>${c7.split('@')[0]}</FriendlyName></Data>`);
      // The older users see the MSNP18 user in their own forms.
      assert.equal((await bob.conn.expect('NLN', 5000, (r) => r.args[1] === a18)).line, `NLN NLN ${a18} ${a18.split('@')[0]} 2684387616`);
      assert.equal((await carol.conn.expect('NLN', 5000, (r) => r.args[1] === a18)).line, `NLN NLN ${a18} ${a18.split('@')[0]}`);
      // A personal message from MSNP18 reaches MSNP12 as written; MSNP7 has no such thing.
      const psm = `<Data><PSM>naïve café ☕</PSM><CurrentMedia></CurrentMedia><MachineGuid>${PIDGIN_GUID}</MachineGuid><DDP></DDP></Data>`;
      await alice.request('UUX', [], psm);
      assert.equal((await bob.conn.expect('UBX', 5000, (r) => r.args[0] === a18)).payload!.toString('utf8'), psm);
      // A name change (PRP MFN) reaches everyone in their forms; the MSNP18 user's own UBX follows its UUX.
      await alice.request('PRP', ['MFN', 'Zo%C3%AB%20the%20Tester%20%E2%9C%93']);
      assert.equal((await bob.conn.expect('NLN', 5000, (r) => r.args[1] === a18)).line, `NLN NLN ${a18} Zo%C3%AB%20the%20Tester%20%E2%9C%93 2684387616`);
      assert.equal((await carol.conn.expect('NLN', 5000, (r) => r.args[1] === a18)).line, `NLN NLN ${a18} Zo%C3%AB%20the%20Tester%20%E2%9C%93`);
      // A picture from MSNP12: NLN with the MSNObject, and the UBX's UserTileLocation is that NLN token.
      const obj = '%3Cmsnobj%20Creator%3D%22b%22%20Size%3D%2210%22%20Type%3D%223%22%20Location%3D%22x%22%20Friendly%3D%22AAA%3D%22%2F%3E';
      alice.take();
      await bob.conn.request('CHG', ['NLN', '1342177312', obj]);
      assert.equal((await alice.expect('NLN', 5000, (r) => r.args[1] === `1:${b12}`)).line, `NLN NLN 1:${b12} ${b12.split('@')[0]} 1342177312:0 ${obj}`);
      const withPicture = (await alice.expect('UBX', 5000, (r) => r.args[0] === `1:${b12}`)).payload!.toString('utf8');
      assert.ok(withPicture.includes(`<UserTileLocation>${obj}</UserTileLocation>`), withPicture);
      // A new personal message from MSNP12 (current media fields separated by backslash-0).
      const media = '<Data><PSM>back</PSM><CurrentMedia>\\0Music\\01\\0{0} - {1}\\0Song\\0Artist\\0</CurrentMedia></Data>';
      await bob.conn.request('UUX', [], media);
      const ubx = (await alice.expect('UBX', 5000, (r) => r.args[0] === `1:${b12}`)).payload!.toString('utf8');
      assert.ok(ubx.startsWith('<Data><PSM>back</PSM><CurrentMedia>\\0Music\\01\\0{0} - {1}\\0Song\\0Artist\\0</CurrentMedia><FriendlyName>'), ubx);
      // Status changes from MSNP7; sign-outs in the MSNP18 FLN form.
      await carol.conn.request('CHG', ['AWY']);
      assert.equal((await alice.expect('NLN', 5000, (r) => r.args[1] === `1:${c7}`)).line, `NLN AWY 1:${c7} ${c7.split('@')[0]} 0:0 0`);
      carol.conn.sendLine(['OUT']);
      assert.equal((await alice.expect('FLN')).line, `FLN 1:${c7} 0:0`);
      // The MSNP18 user's picture and away status reach MSNP12 (a new MSNObject with the same status too).
      const mine = '%3Cmsnobj%20Creator%3D%22a%22%20Size%3D%2210%22%20Type%3D%223%22%20Location%3D%22y%22%20Friendly%3D%22AAA%3D%22%2F%3E';
      await alice.request('CHG', ['NLN', '2684387616:2550273312', mine]);
      assert.equal((await bob.conn.expect('NLN', 5000, (r) => r.args[1] === a18)).line, `NLN NLN ${a18} Zo%C3%AB%20the%20Tester%20%E2%9C%93 2684387616 ${mine}`);
    } finally {
      alice.destroy();
    }
    assert.equal((await bob.conn.expect('FLN', 5000, (r) => r.args[0] === a18)).line, `FLN ${a18}`);
    bob.close();
  });

  test('MSNP18 watchers of an MSNP18 user get its EndpointData (UUX caps, else CHG caps) and MachineGuid, never its private data', async () => {
    const a = await fresh('ep-a');
    const b = await fresh('ep-b');
    await befriend(a, b);
    const bob = await online(t, b, SHARP_GUID, [a]);
    const alice = await online(t, a, PIDGIN_GUID, [b]);
    try {
      await drain(alice);
      const first = (await bob.expect('UBX', 5000, (r) => r.args[0] === `1:${a}`)).payload!.toString('utf8');
      assert.equal(
        first,
        `<Data><PSM></PSM><CurrentMedia></CurrentMedia><MachineGuid>{b5929066-5aaa-7e8d-3743-789d4c532d70}</MachineGuid><FriendlyName>${a.split('@')[0]}</FriendlyName>` +
          '<EndpointData id="{b5929066-5aaa-7e8d-3743-789d4c532d70}"><Capabilities>2684387616:2550273312</Capabilities></EndpointData></Data>',
      );
      // COMPAT: UUX endpoint caps may differ from CHG caps (client-quirks.md); watchers get the UUX ones.
      await alice.request('UUX', [], '<EndpointData><Capabilities>2416181284:00</Capabilities></EndpointData>');
      const second = (await bob.expect('UBX', 5000, (r) => r.args[0] === `1:${a}`)).payload!.toString('utf8');
      assert.match(second, /<EndpointData id="\{b5929066-5aaa-7e8d-3743-789d4c532d70\}"><Capabilities>2416181284:0<\/Capabilities><\/EndpointData><\/Data>$/);
      await alice.expect('UBX', 5000, (r) => r.args[0] === `1:${a}`);
      await alice.request('UUX', [], '<PrivateEndpointData><EpName>R&amp;D &#x2603;</EpName><Idle>true</Idle><ClientType>1</ClientType><State>AWY</State></PrivateEndpointData>');
      const own = (await alice.expect('UBX', 5000, (r) => r.args[0] === `1:${a}`)).payload!.toString('utf8');
      assert.match(own, /<PrivateEndpointData id="\{b5929066-5aaa-7e8d-3743-789d4c532d70\}"><EpName>R&amp;D ☃<\/EpName><Idle>true<\/Idle><ClientType>1<\/ClientType><State>AWY<\/State><\/PrivateEndpointData><\/Data>$/);
      // Bob got nothing for the private data.
      assert.ok(!(await drain(bob)).some((l) => l.payload.includes('PrivateEndpointData')));
    } finally {
      alice.destroy();
      bob.destroy();
    }
  });

  test('UBX text stays well-formed XML: a name with a control character, a reference to a forbidden character in EpName', async () => {
    const a = await fresh('xml-a');
    const b = await fresh('xml-b');
    await befriend(a, b);
    const bob = await t.login(b, 12);
    const alice = await online(t, a, PIDGIN_GUID, [b]);
    try {
      await drain(alice);
      await bob.conn.request('PRP', ['MFN', 'Bo%01b%20%3C%26%3E']);
      const ubx = (await alice.expect('UBX', 5000, (r) => r.args[0] === `1:${b}`)).payload!.toString('utf8');
      assert.ok(ubx.includes('<FriendlyName>Bob &lt;&amp;&gt;</FriendlyName>'), ubx);
      await alice.request('UUX', [], '<PrivateEndpointData><EpName>a&#1;b&#xFFFE;c</EpName></PrivateEndpointData>');
      const own = (await alice.expect('UBX', 5000, (r) => r.args[0] === `1:${a}`)).payload!.toString('utf8');
      assert.ok(own.includes('<EpName>abc</EpName>'), own);
    } finally {
      alice.destroy();
      bob.close();
    }
  });

  test("UBX: the PSM and media are escaped again, never copied raw (a comment, CDATA, an undefined entity or a forbidden character's reference cannot reach watchers)", async () => {
    const a = await fresh('psm-a');
    const b = await fresh('psm-b');
    await befriend(a, b);
    const alice = await online(t, a, PIDGIN_GUID, [b]);
    const bob = await online(t, b, SHARP_GUID, [a]);
    try {
      await drain(alice);
      for (const [doc, psm] of [
        ['<Data><!--<PSM>a & b</PSM>--></Data>', 'a &amp; b'],
        ['<Data><![CDATA[<PSM>&bogus;</PSM>]]></Data>', '&amp;bogus;'],
        ['<Data><PSM>x&#1;y</PSM><CurrentMedia>&#xFFFF;</CurrentMedia></Data>', 'xy'],
        ['<Data><PSM>1 &lt; 2 &amp;&amp; &apos;q&apos;</PSM></Data>', "1 &lt; 2 &amp;&amp; 'q'"],
      ]) {
        await bob.request('UUX', [], doc!);
        const ubx = (await alice.expect('UBX', 5000, (r) => r.args[0] === `1:${b}`)).payload!.toString('utf8');
        assert.equal(XMLValidator.validate(ubx), true, ubx);
        // Only the references esc() writes: nothing a watcher's parser would not know.
        assert.doesNotMatch(ubx, /&(?!amp;|lt;|gt;|quot;)/, ubx);
        assert.ok(ubx.startsWith(`<Data><PSM>${psm}</PSM><CurrentMedia></CurrentMedia>`), ubx);
      }
    } finally {
      alice.destroy();
      bob.destroy();
    }
  });

  test("the pushed ADL 0 (someone added the user) carries the adder's name without characters XML 1.0 forbids", async () => {
    const a = await fresh('adl-a');
    const b = await fresh('adl-b');
    const alice = await online(t, a, PIDGIN_GUID, []);
    const bob = await t.login(b, 12);
    try {
      await drain(alice);
      await bob.conn.request('PRP', ['MFN', 'Bo%01b%1F%20%22%26']);
      await bob.conn.request('ADC', ['FL', `N=${a}`, `F=${a}`]);
      const adl = await alice.expect('ADL', 5000, (r) => r.args[0] === '0');
      const ml = adl.payload!.toString('utf8');
      assert.equal(XMLValidator.validate(ml), true, ml);
      assert.doesNotMatch(ml, /[\x00-\x08\x0B\x0C\x0E-\x1F]/, ml);
      assert.ok(ml.includes(' f="Bob &quot;&amp;"'), ml);
    } finally {
      alice.destroy();
      bob.close();
    }
  });

  test('MSNP16: ILN burst with network id and caps:extcaps, UBX `email 1`, FLN `email 1 0:0`', async () => {
    const a = await fresh('v16-a');
    const b = await fresh('v16-b');
    await befriend(a, b);
    const bob = await t.login(b, 12);
    const alice = await online(t, a, PIDGIN_GUID, [b], 16);
    try {
      const burst = await drain(alice);
      assert.ok(burst.some((l) => new RegExp(`^ILN \\d+ NLN ${b} 1 ${b.split('@')[0]} \\d+:0 0$`).test(l.line)), JSON.stringify(burst));
      assert.ok(burst.some((l) => l.line.startsWith(`UBX ${b} 1 `)), JSON.stringify(burst));
      bob.conn.sendLine(['OUT']);
      assert.equal((await alice.expect('FLN')).line, `FLN ${b} 1 0:0`);
    } finally {
      alice.destroy();
    }
  });

  test('USR SHA A: `USR t OK email 1 0` each time (MSNPSharp sends it after every sync); malformed 201; older versions 207; the connection stays', async () => {
    const a = await fresh('sha');
    const conn = await signIn(t, a, SHARP_GUID);
    try {
      for (let i = 0; i < 4; i++) assert.equal((await conn.request('USR', ['SHA', 'A', CIRCLE_TICKET])).line, `USR ${conn.trid() - 1} OK ${a} 1 0`);
      await assert.rejects(conn.request('USR', ['SHA', 'A', 'not*base64']), code(201));
      await assert.rejects(conn.request('USR', ['SHA', 'B', CIRCLE_TICKET]), code(201));
      await assert.rejects(conn.request('USR', ['SHA', 'A']), code(201));
      await assert.rejects(conn.request('USR', ['SSO', 'I', a]), code(207));
      assert.equal((await conn.request('ADL', [], '<ml l="1"/>')).args[1], 'OK');
    } finally {
      conn.destroy();
    }
    const b = await fresh('sha15-');
    const c15 = await signIn(t, b, undefined, 15);
    try {
      await assert.rejects(c15.request('USR', ['SHA', 'A', CIRCLE_TICKET]), code(207));
      assert.equal((await c15.request('ADL', [], '<ml l="1"/>')).args[1], 'OK');
    } finally {
      c15.destroy();
    }
  });

  test('circle ADLs (network 9) are acknowledged and change nothing; a circle in the initial ADL too', async () => {
    const a = await fresh('circle');
    const conn = await signIn(t, a, SHARP_GUID);
    try {
      const circle = '<ml><d n="live.com"><c n="00000000-0000-0000-0009-0123456789ab" l="3" t="9"/></d></ml>';
      assert.equal((await conn.request('ADL', [], '<ml l="1"><d n="live.com"><c n="00000000-0000-0000-0009-0123456789ab" l="3" t="9"/></d></ml>')).args[1], 'OK');
      assert.equal((await conn.request('ADL', [], circle)).args[1], 'OK');
      assert.equal((await conn.request('RML', [], circle)).args[1], 'OK');
      const list = t.server.core.lists.peek((await t.server.core.accounts.get(a))!.id)!;
      assert.equal(list.contacts.size, 0);
    } finally {
      conn.destroy();
    }
  });

  test("FQY and ADL as MSNPSharp 3.2.1 sends them (captured forms), the new contact's NLN/UBX at once, pushed ADL 0 / RML 0", async () => {
    const a = await fresh('lists18-');
    const b = await fresh('lists12-');
    const bob = await t.login(b, 12);
    const alice = await online(t, a, SHARP_GUID, []);
    const local = b.split('@')[0]!;
    try {
      await drain(alice);
      const fqy = await alice.request('FQY', [], `<ml><d n="example.com"><c n="${local}" /></d></ml>`);
      assert.equal(fqy.payload!.toString('utf8'), `<ml><d n="example.com"><c n="${local}" t="1"/></d></ml>`);
      assert.equal((await alice.request('ADL', [], `<ml><d n="example.com"><c n="${local}" l="2" t="1" /></d></ml>`)).args[1], 'OK');
      assert.equal((await alice.request('ADL', [], `<ml><d n="example.com"><c n="${local}" l="1" t="1" /></d></ml>`)).args[1], 'OK');
      assert.match((await alice.expect('NLN', 5000, (r) => r.args[1] === `1:${b}`)).line, new RegExp(`^NLN NLN 1:${b} ${local} \\d+:0 0$`));
      assert.equal((await alice.expect('UBX')).line.split(' ')[1], `1:${b}`);
      // The MSNP12 user adds and removes the MSNP18 user: pushed with transaction id 0 and the RL bit.
      await bob.conn.request('ADC', ['FL', `N=${a}`, `F=${a}`]);
      const add = await alice.expect('ADL', 5000, (r) => r.args[0] === '0');
      assert.equal(add.payload!.toString('utf8'), `<ml><d n="example.com"><c n="${local}" t="1" l="8" f="${local}"/></d></ml>`);
      await bob.conn.request('REM', ['FL', (t.server.core.lists.peek((await t.server.core.accounts.get(b))!.id)!.byEmail(a)!.guid)!]);
      const rem = await alice.expect('RML', 5000, (r) => r.args[0] === '0');
      assert.equal(rem.payload!.toString('utf8'), `<ml><d n="example.com"><c n="${local}" t="1" l="8"/></d></ml>`);
    } finally {
      alice.destroy();
      bob.close();
    }
  });

  test('UUN 8 gtfo: UUN OK, OUT, closed; watchers see FLN', async () => {
    const a = await fresh('gtfo-a');
    const b = await fresh('gtfo-b');
    await befriend(a, b);
    const bob = await online(t, b, PIDGIN_GUID, [a]);
    const alice = await online(t, a, SHARP_GUID, [b]);
    try {
      await drain(bob);
      // MSNPSharp 3.2.1 SignoutFromEverywhere: the bare address.
      assert.equal((await alice.request('UUN', [a, 8], 'gtfo')).line, `UUN ${alice.trid() - 1} OK`);
      assert.equal((await alice.expect('OUT')).line, 'OUT');
      await alice.closedByPeer();
      assert.equal((await bob.expect('FLN')).line, `FLN 1:${a} 0:0`);
    } finally {
      alice.destroy();
      bob.destroy();
    }
  });

  test('UUN 4 goawyplzthxbye…: this endpoint (by GUID, either form) signs out; another GUID, another user or type: OK only, no UBN to anyone', async () => {
    const a = await fresh('goaway-a');
    const b = await fresh('goaway-b');
    await befriend(a, b);
    const bob = await online(t, b, PIDGIN_GUID, [a]);
    const alice = await online(t, a, SHARP_GUID, [b]);
    try {
      await drain(alice);
      await drain(bob);
      await alice.request('UUN', [`${a};{00000000-1111-2222-3333-444444444444}`, 4], 'goawyplzthxbye');
      await alice.request('UUN', [`1:${b}`, 3], 'INVITE MSNMSGR:x MSNSLP/1.0\r\n\r\n');
      await alice.request('UUN', [a, 4], 'hello');
      await alice.request('UUN', [a, 5], '1234;host');
      // Nothing reached Bob (never UBN/NFY/SDG to Pidgin 2.11), and Alice is still here.
      const bobGot = await drain(bob);
      assert.deepEqual(bobGot.filter((l) => /^(UBN|NFY|SDG|PUT|DEL|GET)\b/.test(l.line)), []);
      assert.deepEqual((await drain(alice)).filter((l) => l.line.startsWith('OUT')), []);
      // Pidgin's form of its own GUID (upper case, no braces) with MSNPSharp's suffix.
      await alice.request('UUN', [`${a};${SHARP_GUID.slice(1, -1).toUpperCase()}`, 4], 'goawyplzthxbye-nomorempop');
      assert.equal((await alice.expect('OUT')).line, 'OUT');
      await alice.closedByPeer();
    } finally {
      alice.destroy();
      bob.destroy();
    }
  });

  test('UUN refusals: a bad handle, type or GUID is 201; MSNP12 has no UUN (closed)', async () => {
    const a = await fresh('uunbad');
    const conn = await signIn(t, a, SHARP_GUID);
    try {
      await assert.rejects(conn.request('UUN', ['not-an-address', 8], 'gtfo'), code(201));
      await assert.rejects(conn.request('UUN', [`${a};{nope}`, 4], 'goawyplzthxbye'), code(201));
      await assert.rejects(conn.request('UUN', [a, 'x'], 'gtfo'), code(201));
      await assert.rejects(conn.request('UUN', [a, 3], 'x'.repeat(8193)), code(201));
      assert.equal((await conn.request('UUN', [a, 3], 'x'.repeat(8192))).args[1], 'OK');
    } finally {
      conn.destroy();
    }
    const b = await fresh('uun12-');
    const old = await t.login(b, 12);
    old.conn.sendLine(['UUN', 9, b, 8], 'gtfo');
    await old.conn.closedByPeer();
  });

  test('UUX refusals on MSNP18 are 201 and keep the connection: bad caps, Idle, ClientType, State, root, DTD; CHG with bad caps 201; MSNP15 has no extcaps', async () => {
    const a = await fresh('uux');
    const conn = await online(t, a, SHARP_GUID, []);
    try {
      await drain(conn);
      for (const doc of [
        '<EndpointData><Capabilities>12:x</Capabilities></EndpointData>',
        '<EndpointData><Capabilities>99999999999:1</Capabilities></EndpointData>',
        '<PrivateEndpointData><Idle>maybe</Idle></PrivateEndpointData>',
        '<PrivateEndpointData><ClientType>one</ClientType></PrivateEndpointData>',
        '<PrivateEndpointData><State>FLN</State></PrivateEndpointData>',
        `<PrivateEndpointData><EpName>${'x'.repeat(300)}</EpName></PrivateEndpointData>`,
        '<Other/>',
        '<Data><PSM>x</PSM></Data><Data/>',
        '<!DOCTYPE x [<!ENTITY a "b">]><Data><PSM>&a;</PSM></Data>',
        '<EndpointData><Capabilities>1:2',
      ]) {
        await assert.rejects(conn.request('UUX', [], doc), code(201), doc);
      }
      for (const caps of ['1:2:3', '1:', ':1', '4294967296:0', '1:4294967296']) {
        await assert.rejects(conn.request('CHG', ['NLN', caps, '0']), code(201), caps);
      }
      assert.equal((await conn.request('UUX', [], '<PrivateEndpointData/>')).args[1], '0');
    } finally {
      conn.destroy();
    }
    const b = await fresh('uux15-');
    const c15 = await signIn(t, b, undefined, 15);
    try {
      await assert.rejects(c15.request('CHG', ['NLN', '1:2', '0']), code(201));
      await assert.rejects(c15.request('UUX', [], '<EndpointData><Capabilities>1:2</Capabilities></EndpointData>'), code(201));
    } finally {
      c15.destroy();
    }
  });

  test('error lines: `<code> <trid> 0` on MSNP18 for the listed codes (MSNPSharp 3 reads a length), plain on MSNP12', async () => {
    const a = await fresh('err');
    const conn = await online(t, a, SHARP_GUID, []);
    try {
      await drain(conn);
      // A Yahoo! contact (network 32) outside the initial ADL: 204 with a length.
      const t1 = conn.send('ADL', [], '<ml><d n="yahoo.com"><c n="someone" l="1" t="32"/></d></ml>');
      assert.equal((await conn.waitFor((r) => r.args[0] === String(t1))).line, `204 ${t1} 0`);
      // Other codes are unchanged (208: no such account).
      const t2 = conn.send('ADL', [], '<ml><d n="example.com"><c n="nobody-here" l="1" t="1"/></d></ml>');
      assert.equal((await conn.waitFor((r) => r.args[0] === String(t2))).line, `208 ${t2}`);
      // Malformed <ml>: 241 with a length, and the connection closes.
      const t3 = conn.send('ADL', [], '<ml><d n="example.com"><c n="x" l="64" t="1"/></d></ml>');
      assert.equal((await conn.waitFor((r) => r.args[0] === String(t3))).line, `241 ${t3} 0`);
      await conn.closedByPeer();
    } finally {
      conn.destroy();
    }
    const b = await fresh('err12-');
    const old = await t.login(b, 12);
    const t4 = old.conn.send('ADC', ['FL', 'N=nobody-at-all@example.com', 'F=x']);
    assert.match((await old.conn.waitFor((r) => r.args[0] === String(t4))).line, new RegExp(`^20[58] ${t4}$`));
    old.close();
  });

  test('one endpoint per account: a second MSNP18 sign-in (another GUID) ends the first with OUT OTH', async () => {
    const a = await fresh('twice');
    const first = await online(t, a, SHARP_GUID, []);
    const second = await online(t, a, PIDGIN_GUID, []);
    try {
      assert.equal((await first.expect('OUT')).line, 'OUT OTH');
      await first.closedByPeer();
      await drain(second);
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  test('endpoint ids carry a random node part, so two processes never share one', async () => {
    const id = t.server.core.newEndpointId();
    assert.match(id, new RegExp(`^ep-${t.server.core.nodeId}-[0-9a-z]+$`));
    const other = await startTestServer({});
    try {
      assert.notEqual(other.server.core.nodeId, t.server.core.nodeId);
      assert.notEqual(other.server.core.newEndpointId(), t.server.core.newEndpointId());
    } finally {
      await other.stop();
    }
  });
});
