// The address book and sharing services over real HTTPS against a real
// server: every FindMembership and ABFindContactsPaged request Pidgin 2.11,
// MSNPSharp 3.2.1 and 5.x (MSNP21) really sent (test/fixtures/soap), replayed with a ticket from
// RST.srf, answered with the lists MSNP7 and MSNP12 clients built over TCP, in
// the element order of the services' schemas (msnab_datatypes.xsd), with
// lastChange moving on every change and deltas answered; ABFindAll as WLM 8.x
// sends it.
import { redirectTarget } from '../src/web/soap/redirector.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './helpers/server.js';
import { ticketFor } from './helpers/tickets.js';
import { accountMaker, addToFl } from './helpers/ns.js';
import { rawHttps } from './helpers/https.js';
import { all, assertSchemaOrder, capturedRequests, childOrder, faultOf, parseTree, replay, soapPost, text, withTicket, type Tree } from './helpers/soap.js';

const AB = '/abservice/abservice.asmx';
const SHARING = '/abservice/SharingService.asmx';
const NS = 'http://www.msn.com/webservices/AddressBook';
const AB_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Element order of msnab_datatypes.xsd / msnab_servicetypes.xsd (msnp-sharp MSNPSHARP_31_STABLE).
const ORDER: Record<string, string[]> = {
  contactInfo: ['emails', 'phones', 'locations', 'webSites', 'annotations', 'groupIds', 'groupIdsDeleted', 'contactType', 'quickName', 'firstName', 'MiddleName', 'lastName', 'Suffix', 'NameTitle', 'passportName', 'displayName', 'puid', 'CID', 'BrandIdList', 'comment', 'isMobileIMEnabled', 'isMessengerUser', 'isFavorite', 'isSmtp', 'hasSpace', 'spotWatchState', 'birthdate', 'primaryEmailType', 'PrimaryLocation', 'PrimaryPhone', 'IsPrivate', 'Anniversary', 'Gender', 'TimeZone', 'TrustLevel', 'NetworkInfoList', 'PublicDisplayName', 'IsAutoUpdateDisabled', 'IsHidden', 'IsPassportNameHidden', 'IsNotMobileVisible', 'IsShellContact', 'MessengerMemberInfo', 'PropertiesChanged', 'clientErrorData'],
  Contact: ['contactId', 'contactInfo', 'propertiesChanged', 'fDeleted', 'lastChange', 'CreateDate', 'LastModifiedBy', 'CreatedBy'],
  Group: ['groupId', 'groupInfo', 'propertiesChanged', 'fDeleted', 'lastChange'],
  groupInfo: ['annotations', 'groupType', 'name', 'IsNotMobileVisible', 'IsPrivate', 'IsFavorite', 'fMessenger'],
  Ab: ['abId', 'abInfo', 'lastChange', 'DynamicItemLastChanged', 'RecentActivityItemLastChanged', 'createDate', 'propertiesChanged'],
  abInfo: ['name', 'ownerPuid', 'OwnerCID', 'ownerEmail', 'fDefault', 'joinedNamespace', 'IsBot', 'IsParentManaged', 'SubscribeExternalPartner', 'NotifyExternalPartner', 'AddressBookType', 'MessengerApplicationServiceCreated', 'IsBetaMigrated', 'MigratedTo'],
  paged: ['Groups', 'Contacts', 'CircleResult', 'Ab'],
  findAll: ['groups', 'contacts', 'DynamicItems', 'CircleResult', 'ab'],
  Service: ['Memberships', 'Info', 'Changes', 'LastChange', 'Deleted'],
  Membership: ['MemberRole', 'Members', 'MembershipIsComplete'],
  Member: ['MembershipId', 'Type', 'Location', 'DisplayName', 'State', 'Annotations', 'Deleted', 'LastChanged', 'JoinedDate', 'ExpirationDate', 'Changes', 'PassportName', 'IsPassportNameHidden', 'PassportId', 'CID', 'PassportChanges'],
  FindMembershipResult: ['Services', 'OwnerNamespace'],
  OwnerNamespace: ['Info', 'Changes', 'CreateDate', 'LastChange'],
  ServiceHeader: ['Version', 'CacheKey', 'CacheKeyChanged', 'PreferredHostName', 'SessionId'],
};

