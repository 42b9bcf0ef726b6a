// The address book's and the sharing service's write actions over real HTTPS
// against a real server: every write request Pidgin 2.11 and MSNPSharp 3.2.1
// really sent (test/fixtures/soap/address-book-writes.jsonl), replayed in
// order as the account that sent it; each action's success and faults; and
// every change, once acknowledged, visible to MSNP7 and MSNP12 clients over TCP.
import { redirectTarget } from '../src/web/soap/redirector.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './helpers/server.js';
import { ticketFor } from './helpers/tickets.js';
import { accountMaker, addToFl } from './helpers/ns.js';
import type { RawResponse } from './helpers/https.js';
import { all, capturedRequests, faultOf, parseTree, replay, soapPost, text, withTicket, type CapturedRequest } from './helpers/soap.js';
import { LIST_BITS } from '../src/core/model.js';

const AB = '/abservice/abservice.asmx';
const SHARING = '/abservice/SharingService.asmx';
const NS = 'http://www.msn.com/webservices/AddressBook';
const ZERO = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface WriteRequest extends CapturedRequest {
  /** Which of the two accounts sent it. */
  as: 'alice' | 'bob';
  /** `ok`, or the fault's errorcode the request must get. */
  expect: string;
}

function envelope(ticket: string, inner: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>` +
    `<ABAuthHeader xmlns="${NS}"><ManagedGroupRequest>false</ManagedGroupRequest><TicketToken>${ticket.replace(/&/g, '&amp;')}</TicketToken></ABAuthHeader>` +
    `</soap:Header><soap:Body>${inner}</soap:Body></soap:Envelope>`
  );
}

const body = (r: RawResponse) => r.body.toString('utf8');

describe('address book and memberships: writes over SOAP', () => {
  let t: TestServer;
  const users = accountMaker(() => t, 'abw');
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  const idOf = async (email: string) => (await t.server.core.accounts.get(email))!.id;
  /** The owner's entry for `email` as stored (any list). */
  async function entry(owner: string, email: string) {
    const v = await t.server.core.contacts.syncView(await idOf(owner));
    return v.contacts.find((c) => c.email === email);
  }
  async function groups(owner: string) {
    return (await t.server.core.contacts.syncView(await idOf(owner))).groups.filter((g) => g.id !== 0);
  }

  /** One action for `ticket`'s account. */
  function ab(ticket: string, action: string, inner: string, path = AB): Promise<RawResponse> {
    return soapPost(t, { path, action: `${NS}/${action}`, body: envelope(ticket, `<${action} xmlns="${NS}">${inner}</${action}>`) });
  }
  const sharing = (ticket: string, action: string, inner: string) => ab(ticket, action, inner, SHARING);

  function ok(r: RawResponse, action: string): ReturnType<typeof parseTree> {
    assert.equal(r.status, 200, body(r).slice(0, 400));
    const doc = parseTree(body(r));
    assert.equal(all(doc, `soap:Envelope/soap:Body/${action}Response`).length, 1, body(r).slice(0, 400));
    assert.equal(all(doc, 'soap:Envelope/soap:Header/ServiceHeader').length, 1);
    return doc;
  }
  function fault(r: RawResponse, errorcode: string, faultstring?: RegExp) {
    assert.equal(r.status, 500, body(r).slice(0, 400));
    const f = faultOf(r);
    assert.ok(f, body(r).slice(0, 400));
    assert.equal(f.faultcode, 'soap:Client');
    assert.equal(f.errorcode, errorcode, f.faultstring);
    if (faultstring) assert.match(f.faultstring, faultstring);
  }

  const contactAdd = (email: string, allow = true) =>
    `<abId>${ZERO}</abId><contacts><Contact><contactInfo><contactType>Regular</contactType><passportName>${email}</passportName><isMessengerUser>true</isMessengerUser></contactInfo></Contact></contacts>` +
    `<options><EnableAllowListManagement>${allow}</EnableAllowListManagement></options>`;
  const member = (role: string, m: string) =>
    `<serviceHandle><Id>1</Id><Type>Messenger</Type></serviceHandle><memberships><Membership><MemberRole>${role}</MemberRole><Members>` +
    `<Member xsi:type="PassportMember"><Type>Passport</Type><State>Accepted</State>${m}</Member></Members></Membership></memberships>`;

  test("MSNPSharp's probe at the redirector names gets a 301 to the real host and is not run; the real call then adds once", async () => {
    const [a, b] = await users(2);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const inner = `<ABContactAdd xmlns="${NS}">${contactAdd(b!)}</ABContactAdd>`;
    for (const [host, path, target] of [
      ['byrdr.omega.contacts.msn.com', AB, 'contacts.msn.com'],
      ['BYRDR.omega.contacts.msn.com', SHARING, 'contacts.msn.com'],
      ['tkrdr.storage.msn.com', '/storageservice/SchematizedStore.asmx', 'storage.msn.com'],
    ] as const) {
      const r = await soapPost(t, { host, path, action: `${NS}/ABContactAdd`, body: envelope(ticket, inner) });
      assert.equal(r.status, 301, host);
      assert.equal(r.header('location'), `https://${target}${path}`);
      const doc = parseTree(body(r));
      assert.match(String(all(doc, 'soap:Envelope/soap:Body/soap:Fault/detail/CacheKey')[0]?.['#text'] ?? ''), /^12r1:/);
    }
    assert.equal(await entry(a!, b!), undefined, 'the probe added nothing');
    ok(await ab(ticket, 'ABContactAdd', contactAdd(b!)), 'ABContactAdd');
    assert.ok(await entry(a!, b!));
  });

  test('every captured write request, replayed in order as the account that sent it', async () => {
    const reqs = capturedRequests('address-book-writes.jsonl') as WriteRequest[];
    assert.ok(reqs.length >= 20, `fixtures: ${reqs.length}`);
    for (const client of ['pidgin-2.11', 'msnpsharp-3.2.1'] as const) {
      const [alice, bob] = await users(2);
      const acc = { alice: alice!, bob: bob! };
      const tickets = { alice: await ticketFor(t, alice!, 'secret', 'rst'), bob: await ticketFor(t, bob!, 'secret', 'rst') };
      for (const r of reqs.filter((x) => x.client === client)) {
        // Names the client learnt from earlier answers: the sender's entries' and groups' GUIDs.
        let b = r.body.replaceAll('{alice}', acc.alice).replaceAll('{bob}', acc.bob);
        for (const [ph, who] of [...b.matchAll(/\{guid:(alice|bob)\}/g)].map((m) => [m[0], m[1] as 'alice' | 'bob'] as const)) {
          b = b.replaceAll(ph, (await entry(acc[r.as], acc[who]))!.guid);
        }
        for (const [ph, name] of [...b.matchAll(/\{group:([^}]+)\}/g)].map((m) => [m[0], m[1]!] as const)) {
          b = b.replaceAll(ph, (await groups(acc[r.as])).find((g) => g.name === name)!.guid);
        }
        const res = await replay(t, { ...r, body: b }, tickets[r.as]);
        const where = `${client} line ${r.line} ${r.soapaction}`;
        if (r.expect === 'ok') {
          const action = /([A-Za-z]+)"?$/.exec(r.soapaction)![1]!;
          ok(res, action);
          assert.equal(text(parseTree(body(res)), 'soap:Envelope/soap:Header/ServiceHeader/PreferredHostName'), redirectTarget(r.host) ?? r.host, where);
        } else fault(res, r.expect);
      }
      // What the session left: each has the other on the forward and allow lists.
      for (const [owner, other] of [[alice!, bob!], [bob!, alice!]]) {
        const e = await entry(owner, other);
        assert.ok(e && e.lists & LIST_BITS.FL && e.lists & LIST_BITS.AL && e.lists & LIST_BITS.RL, `${client}: ${owner} has ${other} on FL, AL, RL`);
      }
      if (client === 'pidgin-2.11') {
        // ABGroupAdd + ABGroupContactAdd: each put the other in "Buddies"; ABContactUpdate of Me: the friendly name.
        for (const [owner, other] of [[alice!, bob!], [bob!, alice!]]) {
          const g = (await groups(owner)).find((x) => x.name === 'Buddies')!;
          assert.deepEqual((await entry(owner, other))!.groups, [g.id]);
        }
        assert.equal((await t.server.core.accounts.get(alice!))!.friendlyName, 'Zoë the Tester ✓');
      } else {
        // DeleteMember Pending/<guid>: bob has seen that alice added him.
        assert.equal((await entry(bob!, alice!))!.lists & LIST_BITS.PL, 0);
      }
    }
  });

  test('ABContactAdd commits before its answer: an MSNP12 SYN shows the contact, the added MSNP7 user gets ADD RL', async () => {
    const [a, b] = await users(2);
    const b7 = await t.login(b!, 7);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const doc = ok(await ab(ticket, 'ABContactAdd', contactAdd(b!)), 'ABContactAdd');
    const guid = text(doc, 'soap:Envelope/soap:Body/ABContactAddResponse/ABContactAddResult/guid')!;
    assert.match(guid, GUID);
    // The owner is not signed in over MSNP: the notice still names them.
    const rl = await b7.conn.waitFor((r) => r.verb === 'ADD' && r.args[1] === 'RL');
    assert.equal(rl.args[3], a!, rl.line);
    // The read side shows it too: the captured ABFindContactsPaged and FindMembership of MSNPSharp.
    const reads = capturedRequests().filter((r) => r.client === 'msnpsharp-3.2.1');
    const paged = parseTree(body(await replay(t, reads.find((r) => r.soapaction.includes('ABFindContactsPaged'))!, ticket)));
    const names = all(paged, 'soap:Envelope/soap:Body/ABFindContactsPagedResponse/ABFindContactsPagedResult/Contacts/Contact').map((c) => text(c, 'contactInfo/passportName'));
    assert.ok(names.includes(b!), names.join(' '));
    const fm = body(await replay(t, reads.find((r) => r.soapaction.includes('FindMembership'))!, ticket));
    assert.match(fm, new RegExp(`<MemberRole>Allow</MemberRole><Members><Member xsi:type="PassportMember"><MembershipId>${await idOf(b!)}</MembershipId>`));
    const a12 = await t.login(a!, 12, { sync: false });
    const syn = await a12.sync(0);
    const lst = syn.lines.find((l) => l.verb === 'LST' && l.args.includes(`N=${b}`));
    assert.ok(lst, syn.lines.map((l) => l.line).join('\n'));
    // FL + AL (EnableAllowListManagement) = 3, and the MSNP12 contact id is the SOAP contact id.
    assert.ok(lst.args.includes('3'), lst.line);
    assert.ok(lst.args.includes(`C=${guid}`), lst.line);
  });

  test('ABContactAdd faults: already there (with conflictObjectId), invalid address, no such account, another book, no contact', async () => {
    const [a, b] = await users(2);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const doc = ok(await ab(ticket, 'ABContactAdd', contactAdd(b!)), 'ABContactAdd');
    const guid = text(doc, 'soap:Envelope/soap:Body/ABContactAddResponse/ABContactAddResult/guid')!;
    const again = await ab(ticket, 'ABContactAdd', contactAdd(b!.toUpperCase()));
    // COMPAT: MSNPSharp 3.2.1 matches "Contact Already Exists" and reads conflictObjectId.
    fault(again, 'ContactAlreadyExists', /^Contact Already Exists$/);
    assert.match(body(again), new RegExp(`<conflictObjectId>${guid}</conflictObjectId>`));
    // MSNPSharp then fetches the conflicting contact by that id (ABFindByContacts); another id finds nothing.
    const byId = (id: string) => ab(ticket, 'ABFindByContacts', `<abId>${ZERO}</abId><abView>Full</abView><contactIds><guid>${id}</guid></contactIds>`);
    const found = ok(await byId(guid.toUpperCase()), 'ABFindByContacts');
    const contacts = all(found, 'soap:Envelope/soap:Body/ABFindByContactsResponse/ABFindByContactsResult/contacts/Contact');
    assert.deepEqual(contacts.map((c) => text(c, 'contactId')), [guid]);
    assert.equal(text(contacts[0]!, 'contactInfo/passportName'), b);
    assert.equal(all(ok(await byId('00000000-0000-0000-0000-00000000abcd'), 'ABFindByContacts'), 'soap:Envelope/soap:Body/ABFindByContactsResponse/ABFindByContactsResult/contacts/Contact').length, 0);
    fault(await ab(ticket, 'ABContactAdd', contactAdd('not an address')), 'BadEmailArgument');
    fault(await ab(ticket, 'ABContactAdd', contactAdd('nobody-here@example.com')), 'InvalidPassportUser');
    fault(await ab(ticket, 'ABContactAdd', contactAdd(b!).replace(ZERO, '00000000-0000-0000-0009-000000000001')), 'ABDoesNotExist', /Address Book Does Not Exist/);
    fault(await ab(ticket, 'ABContactAdd', `<abId>${ZERO}</abId><contacts />`), 'BadArgument');
    // Without EnableAllowListManagement the contact is on the forward list only.
    const [c] = await users(1);
    ok(await ab(ticket, 'ABContactAdd', contactAdd(c!, false)), 'ABContactAdd');
    assert.equal((await entry(a!, c!))!.lists & (LIST_BITS.FL | LIST_BITS.AL), LIST_BITS.FL);
  });

  test('ABContactDelete and ABContactUpdate: off the forward list (MSNP7 REM RL), isMessengerUser, Me name and annotations, unknown ids', async () => {
    const [a, b] = await users(2);
    const b7 = await t.login(b!, 7);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const guid = text(ok(await ab(ticket, 'ABContactAdd', contactAdd(b!)), 'ABContactAdd'), 'soap:Envelope/soap:Body/ABContactAddResponse/ABContactAddResult/guid')!;
    await b7.conn.waitFor((r) => r.verb === 'ADD' && r.args[1] === 'RL');
    const update = (inner: string) => ab(ticket, 'ABContactUpdate', `<abId>${ZERO}</abId><contacts><Contact>${inner}</Contact></contacts>`);
    // isMessengerUser false takes the contact off the forward list, true puts it back.
    ok(await update(`<contactId>${guid}</contactId><contactInfo><isMessengerUser>false</isMessengerUser></contactInfo><propertiesChanged>IsMessengerUser</propertiesChanged>`), 'ABContactUpdate');
    assert.equal((await entry(a!, b!))!.lists & LIST_BITS.FL, 0);
    await b7.conn.waitFor((r) => r.verb === 'REM' && r.args[1] === 'RL');
    ok(await update(`<contactId>${guid}</contactId><contactInfo><isMessengerUser>true</isMessengerUser></contactInfo><propertiesChanged>IsMessengerUser</propertiesChanged>`), 'ABContactUpdate');
    assert.ok((await entry(a!, b!))!.lists & LIST_BITS.FL);
    await b7.conn.waitFor((r) => r.verb === 'ADD' && r.args[1] === 'RL');
    // Me: display name and the privacy/prompt annotations, as MSNP BLP/GTC would set them.
    ok(
      await update(
        `<contactInfo><annotations><Annotation><Name>MSN.IM.BLP</Name><Value>0</Value></Annotation><Annotation><Name>MSN.IM.GTC</Name><Value>0</Value></Annotation></annotations>` +
          `<contactType>Me</contactType><displayName>Ann &amp; Co</displayName></contactInfo><propertiesChanged>DisplayName Annotation</propertiesChanged>`,
      ),
      'ABContactUpdate',
    );
    const me = await t.server.core.contacts.syncView(await idOf(a!));
    assert.equal(me.list.privacy, 'BL');
    assert.equal(me.list.addPrompt, 'N');
    assert.equal((await t.server.core.accounts.get(a!))!.friendlyName, 'Ann & Co');
    // Unknown contact ids.
    fault(await update(`<contactId>${ZERO.replace(/0$/, '1')}</contactId><contactInfo><displayName>x</displayName></contactInfo><propertiesChanged>DisplayName</propertiesChanged>`), 'ContactDoesNotExist');
    fault(await ab(ticket, 'ABContactDelete', `<abId>${ZERO}</abId><contacts><Contact><contactId>6f9619ff-8b86-d011-b42d-00c04fc964ff</contactId></Contact></contacts>`), 'ContactDoesNotExist');
    // Delete: off the forward list, b's MSNP7 client hears REM RL.
    ok(await ab(ticket, 'ABContactDelete', `<abId>${ZERO}</abId><contacts><Contact><contactId>${guid}</contactId></Contact></contacts>`), 'ABContactDelete');
    assert.equal((await entry(a!, b!))!.lists & LIST_BITS.FL, 0);
    await b7.conn.waitFor((r) => r.verb === 'REM' && r.args[1] === 'RL');
    fault(await ab(ticket, 'ABContactDelete', `<abId>${ZERO}</abId><contacts><Contact><contactId>${guid}</contactId></Contact></contacts>`), 'ContactDoesNotExist');
  });

  test('groups: add, rename, contact in and out, delete, as MSNP12 sees them; duplicate, unknown, too long, too many', async () => {
    const [a, b] = await users(2);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const groupAdd = (name: string) =>
      ab(ticket, 'ABGroupAdd', `<abId>${ZERO}</abId><groupAddOptions><fRenameOnMsgrConflict>false</fRenameOnMsgrConflict></groupAddOptions><groupInfo><GroupInfo><name>${name}</name><groupType>C8529CE2-6EAD-434d-881F-341E17DB3FF8</groupType><fMessenger>false</fMessenger></GroupInfo></groupInfo>`);
    const gid = text(ok(await groupAdd('Work'), 'ABGroupAdd'), 'soap:Envelope/soap:Body/ABGroupAddResponse/ABGroupAddResult/guid')!;
    assert.match(gid, GUID);
    fault(await groupAdd('Work'), 'GroupAlreadyExists');
    fault(await groupAdd('x'.repeat(200)), 'GroupNameTooLong');
    fault(await groupAdd(''), 'BadArgument');
    ok(await ab(ticket, 'ABGroupUpdate', `<abId>${ZERO}</abId><groups><Group><groupId>${gid}</groupId><groupInfo><name>Office</name></groupInfo><propertiesChanged>GroupName</propertiesChanged></Group></groups>`), 'ABGroupUpdate');
    const bogus = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
    fault(await ab(ticket, 'ABGroupUpdate', `<abId>${ZERO}</abId><groups><Group><groupId>${bogus}</groupId><groupInfo><name>Y</name></groupInfo><propertiesChanged>GroupName</propertiesChanged></Group></groups>`), 'GroupDoesNotExist');
    const cid = text(ok(await ab(ticket, 'ABContactAdd', contactAdd(b!)), 'ABContactAdd'), 'soap:Envelope/soap:Body/ABContactAddResponse/ABContactAddResult/guid')!;
    const groupContact = (action: string, g: string, c: string) => ab(ticket, action, `<abId>${ZERO}</abId><groupFilter><groupIds><guid>${g}</guid></groupIds></groupFilter><contacts><Contact><contactId>${c}</contactId></Contact></contacts>`);
    const added = ok(await groupContact('ABGroupContactAdd', gid, cid), 'ABGroupContactAdd');
    assert.equal(text(added, 'soap:Envelope/soap:Body/ABGroupContactAddResponse/ABGroupContactAddResult/guid'), cid);
    fault(await groupContact('ABGroupContactAdd', gid, cid), 'ContactAlreadyExists');
    fault(await groupContact('ABGroupContactAdd', bogus, cid), 'GroupDoesNotExist');
    fault(await groupContact('ABGroupContactAdd', gid, bogus), 'ContactDoesNotExist');
    // MSNP12 sees the renamed group with b in it.
    const a12 = await t.login(a!, 12, { sync: false });
    const syn = (await a12.sync(0)).lines;
    const lsg = syn.find((l) => l.verb === 'LSG');
    assert.ok(lsg && lsg.args.includes('Office') && lsg.args.includes(gid), syn.map((l) => l.line).join('\n'));
    assert.ok(syn.find((l) => l.verb === 'LST' && l.args.includes(`N=${b}`))!.args.includes(gid));
    ok(await groupContact('ABGroupContactDelete', gid, cid), 'ABGroupContactDelete');
    assert.deepEqual((await entry(a!, b!))!.groups, []);
    fault(await groupContact('ABGroupContactDelete', gid, cid), 'ContactDoesNotExist');
    const del = (g: string) => ab(ticket, 'ABGroupDelete', `<abId>${ZERO}</abId><groupFilter><groupIds><guid>${g}</guid></groupIds></groupFilter>`);
    ok(await del(gid), 'ABGroupDelete');
    assert.deepEqual(await groups(a!), []);
    // Character references are decoded (COMPAT: Pidgin escapes ' as &#39;).
    const quoted = text(ok(await groupAdd('Bob&#39;s &#x4D;ates'), 'ABGroupAdd'), 'soap:Envelope/soap:Body/ABGroupAddResponse/ABGroupAddResult/guid')!;
    assert.deepEqual((await groups(a!)).map((g) => g.name), ["Bob's Mates"]);
    ok(await del(quoted), 'ABGroupDelete');
    fault(await del(gid), 'GroupDoesNotExist');
    // The core's group limit (30) over SOAP.
    let last: RawResponse | undefined;
    for (let i = 0; i < 40 && (!last || last.status === 200); i++) last = await groupAdd(`G${i}`);
    fault(last!, 'QuotaLimitReached');
    assert.ok((await groups(a!)).length >= 29);
  });

  test('AddMember/DeleteMember: Allow and Block by PassportName, by MembershipId as Pidgin echoes it (number) and MSNPSharp sends it (Role/guid); Pending and Reverse settle', async () => {
    const [a, b, c, d] = await users(4);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const d7 = await t.login(d!, 7);
    ok(await sharing(ticket, 'AddMember', member('Allow', `<PassportName>${b}</PassportName>`)), 'AddMember');
    ok(await sharing(ticket, 'AddMember', member('Block', `<PassportName>${c}</PassportName>`)), 'AddMember');
    // COMPAT: MSNPSharp 3.2.1 treats "Member already exists" / "Member does not exist" as done.
    fault(await sharing(ticket, 'AddMember', member('Allow', `<PassportName>${b}</PassportName>`)), 'MemberAlreadyExists', /^Member already exists$/);
    fault(await sharing(ticket, 'AddMember', member('Allow', `<PassportName>${c}</PassportName>`)), 'MemberAlreadyExists');
    fault(await sharing(ticket, 'DeleteMember', member('Allow', `<PassportName>${d}</PassportName>`)), 'MemberDoesNotExist', /^Member does not exist$/);
    fault(await sharing(ticket, 'AddMember', member('Allow', `<PassportName>bad address</PassportName>`)), 'BadEmailArgument');
    // The MSNP7 client of the same account sees the lists (a fresh one syncs them).
    const a7b = await t.login(a!, 7, { sync: false });
    const lines = (await a7b.sync(0)).lines.map((l) => l.line);
    assert.ok(lines.some((l) => l.startsWith('LST') && l.includes(' AL ') && l.includes(b!)), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('LST') && l.includes(' BL ') && l.includes(c!)), lines.join('\n'));
    // Pidgin: DeleteMember with the MembershipId FindMembership gave (the number).
    const bId = await idOf(b!);
    ok(await sharing(ticket, 'DeleteMember', `<serviceHandle><Id>0</Id><Type>Messenger</Type><ForeignId/></serviceHandle><memberships><Membership><MemberRole>Allow</MemberRole><Members><Member xsi:type="PassportMember"><Type>Passport</Type><MembershipId>${bId}</MembershipId><State>Accepted</State></Member></Members></Membership></memberships>`), 'DeleteMember');
    assert.equal(((await entry(a!, b!))?.lists ?? 0) & LIST_BITS.AL, 0);
    // d adds a: a has d pending; MSNPSharp settles it with Pending/<guid>.
    await addToFl(d7, a!);
    await a7b.conn.waitFor((r) => r.verb === 'ADD' && r.args[1] === 'RL');
    assert.ok((await entry(a!, d!))!.lists & LIST_BITS.PL);
    ok(await sharing(ticket, 'DeleteMember', member('Pending', `<MembershipId>Pending/${(await entry(a!, d!))!.guid}</MembershipId>`)), 'DeleteMember');
    assert.equal((await entry(a!, d!))!.lists & LIST_BITS.PL, 0);
    assert.ok((await entry(a!, d!))!.lists & LIST_BITS.RL, 'the reverse list is the server’s');
    // A pending member nobody matches (Pidgin's MembershipId 0), and AddMember Reverse: never a fault.
    ok(await sharing(ticket, 'DeleteMember', member('Pending', `<MembershipId>0</MembershipId>`)), 'DeleteMember');
    ok(await sharing(ticket, 'AddMember', member('Reverse', `<PassportName>${d}</PassportName>`)), 'AddMember');
    // Another service type, an unknown role.
    fault(await sharing(ticket, 'AddMember', member('Allow', `<PassportName>${d}</PassportName>`).replace('<Type>Messenger</Type>', '<Type>Space</Type>')), 'BadArgument');
    fault(await sharing(ticket, 'AddMember', member('Owner', `<PassportName>${d}</PassportName>`)), 'BadArgument');
    // MSNPSharp's roaming-profile seed (StorageService.cs, after CreateProfile): acknowledged, lists untouched.
    const before = await entry(a!, d!);
    const seed =
      '<serviceHandle><Id>0</Id><Type>Profile</Type><ForeignId>MyProfile</ForeignId></serviceHandle><memberships><Membership><MemberRole>ProfileExpression</MemberRole>' +
      '<Members><Member xsi:type="RoleMember"><Type>Role</Type><State>Accepted</State><Id>Allow</Id><DefiningService><Id>0</Id><Type>Messenger</Type><ForeignId></ForeignId></DefiningService>' +
      '<MaxRoleRecursionDepth>0</MaxRoleRecursionDepth><MaxDegreesSeparation>0</MaxDegreesSeparation></Member></Members></Membership></memberships>';
    ok(await sharing(ticket, 'AddMember', seed), 'AddMember');
    assert.deepEqual(await entry(a!, d!), before);
    fault(await sharing(ticket, 'AddMember', seed.replace('ProfileExpression', 'Allow')), 'BadArgument');
  });

  test('ABAdd for the existing book answers its id; for another owner it is refused', async () => {
    const [a] = await users(1);
    const ticket = await ticketFor(t, a!, 'secret', 'rst');
    const abAdd = (owner: string) => ab(ticket, 'ABAdd', `<abInfo><ownerPuid>0</ownerPuid><ownerEmail>${owner}</ownerEmail><fDefault>true</fDefault></abInfo>`);
    assert.equal(text(ok(await abAdd(a!), 'ABAdd'), 'soap:Envelope/soap:Body/ABAddResponse/ABAddResult'), ZERO);
    fault(await abAdd('someone-else@example.com'), 'BadArgument');
  });

  test('a write with a ticket of another service, or none, is refused; withTicket keeps the captured shape', async () => {
    const [a, b] = await users(2);
    const r = capturedRequests('address-book-writes.jsonl')[0]!;
    assert.ok(withTicket(r, 't=x&p=y').includes('t=x'));
    fault(await ab('t=nonsense&p=', 'ABContactAdd', contactAdd(b!)), 'PassportAuthFail');
    assert.equal(await entry(a!, b!), undefined);
  });
});
