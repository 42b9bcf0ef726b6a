// Address-book changes across fronts and versions (issue 13 items 3 and 4),
// against real servers over TCP and HTTPS: a change made by an MSNP7 client
// shows in ABFindAll and FindMembership, in full and as a delta, removals as
// `fDeleted` contacts and groups and `Deleted` members; a change by anyone
// (an MSNP7 client, SOAP, the CLI) pushes the ABCH `NOT` to a signed-in
// MSNP15 user in the form MSNPSharp 3.2.1 acts on; an ABContactAdd shows in
// an MSNP12 client's SYN and reaches the contact's MSNP12 client as ADC RL;
// pending and reverse entries behave as in MSNP10-12; `lastChange` survives
// a restart; a delta older than the tombstones kept gets "Full sync
// required"; faults are HTTP 500 on every address-book and sharing action.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { MsnpConnection } from '../src/client/connection.js';
import { cidDecimal, cidHex, cidValue } from '../src/core/cid.js';
import { computeSsoResponse } from '../src/core/sso-response.js';
import { accountMaker, addToFl } from './helpers/ns.js';
import { httpsRequest, type RawResponse } from './helpers/https.js';
import { HOST, runCli, sleep, startTestServer, tempDir, testEnv, type TestServer } from './helpers/server.js';
import { rst2For, ssoToken } from './helpers/sso.js';
import { ticketFor } from './helpers/tickets.js';
import { all, faultOf, parseTree, soapPost, text, type Tree } from './helpers/soap.js';

const AB = '/abservice/abservice.asmx';
const SHARING = '/abservice/SharingService.asmx';
const NS = 'http://www.msn.com/webservices/AddressBook';
const ZERO = '00000000-0000-0000-0000-000000000000';
const ENV = { MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_LOGIN_FAILURES_PER_IP: '1000' };
const CVR = ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', '8.5.1288.816', 'msmsgs'];