function inSchemaOrder(names: string[], kind: string): void {
  assertSchemaOrder(ORDER, names, kind);
}

const body = (r: { body: Buffer }) => r.body.toString('utf8');

function membersOf(doc: Tree, role: string): string[] {
  const ms = all(doc, 'soap:Envelope/soap:Body/FindMembershipResponse/FindMembershipResult/Services/Service/Memberships/Membership');
  const m = ms.find((x) => text(x, 'MemberRole') === role);
  return m ? all(m, 'Members/Member').map((x) => text(x, 'PassportName')!) : [];
}

function pagedContacts(doc: Tree): Tree[] {
  return all(doc, 'soap:Envelope/soap:Body/ABFindContactsPagedResponse/ABFindContactsPagedResult/Contacts/Contact');
}

describe('address book and memberships over SOAP', () => {
  let t: TestServer;
  const users = accountMaker(() => t, 'ab');
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  /** a: group Friends with b in it, b on AL, c on BL (MSNP7), e on FL (MSNP12); d added a (MSNP7): a has d on RL and PL. */
  async function world() {
    const [a, b, c, d, e] = await users(5);
    const a7 = await t.login(a!, 7);
    await a7.conn.request('ADG', ['Friends', '0']);
    await a7.conn.request('ADD', ['FL', b!, b!, '1']);
    await a7.conn.request('ADD', ['AL', b!, b!]);
    await a7.conn.request('ADD', ['BL', c!, c!]);
    const d7 = await t.login(d!, 7);
    await addToFl(d7, a!);
    const a12 = await t.login(a!, 12);
    await addToFl(a12, e!);
    return { a: a!, b: b!, c: c!, d: d!, e: e!, a7, a12, ticket: await ticketFor(t, a!, 'secret', 'rst') };
  }

  test('every captured FindMembership and ABFindContactsPaged, replayed: the lists MSNP7 and MSNP12 clients made, in schema order', async () => {
    const w = await world();
    const reqs = capturedRequests();
    assert.ok(reqs.length >= 30, `fixtures: ${reqs.length}`);
    for (const r of reqs) {
      const res = await replay(t, r, w.ticket);
      const where = `${r.client} line ${r.line} ${r.soapaction}`;
      assert.equal(res.status, 200, `${where}: ${body(res).slice(0, 300)}`);
      assert.match(res.header('content-type') ?? '', /^text\/xml/);
      assert.ok(res.header('content-length'), 'Content-Length on every answer');
      const xml = body(res);
      const doc = parseTree(xml);
      // COMPAT: MSNPSharp sends its next requests to PreferredHostName: the host it used.
      assert.equal(text(doc, 'soap:Envelope/soap:Header/ServiceHeader/PreferredHostName'), redirectTarget(r.host) ?? r.host, where);
      inSchemaOrder(childOrder(xml, 'soap:Envelope/soap:Header/ServiceHeader'), 'ServiceHeader');
      if (r.soapaction.includes('FindMembership')) {
        const svc = all(doc, 'soap:Envelope/soap:Body/FindMembershipResponse/FindMembershipResult/Services/Service');
        assert.equal(svc.length, 1, where);
        assert.equal(text(svc[0]!, 'Info/Handle/Type'), 'Messenger');
        assert.deepEqual(membersOf(doc, 'Allow'), [w.b], where);
        assert.deepEqual(membersOf(doc, 'Block'), [w.c], where);
        assert.deepEqual(membersOf(doc, 'Reverse'), [w.d], where);
        assert.deepEqual(membersOf(doc, 'Pending'), [w.d], where);
        assert.match(text(svc[0]!, 'LastChange')!, AB_TIME);
        const base = 'soap:Envelope/soap:Body/FindMembershipResponse/FindMembershipResult';
        inSchemaOrder(childOrder(xml, base), 'FindMembershipResult');
        inSchemaOrder(childOrder(xml, `${base}/Services/Service`), 'Service');
        inSchemaOrder(childOrder(xml, `${base}/Services/Service/Memberships/Membership`), 'Membership');
        inSchemaOrder(childOrder(xml, `${base}/Services/Service/Memberships/Membership/Members/Member`), 'Member');
        inSchemaOrder(childOrder(xml, `${base}/OwnerNamespace`), 'OwnerNamespace');
        for (const m of all(doc, `${base}/Services/Service/Memberships/Membership/Members/Member`)) {
          // COMPAT: Pidgin crashes on a Member without xsi:type; both clients parse MembershipId as an int32.
          assert.equal(m['@xsi:type'], 'PassportMember');
          const id = Number(text(m, 'MembershipId'));
          assert.ok(Number.isInteger(id) && id > 0 && id < 2 ** 31, `MembershipId ${id}`);
        }
        assert.equal(text(doc, `${base}/OwnerNamespace/Info/CreatorPassportName`), w.a);
      } else {
        const contacts = pagedContacts(doc);
        const byName = new Map(contacts.map((c) => [text(c, 'contactInfo/passportName')!, c]));
        // The forward list and Me: not c (blocked only) nor d (reverse/pending only).
        assert.deepEqual([...byName.keys()].sort(), [w.a, w.b, w.e].sort(), where);
        assert.equal(text(byName.get(w.a)!, 'contactInfo/contactType'), 'Me');
        assert.equal(text(byName.get(w.b)!, 'contactInfo/contactType'), 'Regular');
        for (const c of contacts) {
          assert.match(text(c, 'contactId')!, GUID);
          assert.equal(text(c, 'contactInfo/isMessengerUser'), 'true');
        }
        const groups = all(doc, 'soap:Envelope/soap:Body/ABFindContactsPagedResponse/ABFindContactsPagedResult/Groups/Group');
        assert.deepEqual(groups.map((g) => text(g, 'groupInfo/name')), ['Friends']);
        // b is in Friends, by the group's GUID; e is in no group.
        assert.deepEqual(all(byName.get(w.b)!, 'contactInfo/groupIds/guid').map(String), [text(groups[0]!, 'groupId')]);
        assert.equal(all(byName.get(w.e)!, 'contactInfo/groupIds').length, 0);
        const base = 'soap:Envelope/soap:Body/ABFindContactsPagedResponse/ABFindContactsPagedResult';
        inSchemaOrder(childOrder(xml, base), 'paged');
        inSchemaOrder(childOrder(xml, `${base}/Contacts/Contact`), 'Contact');
        inSchemaOrder(childOrder(xml, `${base}/Contacts/Contact/contactInfo`), 'contactInfo');
        inSchemaOrder(childOrder(xml, `${base}/Groups/Group`), 'Group');
        inSchemaOrder(childOrder(xml, `${base}/Groups/Group/groupInfo`), 'groupInfo');
        inSchemaOrder(childOrder(xml, `${base}/Ab`), 'Ab');
        inSchemaOrder(childOrder(xml, `${base}/Ab/abInfo`), 'abInfo');
        assert.equal(text(doc, `${base}/Ab/abInfo/ownerEmail`), w.a);
        assert.match(text(doc, `${base}/Ab/lastChange`)!, AB_TIME);
        assert.ok(text(doc, `${base}/CircleResult/CircleTicket`)!.includes('SignedTicket'));
      }
    }
  });

  test('the Me contact carries privacy (MSN.IM.BLP) and the reverse-add prompt (MSN.IM.GTC) set over MSNP', async () => {
    const w = await world();
    const paged = capturedRequests().find((r) => r.soapaction.includes('ABFindContactsPaged'))!;
    const annotation = async (name: string) => {
      const doc = parseTree(body(await replay(t, paged, w.ticket)));
      const me = pagedContacts(doc).find((c) => text(c, 'contactInfo/contactType') === 'Me')!;
      return all(me, 'contactInfo/annotations/Annotation').find((a) => text(a, 'Name') === name) && text(all(me, 'contactInfo/annotations/Annotation').find((a) => text(a, 'Name') === name)!, 'Value');
    };
    assert.equal(await annotation('MSN.IM.BLP'), '1');
    assert.equal(await annotation('MSN.IM.GTC'), '1');
    await w.a12.conn.request('BLP', ['BL']);
    await w.a12.conn.request('GTC', ['N']);
    assert.equal(await annotation('MSN.IM.BLP'), '0');
    assert.equal(await annotation('MSN.IM.GTC'), '0');
  });

  test('lastChange: the same while nothing changes, strictly later after each change (also within a second); deltas since it are empty until then', async () => {
    const w = await world();
    const [f, g] = await users(2);
    const fm = capturedRequests().find((r) => r.client === 'msnpsharp-3.2.1' && r.soapaction.includes('FindMembership'))!;
    const paged = capturedRequests().find((r) => r.client === 'msnpsharp-3.2.1' && r.soapaction.includes('ABFindContactsPaged'))!;
    const abTime = async () => text(parseTree(body(await replay(t, paged, w.ticket))), 'soap:Envelope/soap:Body/ABFindContactsPagedResponse/ABFindContactsPagedResult/Ab/lastChange')!;
    const t1 = await abTime();
    assert.equal(await abTime(), t1);
    await addToFl(w.a12, f!);
    const t2 = await abTime();
    await addToFl(w.a12, g!);
    const t3 = await abTime();
    assert.ok(t1 < t2 && t2 < t3, `${t1} < ${t2} < ${t3}`);

    // A delta request with the time just received: nothing new, same time.
    const deltaPaged = (since: string) =>
      soapPost(t, { path: AB, action: `${NS}/ABFindContactsPaged`, body: body({ body: Buffer.from(paged.body) }).replace('{ticket}', ticketXml(w.ticket)).replace('<DeltasOnly>false</DeltasOnly>', `<DeltasOnly>true</DeltasOnly><LastChanged>${since}</LastChanged>`) });
    let doc = parseTree(body(await deltaPaged(t3)));
    assert.equal(pagedContacts(doc).length, 0);
    assert.equal(text(doc, 'soap:Envelope/soap:Body/ABFindContactsPagedResponse/ABFindContactsPagedResult/Ab/lastChange'), t3);
    // An older time (as MSNPSharp sends it, whole seconds): the whole book.
    doc = parseTree(body(await deltaPaged(t2.replace(/\.\d+Z$/, 'Z'))));
    assert.ok(pagedContacts(doc).some((c) => text(c, 'contactInfo/passportName') === g));

    const deltaMembers = (since: string) =>
      soapPost(t, { path: SHARING, action: `${NS}/FindMembership`, body: fm.body.replace('{ticket}', ticketXml(w.ticket)).replace(/<lastChange>[^<]*<\/lastChange>/, `<deltasOnly>true</deltasOnly><lastChange>${since}</lastChange>`) });
    doc = parseTree(body(await deltaMembers(t3)));
    assert.equal(all(doc, 'soap:Envelope/soap:Body/FindMembershipResponse/FindMembershipResult/Services/Service/Memberships').length, 0);
    // A change on the reverse side (made by someone else's MSNP12 client) moves it too.
    const f12 = await t.login(f!, 12);
    await addToFl(f12, w.a);
    doc = parseTree(body(await deltaMembers(t3)));
    assert.ok(membersOf(doc, 'Reverse').includes(f!));
    const t4 = text(doc, 'soap:Envelope/soap:Body/FindMembershipResponse/FindMembershipResult/Services/Service/LastChange')!;
    assert.ok(t4 > t3, `${t4} > ${t3}`);
  });

  test('ABFindAll as WLM 8.x sends it: groups, contacts, ab; another address book does not exist', async () => {
    const w = await world();
    const findAll = (abId: string, ticket = w.ticket) =>
      soapPost(t, {
        path: AB,
        action: `${NS}/ABFindAll`,
        body:
          `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
          `<soap:Header><ABApplicationHeader xmlns="${NS}"><ApplicationId>996CDE1E-AA53-4477-B943-2BE802EA6166</ApplicationId><IsMigration>false</IsMigration><PartnerScenario>Initial</PartnerScenario></ABApplicationHeader>` +
          `<ABAuthHeader xmlns="${NS}"><ManagedGroupRequest>false</ManagedGroupRequest><TicketToken>${ticketXml(ticket)}</TicketToken></ABAuthHeader></soap:Header>` +
          `<soap:Body><ABFindAll xmlns="${NS}"><abId>${abId}</abId><abView>Full</abView><deltasOnly>false</deltasOnly><lastChange>0001-01-01T00:00:00.0000000-08:00</lastChange></ABFindAll></soap:Body></soap:Envelope>`,
      });
    const res = await findAll('00000000-0000-0000-0000-000000000000');
    assert.equal(res.status, 200);
    const xml = body(res);
    const doc = parseTree(xml);
    const base = 'soap:Envelope/soap:Body/ABFindAllResponse/ABFindAllResult';
    inSchemaOrder(childOrder(xml, base), 'findAll');
    assert.deepEqual(all(doc, `${base}/groups/Group`).map((g) => text(g, 'groupInfo/name')), ['Friends']);
    assert.deepEqual(all(doc, `${base}/contacts/Contact`).map((c) => text(c, 'contactInfo/passportName')).sort(), [w.a, w.b, w.e].sort());
    assert.equal(text(doc, `${base}/ab/abInfo/ownerEmail`), w.a);
    const other = await findAll('11111111-2222-3333-4444-555555555555');
    assert.equal(other.status, 500);
    assert.deepEqual(faultOf(other), { faultcode: 'soap:Client', faultstring: 'Address Book Does Not Exist', errorcode: 'ABDoesNotExist' });
  });

  test('HTTP as Pidgin 2.11 sends it: `POST //abservice/…`, answered `HTTP/1.1 200 OK` with Content-Length, never chunked, TLS records of at most 8 KiB', async () => {
    const w = await world();
    // Enough contacts for an answer larger than one TLS record.
    for (const x of await users(12)) await addToFl(w.a12, x);
    for (const r of capturedRequests().filter((x) => x.client === 'pidgin-2.11' && x.line <= 4)) {
      const soap = withTicket(r, w.ticket);
      const raw = `POST /${r.path} HTTP/1.1\r\nHost: ${r.host}\r\nSOAPAction: ${r.soapaction}\r\nContent-Type: ${r['content-type']}\r\nContent-Length: ${Buffer.byteLength(soap)}\r\nConnection: close\r\n\r\n${soap}`;
      const { response, recordLengths } = await rawHttps(t.server.ports.https!, raw, r.host);
      const head = response.slice(0, response.indexOf('\r\n\r\n'));
      const body = response.slice(head.length + 4);
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}(\r\n|$)`));
      assert.doesNotMatch(head, /Transfer-Encoding/i);
      if (r.soapaction.endsWith('ABFindContactsPaged')) assert.ok(body.length > 8192, `a body of ${body.length} bytes`);
      assert.ok(recordLengths.every((l) => l <= 8192 + 256), `TLS records: ${recordLengths.join(',')}`);
    }
  });

  test("another account's ticket shows that account's book, never the first one's", async () => {
    const w = await world();
    const bTicket = await ticketFor(t, w.b, 'secret', 'rst');
    for (const r of capturedRequests().filter((x) => x.line === 2 || x.line === 3 || x.line === 4)) {
      const xml = body(await replay(t, r, bTicket));
      assert.ok(!xml.includes(w.a) || r.soapaction.includes('FindMembership'), `${r.client} ${r.line}`);
      const doc = parseTree(xml);
      if (r.soapaction.includes('FindMembership')) {
        // b has a on its reverse list (a added b), and nothing of a's lists.
        assert.deepEqual(membersOf(doc, 'Reverse'), [w.a]);
        assert.deepEqual(membersOf(doc, 'Block'), []);
        assert.equal(text(doc, 'soap:Envelope/soap:Body/FindMembershipResponse/FindMembershipResult/OwnerNamespace/Info/CreatorPassportName'), w.b);
      } else {
        assert.deepEqual(pagedContacts(doc).map((c) => text(c, 'contactInfo/passportName')), [w.b]);
      }
    }
  });
});

/** A `t=…&p=…` ticket as XML text. */
function ticketXml(ticket: string): string {
  return ticket.replace(/&/g, '&amp;');
}