function envelope(ticket: string, inner: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>` +
    `<ABAuthHeader xmlns="${NS}"><ManagedGroupRequest>false</ManagedGroupRequest><TicketToken>${ticket.replace(/&/g, '&amp;')}</TicketToken></ABAuthHeader>` +
    `</soap:Header><soap:Body>${inner}</soap:Body></soap:Envelope>`
  );
}

function call(t: TestServer, ticket: string, action: string, inner: string, path = AB): Promise<RawResponse> {
  return soapPost(t, { path, action: `${NS}/${action}`, body: envelope(ticket, `<${action} xmlns="${NS}">${inner}</${action}>`) });
}

function ok(r: RawResponse): Tree {
  assert.equal(r.status, 200, r.body.toString('utf8').slice(0, 400));
  return parseTree(r.body.toString('utf8'));
}

/** ABFindAll as WLM 8.x sends it; with `since`, a delta request (MSNPSharp's form). */
async function findAll(t: TestServer, ticket: string, since?: string) {
  const d = since === undefined ? '<deltasOnly>false</deltasOnly><lastChange>0001-01-01T00:00:00.0000000-08:00</lastChange>' : `<deltasOnly>true</deltasOnly><lastChange>${since}</lastChange>`;
  const doc = ok(await call(t, ticket, 'ABFindAll', `<abId>${ZERO}</abId><abView>Full</abView>${d}`));
  const base = 'soap:Envelope/soap:Body/ABFindAllResponse/ABFindAllResult';
  return {
    lastChange: text(doc, `${base}/ab/lastChange`)!,
    contacts: all(doc, `${base}/contacts/Contact`).map((c) => ({
      guid: text(c, 'contactId')!,
      type: text(c, 'contactInfo/contactType')!,
      email: text(c, 'contactInfo/passportName')!,
      cid: text(c, 'contactInfo/CID')!,
      messenger: text(c, 'contactInfo/isMessengerUser') === 'true',
      deleted: text(c, 'fDeleted') === 'true',
      lastChange: text(c, 'lastChange')!,
      groups: all(c, 'contactInfo/groupIds/guid').map((g) => String(g['#text'] ?? g)),
    })),
    groups: all(doc, `${base}/groups/Group`).map((g) => ({ guid: text(g, 'groupId')!, name: text(g, 'groupInfo/name') ?? '', deleted: text(g, 'fDeleted') === 'true' })),
  };
}

/** FindMembership (Messenger); with `since`, a delta request. */
async function findMembership(t: TestServer, ticket: string, since?: string) {
  const d = since === undefined ? '' : `<deltasOnly>true</deltasOnly><lastChange>${since}</lastChange>`;
  const doc = ok(await call(t, ticket, 'FindMembership', `<serviceFilter><Types><ServiceType>Messenger</ServiceType></Types></serviceFilter><View>Full</View>${d}`, SHARING));
  const svc = 'soap:Envelope/soap:Body/FindMembershipResponse/FindMembershipResult/Services/Service';
  const members = all(doc, `${svc}/Memberships/Membership`).flatMap((m) =>
    all(m, 'Members/Member').map((x) => ({ role: text(m, 'MemberRole')!, email: text(x, 'PassportName')!, deleted: text(x, 'Deleted') === 'true', lastChanged: text(x, 'LastChanged')! })),
  );
  return { lastChange: text(doc, `${svc}/LastChange`)!, members };
}

const roles = (ms: { role: string; email: string; deleted: boolean }[]) => ms.map((m) => `${m.role} ${m.email}${m.deleted ? ' deleted' : ''}`).sort();

/** A whole MSNP15 sign-in as MSNPSharp 3.2.1 does it: RST2, USR SSO, BLP, the initial ADL, CHG. */
async function msnp15(t: TestServer, email: string): Promise<MsnpConnection> {
  const { ticket, secret } = await ssoToken(t, rst2For(email, 'secret'));
  const conn = await MsnpConnection.connect(HOST, t.ns);
  await conn.request('VER', ['MSNP15', 'CVR0']);
  await conn.request('CVR', [...CVR, email]);
  const usr = await conn.request('USR', ['SSO', 'I', email]);
  const nonce = /MBI_KEY_OLD (\S+)$/.exec(usr.line)![1]!;
  await conn.request('USR', ['SSO', 'S', ticket, computeSsoResponse(secret, nonce)]);
  await conn.expect('MSG');
  await conn.request('BLP', ['AL']);
  await conn.request('ADL', [], '<ml l="1"/>');
  await conn.request('CHG', ['NLN', '2147532844', '0']);
  await settle(conn);
  return conn;
}

/** Everything that arrived up to a PNG round trip (taken from the inbox). */
async function settle(conn: MsnpConnection) {
  conn.sendLine(['PNG']);
  await conn.expect('QNG');
  return conn.take();
}

const notParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false });

/** The fields MSNPSharp 3.2.1 checks before it acts on a NOT (NSMessageHandler.OnNOTReceived, NotificationMessage.ParseBytes). */
function readNot(payload: Buffer) {
  const n = (notParser.parse(payload.toString('utf8')) as Record<string, Record<string, unknown>>).NOTIFICATION!;
  const to = n.TO as Record<string, unknown>;
  const msg = n.MSG as Record<string, unknown>;
  const data = (notParser.parse(String(msg.BODY)) as Record<string, Record<string, string>>).NotificationData!;
  return {
    ver: n['@ver'],
    id: n['@id'],
    siteid: n['@siteid'],
    to: to['@name'],
    pid: String(to['@pid']),
    via: (to.VIA as Record<string, string>)['@agent'],
    msgId: msg['@id'],
    service: data.Service,
    cid: data.CID,
  };
}

describe('address-book changes across fronts and versions', () => {
  let t: TestServer;
  const users = accountMaker(() => t, 'abx');
  before(async () => {
    t = await startTestServer(ENV);
  });
  after(() => t.stop());

  test('CID: the RST spelling (hex) and the address-book spelling (signed decimal) denote one 64-bit number', () => {
    for (const id of [1, 10, 255, 4096, 2 ** 31 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      assert.equal(BigInt.asIntN(64, BigInt(`0x${cidHex(id)}`)), BigInt(cidDecimal(id)), `account ${id}`);
      assert.equal(BigInt(cidDecimal(id)), cidValue(id));
      assert.match(cidHex(id), /^[0-9a-f]+$/, 'bare hex, no 0x');
    }
  });

  test('an MSNP7 client adding an MSNP15 user: ADL 0 with the RL bit, then the ABCH NOT in the form MSNPSharp acts on, with the CID RST2 and ABFindAll give', async () => {
    const [owner, x] = await users(2);
    const conn = await msnp15(t, owner!);
    try {
      const x7 = await t.login(x!, 7);
      await addToFl(x7, owner!);
      const not = await conn.expect('NOT');
      // COMPAT: Pidgin 2.11 reads `NOT <length>` and skips the payload.
      assert.match(not.line, /^NOT \d+$/);
      const n = readNot(not.payload!);
      assert.equal(n.ver, undefined, 'no ver attribute (MSNPSharp ignores notifications with a type)');
      assert.deepEqual([n.id, n.siteid, n.to, n.via, n.msgId, n.service], ['0', '45705', owner, 'messenger', '0', 'ABCHInternal']);
      assert.match(n.pid, /^0x[0-9a-f]{8}:0x[0-9a-f]{8}$/);
      // The same CID in signed decimal as the address book's Me contact, and as RST2's hex credential.
      const ticket = await ticketFor(t, owner!, 'secret', 'rst');
      const me = (await findAll(t, ticket)).contacts.find((c) => c.type === 'Me')!;
      assert.equal(n.cid, me.cid);
      const c = rst2For(owner!, 'secret');
      const rst2 = await httpsRequest(t.server.ports.https!, { host: 'login.live.com', method: 'POST', path: c.path, headers: { 'Content-Type': c['content-type'] }, body: c.body });
      const hex = /<psf:credProperty Name="CID">([^<]*)</.exec(rst2.body.toString('utf8'))![1]!;
      assert.equal(BigInt.asIntN(64, BigInt(`0x${hex}`)), BigInt(n.cid));
      const rest = (await settle(conn)).map((r) => r.verb);
      assert.ok(!rest.includes('NOT'), 'one change, one NOT');
    } finally {
      conn.destroy();
    }
  });

  test('MSNP12 and MSNP7 sessions never get the ABCH NOT: an MSNP15 user adding them over SOAP reaches them as ADC 0 RL and ADD 0 RL', async () => {
    const [owner, x, y] = await users(3);
    const x12 = await t.login(x!, 12);
    const y7 = await t.login(y!, 7);
    const conn = await msnp15(t, owner!);
    try {
      const ticket = await ticketFor(t, owner!, 'secret', 'rst');
      ok(await call(t, ticket, 'ABContactAdd', contactAdd(x!)));
      ok(await call(t, ticket, 'ABContactAdd', contactAdd(y!)));
      assert.match((await x12.conn.expect('ADC')).line, new RegExp(`^ADC 0 RL N=${owner} F=\\S+$`));
      assert.match((await y7.conn.expect('ADD')).line, new RegExp(`^ADD 0 RL \\d+ ${owner} \\S+$`));
      const lines = [...(await settle(x12.conn)), ...(await settle(y7.conn))].map((r) => r.verb);
      assert.ok(!lines.includes('NOT'), lines.join(' '));
      // The SOAP change is the MSNP15 user's own: its session hears of it too.
      assert.ok((await conn.expect('NOT')).payload);
    } finally {
      conn.destroy();
    }
  });

  test('changes an MSNP7 client makes: in ABFindAll and FindMembership in full and as deltas; removals as fDeleted contacts and groups and Deleted members', async () => {
    const [a, b, c, d] = await users(4);
    const a7 = await t.login(a!, 7);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    await a7.conn.request('ADD', ['FL', d!, d!, '0']);
    const t0 = (await findAll(t, ticket)).lastChange;
    const m0 = (await findMembership(t, ticket)).lastChange;

    await a7.conn.request('ADG', ['Friends', '0']);
    await a7.conn.request('ADD', ['FL', b!, b!, '1']);
    await a7.conn.request('ADD', ['AL', b!, b!]);
    await a7.conn.request('ADD', ['BL', c!, c!]);

    const full = await findAll(t, ticket);
    const friends = full.groups.find((g) => g.name === 'Friends')!;
    const fb = full.contacts.find((x) => x.email === b)!;
    assert.deepEqual(fb.groups, [friends.guid]);
    assert.ok(full.contacts.some((x) => x.email === d), 'the full book has every contact');
    assert.ok(!full.contacts.some((x) => x.deleted), 'a full answer has no deleted entries');
    assert.deepEqual(roles((await findMembership(t, ticket)).members), [`Allow ${b}`, `Block ${c}`]);

    // Deltas since t0: what changed, and nothing else.
    const d1 = await findAll(t, ticket, t0);
    assert.ok(d1.lastChange > t0, `${d1.lastChange} > ${t0}`);
    assert.deepEqual(d1.contacts.map((x) => `${x.type} ${x.email}`).sort(), [`Me ${a}`, `Regular ${b}`]);
    assert.deepEqual(d1.groups.map((g) => g.name), ['Friends']);
    assert.ok(d1.contacts.every((x) => x.lastChange > t0));
    const dm1 = await findMembership(t, ticket, m0);
    assert.deepEqual(roles(dm1.members), [`Allow ${b}`, `Block ${c}`]);

    // Removals, made over MSNP7.
    const t1 = d1.lastChange;
    await a7.conn.request('REM', ['FL', b!]);
    await a7.conn.request('RMG', ['1']);
    await a7.conn.request('REM', ['BL', c!]);
    const d2 = await findAll(t, ticket, t1);
    const gone = d2.contacts.find((x) => x.email === b)!;
    assert.deepEqual([gone.guid, gone.deleted, gone.messenger], [fb.guid, true, false]);
    assert.ok(gone.lastChange > t1);
    assert.deepEqual(d2.groups, [{ guid: friends.guid, name: '', deleted: true }]);
    assert.ok(!d2.contacts.some((x) => x.email === d), 'unchanged contacts stay out of a delta');
    const dm2 = await findMembership(t, ticket, t1);
    // b is still allowed (its entry changed: it is listed again); c's block is gone.
    assert.deepEqual(roles(dm2.members), [`Allow ${b}`, `Block ${c} deleted`]);
    assert.ok(dm2.members.every((m) => m.lastChanged > t1), 'MSNPSharp applies a member only with a later LastChanged');

    // A full answer afterwards: b and the group are simply absent.
    const after = await findAll(t, ticket);
    assert.ok(!after.contacts.some((x) => x.email === b || x.deleted));
    assert.equal(after.groups.length, 0);
    // A delta with the newest time: nothing.
    const d3 = await findAll(t, ticket, d2.lastChange);
    assert.deepEqual(d3.contacts, []);
    assert.equal(d3.lastChange, d2.lastChange);
  });

  test('ABContactAdd: in the owner\'s MSNP12 SYN (FL and AL), in its deltas; the contact\'s list moves too', async () => {
    const [a, b] = await users(2);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const bTicket = await ticketFor(t, b!, 'secret', 'rst');
    const t0 = (await findAll(t, ticket)).lastChange;
    const bm0 = (await findMembership(t, bTicket)).lastChange;
    ok(await call(t, ticket, 'ABContactAdd', contactAdd(b!)));
    const a12 = await t.login(a!, 12, { sync: false });
    const syn = (await a12.sync(0)).lines.map((l) => l.line);
    assert.ok(syn.some((l) => new RegExp(`^LST N=${b} F=\\S+ C=[0-9a-f-]{36} 3 1$`).test(l)), syn.join('\n'));
    assert.deepEqual((await findAll(t, ticket, t0)).contacts.filter((x) => x.type === 'Regular').map((x) => x.email), [b]);
    // b's reverse and pending lists changed: b's own delta says so.
    assert.deepEqual(roles((await findMembership(t, bTicket, bm0)).members), [`Pending ${a}`, `Reverse ${a}`]);
  });

  test('pending and reverse lists as in MSNP10-12: added → Reverse and Pending; allowed → Pending deleted; removed → Reverse deleted', async () => {
    const [a, d] = await users(2);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const d7 = await t.login(d!, 7);
    const t0 = (await findMembership(t, ticket)).lastChange;
    await addToFl(d7, a!);
    const m1 = await findMembership(t, ticket, t0);
    assert.deepEqual(roles(m1.members), [`Pending ${d}`, `Reverse ${d}`]);

    // Accepting as MSNPSharp does (AddMember Allow) settles the pending entry, as ADC AL does on MSNP10-12.
    const member = `<serviceHandle><Id>1</Id><Type>Messenger</Type></serviceHandle><memberships><Membership><MemberRole>Allow</MemberRole><Members><Member xsi:type="PassportMember"><Type>Passport</Type><State>Accepted</State><PassportName>${d}</PassportName></Member></Members></Membership></memberships>`;
    ok(await call(t, ticket, 'AddMember', member, SHARING));
    const m2 = await findMembership(t, ticket, m1.lastChange);
    assert.deepEqual(roles(m2.members), [`Allow ${d}`, `Pending ${d} deleted`, `Reverse ${d}`]);
    const a12 = await t.login(a!, 12, { sync: false });
    const syn = (await a12.sync(0)).lines.map((l) => l.line);
    assert.ok(syn.includes(`LST N=${d} 10 1`), `RL|AL, no PL, as MSNP12 shows it:\n${syn.join('\n')}`);
    a12.conn.destroy();

    await d7.conn.request('REM', ['FL', a!]);
    const m3 = await findMembership(t, ticket, m2.lastChange);
    assert.deepEqual(roles(m3.members), [`Allow ${d}`, `Reverse ${d} deleted`]);
  });

  test('ABContactAdd from elsewhere and the CLI deleting the contact: NOT each time to the signed-in MSNP15 owner; the delta shows the deleted contact and memberships', async () => {
    const [a, z] = await users(2);
    const conn = await msnp15(t, a!);
    try {
      const ticket = await ticketFor(t, a!, 'secret', 'rst');
      ok(await call(t, ticket, 'ABContactAdd', contactAdd(z!)));
      assert.equal(readNot((await conn.expect('NOT')).payload!).to, a);
      await settle(conn);
      const t1 = (await findAll(t, ticket)).lastChange;
      const m1 = (await findMembership(t, ticket)).lastChange;
      const r = await runCli(['user', 'delete', z!], testEnv(t.dir));
      assert.equal(r.code, 0, r.stderr);
      // The running server learns of it from the admin feed.
      const not = await conn.expect('NOT', 15000);
      assert.equal(readNot(not.payload!).service, 'ABCHInternal');
      const d = await findAll(t, ticket, t1);
      assert.deepEqual(d.contacts.filter((x) => x.type === 'Regular').map((x) => `${x.email} ${x.deleted}`), [`${z} true`]);
      assert.deepEqual(roles((await findMembership(t, ticket, m1)).members), [`Allow ${z} deleted`]);
    } finally {
      conn.destroy();
    }
  });

  test('faults are HTTP 500 on every address-book and sharing action (MSNPSharp raises SOAP faults from them; Pidgin reads the body whatever the status); RST2 refusals stay 200', async () => {
    const actions: [string, string[]][] = [
      [AB, ['ABFindAll', 'ABFindContactsPaged', 'ABContactAdd', 'ABContactDelete', 'ABContactUpdate', 'ABGroupAdd', 'ABGroupDelete', 'ABGroupUpdate', 'ABGroupContactAdd', 'ABGroupContactDelete', 'UpdateDynamicItem', 'AddDynamicItem', 'ABAdd']],
      [SHARING, ['FindMembership', 'AddMember', 'DeleteMember']],
    ];
    for (const [path, names] of actions) {
      for (const name of names) {
        const r = await call(t, 't=not-a-ticket&p=', name, '', path);
        assert.equal(r.status, 500, `${name}: ${r.body.toString('utf8').slice(0, 200)}`);
        assert.equal(faultOf(r)?.errorcode, 'PassportAuthFail', name);
      }
    }
    const [a] = await users(1);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const unknown = await call(t, ticket, 'ABFindEverything', '');
    assert.equal(unknown.status, 500);
    assert.equal(faultOf(unknown)?.errorcode, 'UnknownAction');
    const bad = rst2For(a!, 'wrong');
    const rst2 = await httpsRequest(t.server.ports.https!, { host: 'login.live.com', method: 'POST', path: bad.path, headers: { 'Content-Type': bad['content-type'] }, body: bad.body });
    assert.equal(rst2.status, 200);
    assert.match(rst2.body.toString('utf8'), /<S:Fault>/);
  });

  test("a contact's name with characters XML 1.0 forbids (PRP MFN %01) leaves the owner's ABFindAll and FindMembership well-formed", async () => {
    const [a, b] = await users(2);
    const bob = await t.login(b!, 12);
    try {
      await bob.conn.request('PRP', ['MFN', 'Bo%01b%0B%1F']);
      // b on a's forward and allow lists (and a's own name too: the Me contact).
      await t.server.core.contacts.add((await t.server.core.accounts.get(a!))!.id, 'FL', b!);
      await t.server.core.contacts.add((await t.server.core.accounts.get(a!))!.id, 'AL', b!);
      const ticket = await ticketFor(t, a!, 'secret', 'rst');
      for (const r of [
        await call(t, ticket, 'ABFindAll', `<abId>${ZERO}</abId><abView>Full</abView><deltasOnly>false</deltasOnly>`),
        await call(t, ticket, 'FindMembership', '<serviceFilter><Types><ServiceType>Messenger</ServiceType></Types></serviceFilter><View>Full</View>', SHARING),
      ]) {
        const xml = ok(r) && r.body.toString('utf8');
        assert.ok(xml.includes('Bob'), xml);
        // MSXML, .NET's XmlReader and libxml refuse the whole document over one of these.
        assert.doesNotMatch(xml, /[\x00-\x08\x0B\x0C\x0E-\x1F]/, 'no character XML 1.0 forbids');
      }
    } finally {
      bob.close();
    }
  });
});

function contactAdd(email: string): string {
  return (
    `<abId>${ZERO}</abId><contacts><Contact><contactInfo><contactType>Regular</contactType><passportName>${email}</passportName><isMessengerUser>true</isMessengerUser></contactInfo></Contact></contacts>` +
    `<options><EnableAllowListManagement>true</EnableAllowListManagement></options>`
  );
}

describe('address-book times across restarts and the tombstone window', () => {
  test('lastChange survives a restart unchanged and moves on strictly after it; a delta from before the restart has only the later change', async () => {
    const dir = tempDir();
    let t = await startTestServer(ENV, dir);
    const [a, b, c] = ['r1@example.com', 'r2@example.com', 'r3@example.com'];
    let l1: string;
    try {
      for (const e of [a, b, c]) await t.user(e, 'secret');
      const a7 = await t.login(a, 7);
      await a7.conn.request('ADD', ['FL', b, b, '0']);
      l1 = (await findAll(t, await ticketFor(t, a, 'secret', 'rst'))).lastChange;
    } finally {
      await t.stop();
    }
    t = await startTestServer(ENV, dir);
    try {
      const ticket = await ticketFor(t, a, 'secret', 'rst');
      assert.equal((await findAll(t, ticket)).lastChange, l1);
      assert.deepEqual((await findAll(t, ticket, l1)).contacts, []);
      const a7 = await t.login(a, 7);
      await a7.conn.request('ADD', ['FL', c, c, '0']);
      const d = await findAll(t, ticket, l1);
      assert.ok(d.lastChange > l1, `${d.lastChange} > ${l1}`);
      assert.deepEqual(d.contacts.filter((x) => x.type === 'Regular').map((x) => x.email), [c]);
    } finally {
      await t.stop();
    }
  });

  test('a delta from before a forgotten removal: "Full sync required" (soap:Client, FullSyncRequired, HTTP 500); later deltas are answered', async () => {
    // Tombstones kept 0 days: each new removal forgets the older ones.
    const t = await startTestServer({ ...ENV, MSNPD_AB_TOMBSTONE_DAYS: '0' });
    try {
      const [a, b, c] = ['p1@example.com', 'p2@example.com', 'p3@example.com'];
      for (const e of [a, b, c]) await t.user(e, 'secret');
      const a7 = await t.login(a, 7);
      for (const e of [b, c]) await a7.conn.request('ADD', ['FL', e, e, '0']);
      const ticket = await ticketFor(t, a, 'secret', 'rst');
      const t0 = (await findAll(t, ticket)).lastChange;
      await a7.conn.request('REM', ['FL', b]);
      const t1 = (await findAll(t, ticket)).lastChange;
      // The clock must move past b's removal for it to be older than "now" (not a timing assertion).
      await sleep(20);
      await a7.conn.request('REM', ['FL', c]);
      for (const [path, action, inner] of [
        [AB, 'ABFindAll', `<abId>${ZERO}</abId><abView>Full</abView><deltasOnly>true</deltasOnly><lastChange>${t0}</lastChange>`],
        [SHARING, 'FindMembership', `<serviceFilter><Types><ServiceType>Messenger</ServiceType></Types></serviceFilter><View>Full</View><deltasOnly>true</deltasOnly><lastChange>${t0}</lastChange>`],
      ] as const) {
        const r = await call(t, ticket, action, inner, path);
        assert.equal(r.status, 500, action);
        const f = faultOf(r)!;
        assert.equal(f.faultcode, 'soap:Client');
        assert.equal(f.errorcode, 'FullSyncRequired');
        // COMPAT: MSNPSharp 3.2.1 matches the faultstring text.
        assert.match(f.faultstring, /Full sync required/);
      }
      const d = await findAll(t, ticket, t1);
      assert.deepEqual(d.contacts.filter((x) => x.type === 'Regular').map((x) => `${x.email} ${x.deleted}`), [`${c} true`]);
      assert.ok((await findAll(t, ticket)).contacts.every((x) => x.type === 'Me'));
    } finally {
      await t.stop();
    }
  });
});

