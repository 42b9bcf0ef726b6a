// The storage service over real HTTPS against a real server with real SQLite:
// every storage request MSNPSharp 3.2.1 really sent (test/fixtures/soap/
// storage.jsonl, from the shared captures) replayed with the storage token
// this server's RST2.srf issued, with the profile created as MSNPSharp does
// after the first GetProfile fault; each action's success and faults; the
// picture round trip (CreateDocument -> GetProfile -> HTTP GET) byte-exact;
// limits; another account's profile and pictures out of reach; a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestServer, tempDir, type TestServer } from './helpers/server.js';
import { httpRequest, httpsRequest, type RawResponse } from './helpers/https.js';
import { all, assertSchemaOrder, capturedRequests, childOrder, faultOf, parseTree, replay, soapPost, text, type CapturedRequest, type Tree } from './helpers/soap.js';
import { rst2For, rst2Tokens } from './helpers/sso.js';
import { loadConfig, ConfigError } from '../src/config.js';
import { pictureBodyLimit } from '../src/web/soap/storage-routes.js';
import { parseSoap } from '../src/web/soap/envelope.js';
import { SoapFault } from '../src/web/soap/fault.js';
import type { WebRequest } from '../src/web/router.js';

const PATH = '/storageservice/SchematizedStore.asmx';
const HOST = 'storage.msn.com';
const NS = 'http://www.msn.com/webservices/storage/2008';
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ENV = { MSNPD_EXPERIMENTAL_MSNP13: 'on' };

// Element order of msnstorage_servicetypes.xsd / msnstorage_datatypes.xsd (msnp-sharp MSNPSHARP_31_STABLE).
const ORDER: Record<string, string[]> = {
  GetProfileResult: ['ResourceID', 'DateModified', 'ExpressionProfile'],
  ExpressionProfile: ['ResourceID', 'DateModified', 'Version', 'Flags', 'Photo', 'Attachments', 'PersonalStatus', 'PersonalStatusLastModified', 'DisplayName', 'DisplayNameLastModified', 'StaticUserTilePublicURL'],
  Photo: ['ResourceID', 'Name', 'ItemType', 'DateModified', 'DocumentStreams'],
  DocumentStream: ['DocumentStreamName', 'MimeType', 'Data', 'DataSize', 'PreAuthURL', 'PreAuthURLPartner', 'DocumentStreamType', 'WriteMode', 'StreamVersion', 'SHA1Hash', 'Genie', 'SizeX', 'SizeY'],
  StorageUserHeader: ['Puid', 'Cid', 'TicketToken', 'IsAdmin'],
};

function inSchemaOrder(names: string[], kind: string): void {
  assertSchemaOrder(ORDER, names, kind);
  // Every element the schema requires is there.
  const required: Record<string, string[]> = {
    GetProfileResult: ['ResourceID', 'DateModified', 'ExpressionProfile'],
    ExpressionProfile: ['ResourceID', 'DateModified', 'Flags', 'PersonalStatus', 'PersonalStatusLastModified', 'DisplayName', 'DisplayNameLastModified', 'StaticUserTilePublicURL'],
    Photo: ['ItemType', 'DateModified', 'DocumentStreams'],
    DocumentStream: ['DocumentStreamName', 'MimeType', 'DataSize', 'DocumentStreamType', 'WriteMode', 'StreamVersion', 'SHA1Hash', 'Genie'],
    StorageUserHeader: ['Puid', 'TicketToken'],
  };
  for (const r of required[kind] ?? []) assert.ok(names.includes(r), `${kind} lacks ${r}`);
}

interface StorageRequest extends CapturedRequest {
  method: string;
  as: 'alice' | 'bob';
  expect: string;
}

const body = (r: RawResponse) => r.body.toString('utf8');

/** A request as MSNPSharp 3.2.1's proxy writes one (its header blocks, its namespaces). */
function envelope(ticket: string, action: string, inner: string, opts: { cid?: string } = {}): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Header>` +
    `<AffinityCacheHeader xmlns="${NS}"><CacheKey /></AffinityCacheHeader><StorageApplicationHeader xmlns="${NS}"><ApplicationID>Messenger Client 9.0</ApplicationID><Scenario>RoamingSeed</Scenario></StorageApplicationHeader>` +
    `<StorageUserHeader xmlns="${NS}"><Puid>0</Puid>${opts.cid !== undefined ? `<Cid>${opts.cid}</Cid>` : ''}<TicketToken>${ticket.replace(/&/g, '&amp;')}</TicketToken></StorageUserHeader></soap:Header>` +
    `<soap:Body><${action} xmlns="${NS}">${inner}</${action}></soap:Body></soap:Envelope>`
  );
}

/** A PNG signature followed by `n - 8` seeded bytes (the service checks the type, not the whole image). */
function png(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
  return b;
}

const alias = (cid: string, rel: string) => `<Alias><Name>${cid}</Name><NameSpace>MyCidStuff</NameSpace></Alias><RelationshipName>${rel}</RelationshipName>`;
const getProfileInner = (cid: string) =>
  `<profileHandle>${alias(cid, 'MyProfile')}</profileHandle><profileAttributes><ResourceID>true</ResourceID><DateModified>true</DateModified><ExpressionProfileAttributes><ResourceID>true</ResourceID><DateModified>true</DateModified><DisplayName>true</DisplayName><DisplayNameLastModified>true</DisplayNameLastModified><PersonalStatus>true</PersonalStatus><PersonalStatusLastModified>true</PersonalStatusLastModified><StaticUserTilePublicURL>true</StaticUserTilePublicURL><Photo>true</Photo><Attachments>true</Attachments><Flag>true</Flag></ExpressionProfileAttributes></profileAttributes>`;
const createProfileInner = `<profile><ExpressionProfile><PersonalStatus /><RoleDefinitionName>ExpressionProfileDefault</RoleDefinitionName></ExpressionProfile></profile>`;
const createDocumentInner = (cid: string, data: Buffer | string, name = 'MyPhoto') =>
  `<parentHandle>${alias(cid, '/UserTiles')}</parentHandle><document xsi:type="Photo"><Name>${name}</Name><DocumentStreams><DocumentStream xsi:type="PhotoStream"><MimeType>png</MimeType><Data>${typeof data === 'string' ? data : data.toString('base64')}</Data><DataSize>0</DataSize><DocumentStreamType>UserTileStatic</DocumentStreamType><StreamVersion>0</StreamVersion><Genie>false</Genie></DocumentStream></DocumentStreams></document><relationshipName>Messenger User Tile</relationshipName>`;

interface Account {
  email: string;
  id: number;
  cid: string;
  cidHex: string;
  storage: string;
  contacts: string;
}

describe('long base64 texts kept out of the XML parser', () => {
  const req = (xml: string) => ({ body: Buffer.from(xml), headers: {}, method: 'POST', path: '/', query: new URLSearchParams() }) as unknown as WebRequest;
  const wrap = (inner: string) => `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><CreateDocument>${inner}</CreateDocument></s:Body></s:Envelope>`;
  const limits = { maxBody: 512 * 1024, maxDepth: 32 };

  test('they come back exactly (line breaks, prefixes and attributes included); short ones and mixed content go through the parser', () => {
    const b64 = randomBytes(30_000).toString('base64').replace(/(.{76})/g, '$1\r\n');
    const doc = parseSoap(req(wrap(`<p:Data xmlns:p="urn:x" a="1">${b64}</p:Data><Data>QUJD</Data>`)), limits, { bulk: ['Data'] });
    const datas = (doc.body['Data'] as unknown[]).map((d) => (typeof d === 'string' ? d : (d as Record<string, string>)['#text']));
    assert.deepEqual(datas.map((d) => d!.replace(/\s/g, '')), [b64.replace(/\s/g, ''), 'QUJD']);
    const mixed = parseSoap(req(wrap(`<Data>${'A'.repeat(2000)}<x>1</x></Data>`)), limits, { bulk: ['Data'] });
    assert.equal((mixed.body['Data'] as Record<string, unknown>)['x'], '1');
  });

  test('the rest of the document is still checked: broken XML after a long text is a fault', () => {
    assert.throws(() => parseSoap(req(wrap(`<Data>${'A'.repeat(4000)}</Dat>`)), limits, { bulk: ['Data'] }), SoapFault);
    assert.throws(() => parseSoap(req(wrap(`<Data>${'A'.repeat(4000)}</Data>&bogus;`)), limits, { bulk: ['Data'] }), SoapFault);
  });
});

describe('storage service over SOAP', () => {
  let t: TestServer;
  let n = 0;
  before(async () => {
    t = await startTestServer(ENV);
  });
  after(() => t.stop());

  /** A new account with the tokens MSNPSharp's RST2 request gets for it. */
  async function account(server = t): Promise<Account> {
    const email = `st${++n}-${process.pid}@example.com`;
    const id = await server.user(email, 'pw');
    const tokens = await rst2Tokens(server, rst2For(email, 'pw'));
    return { email, id, cid: String(id), cidHex: id.toString(16).padStart(16, '0'), storage: tokens.get('storage.msn.com')!, contacts: tokens.get('contacts.msn.com')! };
  }

  function call(a: { storage: string }, action: string, inner: string, opts: { cid?: string; server?: TestServer; plain?: boolean; raw?: string } = {}): Promise<RawResponse> {
    return soapPost(opts.server ?? t, { host: HOST, path: PATH, action: `"${NS}/${action}"`, body: opts.raw ?? envelope(a.storage, action, inner, opts), plain: opts.plain });
  }

  function ok(r: RawResponse, action: string): Tree {
    assert.equal(r.status, 200, body(r).slice(0, 500));
    assert.match(r.header('content-type') ?? '', /^text\/xml/);
    const doc = parseTree(body(r));
    assert.equal(all(doc, `soap:Envelope/soap:Body/${action}Response`).length, 1, body(r).slice(0, 500));
    assert.equal(all(doc, 'soap:Envelope/soap:Header/AffinityCacheHeader/CacheKey').length, 1);
    inSchemaOrder(childOrder(body(r), 'soap:Envelope/soap:Header/StorageUserHeader'), 'StorageUserHeader');
    return doc;
  }

  function fault(r: RawResponse, errorcode: string, faultstring?: RegExp): void {
    assert.equal(r.status, 500, body(r).slice(0, 500));
    const f = faultOf(r);
    assert.ok(f, body(r).slice(0, 500));
    assert.equal(f.faultcode, 'soap:Client');
    assert.equal(f.errorcode, errorcode, f.faultstring);
    if (faultstring) assert.match(f.faultstring, faultstring);
  }

  async function createProfile(a: Account, server = t): Promise<void> {
    const doc = ok(await call(a, 'CreateProfile', createProfileInner, { server }), 'CreateProfile');
    assert.equal(text(doc, 'soap:Envelope/soap:Body/CreateProfileResponse/CreateProfileResult'), `${a.cidHex}!106`);
  }

  const getProfile = async (a: Account, server = t) => ok(await call(a, 'GetProfile', getProfileInner(a.cid), { server }), 'GetProfile');
  const expression = (doc: Tree) => all(doc, 'soap:Envelope/soap:Body/GetProfileResponse/GetProfileResult/ExpressionProfile')[0]!;
  const preAuthUrl = (doc: Tree) => text(expression(doc), 'Photo/DocumentStreams/DocumentStream/PreAuthURL');

  /** GETs a picture URL the way MSNPSharp does: plain HTTP, `?t=` + its storage ticket without `t=`, URL-encoded. */
  function fetchPicture(url: string, storage: string, server = t): Promise<RawResponse> {
    const u = new URL(url);
    return httpRequest(server.server.ports.http!, { host: u.hostname, path: `${u.pathname}?t=${encodeURIComponent(storage.slice(2))}` });
  }

  test('every captured storage request, replayed in order as the account that sent it; the profile created as MSNPSharp does after the fault', async () => {
    const reqs = capturedRequests('storage.jsonl') as StorageRequest[];
    assert.equal(reqs.length, 17);
    const acc = { alice: await account(), bob: await account() };
    const created = new Set<string>();
    const faults = { alice: 0, bob: 0 };
    const pictures: Partial<Record<'alice' | 'bob', Buffer>> = {};
    for (const r of reqs) {
      const a = acc[r.as];
      const where = `${r.client} line ${r.line} ${r.soapaction}`;
      if (r.method === 'GET') {
        // The captured address was another server's: unknown here.
        const res = await httpRequest(t.server.ports.http!, { host: r.host, path: r.path });
        assert.equal(res.status, 404, where);
        continue;
      }
      const b = r.body.replaceAll('{cid}', a.cid).replaceAll('{cidhex}', a.cidHex);
      const res = await replay(t, { ...r, body: b }, a.storage);
      const action = /([A-Za-z]+)"?$/.exec(r.soapaction)![1]!;
      if (r.expect !== 'ok') {
        fault(res, r.expect, /does not exist/i);
        // COMPAT: MSNPSharp 3.2.1 creates the profile when the fault text says "does not exist" (twice: probe and call).
        if (++faults[r.as] === 2) {
          await createProfile(a);
          await createProfile(a);
          created.add(r.as);
        }
        continue;
      }
      const doc = ok(res, action);
      // COMPAT: MSNPSharp reads Puid and Cid back as it sent them.
      const sentCid = /<Cid>([^<]*)<\/Cid>/.exec(b)?.[1];
      assert.equal(text(doc, 'soap:Envelope/soap:Header/StorageUserHeader/Puid'), '0', where);
      assert.equal(text(doc, 'soap:Envelope/soap:Header/StorageUserHeader/Cid'), sentCid, where);
      if (action === 'CreateDocument') {
        assert.match(text(doc, 'soap:Envelope/soap:Body/CreateDocumentResponse/CreateDocumentResult')!, new RegExp(`^${a.cidHex}!\\d+$`));
        pictures[r.as] = Buffer.from(/<Data>([^<]*)<\/Data>/.exec(b)![1]!, 'base64');
      }
      if (action === 'GetProfile') {
        const xml = body(res);
        const base = 'soap:Envelope/soap:Body/GetProfileResponse/GetProfileResult';
        inSchemaOrder(childOrder(xml, base), 'GetProfileResult');
        inSchemaOrder(childOrder(xml, `${base}/ExpressionProfile`), 'ExpressionProfile');
        assert.equal(text(doc, `${base}/ResourceID`), `${a.cidHex}!106`, where);
        assert.match(text(doc, `${base}/DateModified`)!, TIME);
        const ep = expression(doc);
        if (r.as === 'alice' && r.line > 40) {
          // UpdateProfile (line 39/40) set these.
          assert.equal(text(ep, 'DisplayName'), 'user3101@example.com', where);
          assert.equal(text(ep, 'PersonalStatus'), 'Personal message: naïve café ☕ 152428-9099', where);
        }
        const picture = pictures[r.as];
        if (picture) {
          inSchemaOrder(childOrder(xml, `${base}/ExpressionProfile/Photo`), 'Photo');
          inSchemaOrder(childOrder(xml, `${base}/ExpressionProfile/Photo/DocumentStreams/DocumentStream`), 'DocumentStream');
          const ds = all(ep, 'Photo/DocumentStreams/DocumentStream')[0]!;
          assert.equal(ds['@xsi:type'], 'PhotoStream');
          assert.equal(text(ds, 'DocumentStreamType'), 'UserTileStatic');
          assert.equal(text(ds, 'MimeType'), 'image/png');
          assert.equal(text(ds, 'DataSize'), String(picture.length));
          // The picture, fetched as MSNPSharp fetches it, byte for byte.
          const url = text(ds, 'PreAuthURL')!;
          assert.match(url, /^http:\/\/blufiles\.storage\.msn\.com\/storage\/usertile\/[0-9a-f-]{36}\/static$/);
          const got = await fetchPicture(url, a.storage);
          assert.equal(got.status, 200, where);
          assert.equal(got.header('content-type'), 'image/png');
          assert.ok(got.body.equals(picture), `${where}: the picture comes back byte for byte`);
          assert.equal(text(ep, 'StaticUserTilePublicURL'), url);
        } else {
          assert.equal(all(ep, 'Photo').length, 0, where);
        }
      }
    }
    assert.ok(pictures.alice, 'the captured CreateDocument carried a picture');
    assert.deepEqual([...created].sort(), ['alice', 'bob']);
  });

  test('CreateDocument -> GetProfile -> HTTP GET: a 100 KB picture comes back byte-exact over HTTP and HTTPS; SHA1Hash and DataSize describe it', async () => {
    const a = await account();
    await createProfile(a);
    const pic = png(100 * 1024, 7);
    const created = ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, pic)), 'CreateDocument');
    const rid = text(created, 'soap:Envelope/soap:Body/CreateDocumentResponse/CreateDocumentResult')!;
    const doc = await getProfile(a);
    const ep = expression(doc);
    assert.equal(text(ep, 'Photo/ResourceID'), rid);
    assert.equal(text(ep, 'Photo/Name'), 'MyPhoto');
    assert.equal(text(ep, 'Photo/DocumentStreams/DocumentStream/SHA1Hash'), (await import('node:crypto')).createHash('sha1').update(pic).digest('base64'));
    assert.equal(text(ep, 'Photo/DocumentStreams/DocumentStream/DataSize'), String(pic.length));
    const url = preAuthUrl(doc)!;
    const plain = await fetchPicture(url, a.storage);
    assert.equal(plain.status, 200);
    assert.ok(plain.body.equals(pic));
    assert.equal(plain.header('content-length'), String(pic.length));
    assert.equal(plain.header('x-content-type-options'), 'nosniff');
    const u = new URL(url);
    const secure = await httpsRequest(t.server.ports.https!, { host: u.hostname, path: u.pathname });
    assert.equal(secure.status, 200);
    assert.ok(secure.body.equals(pic));
    // HEAD answers the headers only.
    const head = await httpRequest(t.server.ports.http!, { host: u.hostname, path: u.pathname, method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    // A JPEG is kept and served as one, whatever MimeType the client declared.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(500)]);
    ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, jpeg)), 'CreateDocument');
    const doc2 = await getProfile(a);
    assert.equal(text(expression(doc2), 'Photo/DocumentStreams/DocumentStream/MimeType'), 'image/jpeg');
    const got = await fetchPicture(preAuthUrl(doc2)!, a.storage);
    assert.equal(got.header('content-type'), 'image/jpeg');
    assert.ok(got.body.equals(jpeg));
    assert.notEqual(preAuthUrl(doc2), url, 'a new picture has a new address');
  });

  test('GetProfile before the profile exists: ItemDoesNotExist ("does not exist"); CreateProfile twice keeps one profile; the display name falls back to the account name', async () => {
    const a = await account();
    fault(await call(a, 'GetProfile', getProfileInner(a.cid)), 'ItemDoesNotExist', /does not exist/i);
    await createProfile(a);
    await createProfile(a);
    const doc = await getProfile(a);
    const ep = expression(doc);
    assert.equal(text(ep, 'ResourceID'), `${a.cidHex}!118`);
    assert.equal(text(ep, 'DisplayName'), a.email);
    assert.equal(text(ep, 'PersonalStatus'), '');
    assert.equal(text(ep, 'Flags'), '0');
    assert.match(text(ep, 'DisplayNameLastModified')!, TIME);
    // The profile can also be named by its resource id.
    ok(await call(a, 'GetProfile', `<profileHandle><ResourceID>${a.cidHex}!106</ResourceID></profileHandle><profileAttributes><ResourceID>true</ResourceID><DateModified>true</DateModified><ExpressionProfileAttributes /></profileAttributes>`), 'GetProfile');
  });

  test('UpdateProfile sets and deletes the display name and personal status; before CreateProfile it faults', async () => {
    const a = await account();
    const update = (ep: string, del = '') => call(a, 'UpdateProfile', `<profile><ResourceID>${a.cidHex}!106</ResourceID><ExpressionProfile>${ep}</ExpressionProfile></profile>${del}`);
    fault(await update('<DisplayName>x</DisplayName>'), 'ItemDoesNotExist', /does not exist/i);
    await createProfile(a);
    ok(await update('<FreeText>Update</FreeText><DisplayName>Zoë &amp; co</DisplayName><PersonalStatus>hi &lt;3</PersonalStatus><Flags>1</Flags>'), 'UpdateProfile');
    let ep = expression(await getProfile(a));
    assert.equal(text(ep, 'DisplayName'), 'Zoë & co');
    assert.equal(text(ep, 'PersonalStatus'), 'hi <3');
    assert.equal(text(ep, 'Flags'), '1');
    ok(await update('', '<profileAttributesToDelete><ExpressionProfileAttributes><PersonalStatus>true</PersonalStatus></ExpressionProfileAttributes></profileAttributesToDelete>'), 'UpdateProfile');
    ep = expression(await getProfile(a));
    assert.equal(text(ep, 'PersonalStatus'), '');
    assert.equal(text(ep, 'DisplayName'), 'Zoë & co');
    fault(await update('<Flags>x</Flags>'), 'BadArgument');
    fault(await update(`<DisplayName>${'n'.repeat(1025)}</DisplayName>`), 'BadArgument');
    fault(await call(a, 'UpdateProfile', `<profile><ResourceID>nonsense</ResourceID><ExpressionProfile /></profile>`), 'BadArgument');
    fault(await call(a, 'UpdateProfile', `<profile><ExpressionProfile /></profile>`), 'BadArgument');
  });

  test('FindDocuments, CreateRelationships, DeleteRelationships, UpdateDocument and ShareItem as WLM 2009 and MSNPSharp call them', async () => {
    const a = await account();
    fault(await call(a, 'ShareItem', `<resourceID>${a.cidHex}!106</resourceID><displayName>Messenger Roaming Identity</displayName>`), 'ItemDoesNotExist');
    await createProfile(a);
    const share = ok(await call(a, 'ShareItem', `<resourceID>${a.cidHex}!106</resourceID><displayName>Messenger Roaming Identity</displayName>`), 'ShareItem');
    assert.equal(text(share, 'soap:Envelope/soap:Body/ShareItemResponse/ShareItemResult'), `${a.cidHex}!106`);
    const find = () =>
      call(a, 'FindDocuments', `<objectHandle>${alias(a.cid, '/UserTiles')}</objectHandle><documentAttributes><ResourceID>true</ResourceID><Name>true</Name></documentAttributes><documentFilter><FilterAttributes>None</FilterAttributes></documentFilter><documentSort><SortBy>DateModified</SortBy></documentSort><findContext><FindMethod>Default</FindMethod><ChunkSize>25</ChunkSize></findContext>`);
    assert.equal(all(ok(await find(), 'FindDocuments'), 'soap:Envelope/soap:Body/FindDocumentsResponse/Document').length, 0);
    const p1 = png(300, 1);
    const p2 = png(400, 2);
    const rid1 = text(ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, p1, 'first')), 'CreateDocument'), 'soap:Envelope/soap:Body/CreateDocumentResponse/CreateDocumentResult')!;
    const rid2 = text(ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, p2, 'second')), 'CreateDocument'), 'soap:Envelope/soap:Body/CreateDocumentResponse/CreateDocumentResult')!;
    const docs = all(ok(await find(), 'FindDocuments'), 'soap:Envelope/soap:Body/FindDocumentsResponse/Document');
    assert.deepEqual(docs.map((d) => [text(d, 'ResourceID'), text(d, 'Name')]), [[rid2, 'second'], [rid1, 'first']]);
    // CreateRelationships ProfilePhoto (SubProfile -> Photo) makes the first the picture again.
    const rel = (source: string, target: string) =>
      `<relationships><Relationship><SourceID>${source}</SourceID><SourceType>SubProfile</SourceType><TargetID>${target}</TargetID><TargetType>Photo</TargetType><RelationshipName>ProfilePhoto</RelationshipName></Relationship></relationships>`;
    ok(await call(a, 'CreateRelationships', rel(`${a.cidHex}!118`, rid1)), 'CreateRelationships');
    assert.equal(text(expression(await getProfile(a)), 'Photo/ResourceID'), rid1);
    fault(await call(a, 'CreateRelationships', rel(`${a.cidHex}!118`, `${a.cidHex}!99999`)), 'ItemDoesNotExist');
    fault(await call(a, 'CreateRelationships', '<relationships />'), 'BadArgument');
    // UpdateDocument: new bytes, new address; the old address is gone.
    const oldUrl = preAuthUrl(await getProfile(a))!;
    const p3 = png(500, 3);
    ok(await call(a, 'UpdateDocument', `<document xsi:type="Photo"><ResourceID>${rid1}</ResourceID><Name>first</Name><DocumentStreams><DocumentStream xsi:type="PhotoStream"><MimeType>image/png</MimeType><Data>${p3.toString('base64')}</Data><DataSize>0</DataSize><DocumentStreamType>UserTileStatic</DocumentStreamType></DocumentStream></DocumentStreams></document>`), 'UpdateDocument');
    const newUrl = preAuthUrl(await getProfile(a))!;
    assert.notEqual(newUrl, oldUrl);
    assert.equal((await fetchPicture(oldUrl, a.storage)).status, 404);
    assert.ok((await fetchPicture(newUrl, a.storage)).body.equals(p3));
    fault(await call(a, 'UpdateDocument', `<document xsi:type="Photo"><ResourceID>${a.cidHex}!99999</ResourceID><DocumentStreams><DocumentStream><MimeType>png</MimeType><Data>${p3.toString('base64')}</Data><DocumentStreamType>UserTileStatic</DocumentStreamType></DocumentStream></DocumentStreams></document>`), 'ItemDoesNotExist');
    // DeleteRelationships: from the expression profile the picture is no longer shown; from /UserTiles the document goes.
    const unlink = (source: string, target: string) => call(a, 'DeleteRelationships', `<sourceHandle>${source}</sourceHandle><targetHandles><ObjectHandle><ResourceID>${target}</ResourceID></ObjectHandle></targetHandles>`);
    ok(await unlink(`<ResourceID>${a.cidHex}!118</ResourceID>`, rid1), 'DeleteRelationships');
    assert.equal(all(expression(await getProfile(a)), 'Photo').length, 0);
    assert.equal((await fetchPicture(newUrl, a.storage)).status, 200, 'still in /UserTiles');
    ok(await unlink(alias(a.cid, '/UserTiles'), rid1), 'DeleteRelationships');
    assert.equal((await fetchPicture(newUrl, a.storage)).status, 404);
    // Repeated (WLM removes from both in turn; MSNPSharp sends every call twice): still fine.
    ok(await unlink(alias(a.cid, '/UserTiles'), rid1), 'DeleteRelationships');
    assert.deepEqual(all(ok(await find(), 'FindDocuments'), 'soap:Envelope/soap:Body/FindDocumentsResponse/Document').map((d) => text(d, 'ResourceID')), [rid2]);
    fault(await call(a, 'DeleteRelationships', `<sourceHandle>${alias(a.cid, '/UserTiles')}</sourceHandle><targetHandles />`), 'BadArgument');
  });

  test('pictures that are not images, too large, or missing are refused with faults; a picture body over its limit and any other body over 64 KiB are refused before parsing', async () => {
    const small = await startTestServer({ ...ENV, MSNPD_STORAGE_MAX_PICTURE: '2048' });
    try {
      const a = await account(small);
      await createProfile(a, small);
      fault(await call(a, 'CreateDocument', createDocumentInner(a.cid, Buffer.from('hello, not an image at all')), { server: small }), 'BadArgument', /not a PNG/);
      fault(await call(a, 'CreateDocument', createDocumentInner(a.cid, png(2049)), { server: small }), 'QuotaLimitReached');
      ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, png(2048)), { server: small }), 'CreateDocument');
      fault(await call(a, 'CreateDocument', createDocumentInner(a.cid, ''), { server: small }), 'BadArgument', /no picture data/);
      fault(await call(a, 'CreateDocument', createDocumentInner(a.cid, '@@@@'), { server: small }), 'BadArgument', /no picture data/);
      // Over the body limit the picture size allows (its base64 plus 16 KiB): refused unread.
      const limit = pictureBodyLimit(2048);
      const big = createDocumentInner(a.cid, 'A'.repeat(limit));
      fault(await call(a, 'CreateDocument', big, { server: small }), 'BadArgument', /larger than/);
      // Any other action keeps the framework's 64 KiB.
      fault(await call(a, 'UpdateProfile', `<profile><ResourceID>${a.cidHex}!106</ResourceID><ExpressionProfile><FreeText>${'x'.repeat(65 * 1024)}</FreeText></ExpressionProfile></profile>`, { server: small }), 'BadArgument', /larger than 65536/);
    } finally {
      await small.stop();
    }
    // With the default limit, a 128 KiB picture fits.
    const a = await account();
    await createProfile(a);
    ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, png(128 * 1024))), 'CreateDocument');
    fault(await call(a, 'CreateDocument', createDocumentInner(a.cid, png(128 * 1024 + 1))), 'QuotaLimitReached');
    // A SOAPAction naming another action than the body's cannot borrow the larger limit.
    const r = await soapPost(t, { host: HOST, path: PATH, action: `"${NS}/CreateDocument"`, body: envelope(a.storage, 'UpdateProfile', `<profile><ResourceID>${a.cidHex}!106</ResourceID><ExpressionProfile><FreeText>${'x'.repeat(70 * 1024)}</FreeText></ExpressionProfile></profile>`) });
    fault(r, 'BadArgument', /does not match/);
  });

  test('malformed XML, no token, a token for another service, plain HTTP and unknown actions get SOAP faults', async () => {
    const a = await account();
    fault(await call(a, 'GetProfile', '', { raw: '<soap:Envelope><soap:Body><GetProfile>' }), 'BadArgument', /well-formed/);
    fault(await call(a, 'GetProfile', '', { raw: envelope(a.storage, 'GetProfile', getProfileInner(a.cid)).replace('<TicketToken>', '<TicketToken>&bogus;') }), 'BadArgument');
    fault(await call({ storage: '' }, 'GetProfile', getProfileInner(a.cid)), 'PassportAuthFail');
    fault(await call({ storage: 't=nonsense&p=' }, 'GetProfile', getProfileInner(a.cid)), 'PassportAuthFail');
    // The contacts.msn.com token of the same account opens the address book, not storage.
    fault(await call({ storage: a.contacts }, 'GetProfile', getProfileInner(a.cid)), 'PassportAuthFail');
    fault(await call(a, 'GetProfile', getProfileInner(a.cid), { plain: true }), 'BadArgument', /HTTPS/);
    fault(await call(a, 'DeleteDocuments', '<resourceID>x</resourceID>'), 'UnknownAction');
    fault(await call(a, 'GetProfile', getProfileInner(a.cid).replace('MyCidStuff', 'SomethingElse')), 'BadArgument');
    fault(await call(a, 'GetProfile', '<profileHandle /><profileAttributes />'), 'BadArgument');
  });

  test("another account's profile and documents are never readable or writable", async () => {
    const alice = await account();
    const bob = await account();
    await createProfile(alice);
    await createProfile(bob);
    const pic = png(1000, 9);
    const rid = text(ok(await call(alice, 'CreateDocument', createDocumentInner(alice.cid, pic)), 'CreateDocument'), 'soap:Envelope/soap:Body/CreateDocumentResponse/CreateDocumentResult')!;
    ok(await call(alice, 'UpdateProfile', `<profile><ResourceID>${alice.cidHex}!106</ResourceID><ExpressionProfile><PersonalStatus>alice's</PersonalStatus></ExpressionProfile></profile>`), 'UpdateProfile');
    const before = body(await call(alice, 'GetProfile', getProfileInner(alice.cid)));
    // Bob, with his own valid storage token, names Alice's space and items.
    fault(await call(bob, 'GetProfile', getProfileInner(alice.cid)), 'AccessDenied');
    fault(await call(bob, 'GetProfile', `<profileHandle><ResourceID>${alice.cidHex}!106</ResourceID></profileHandle><profileAttributes />`), 'AccessDenied');
    fault(await call(bob, 'UpdateProfile', `<profile><ResourceID>${alice.cidHex}!106</ResourceID><ExpressionProfile><PersonalStatus>bob was here</PersonalStatus></ExpressionProfile></profile>`), 'AccessDenied');
    fault(await call(bob, 'CreateDocument', createDocumentInner(alice.cid, png(500, 10))), 'AccessDenied');
    fault(await call(bob, 'UpdateDocument', `<document><ResourceID>${rid}</ResourceID><DocumentStreams><DocumentStream><MimeType>png</MimeType><Data>${png(500, 11).toString('base64')}</Data><DocumentStreamType>UserTileStatic</DocumentStreamType></DocumentStream></DocumentStreams></document>`), 'AccessDenied');
    fault(await call(bob, 'FindDocuments', `<objectHandle>${alias(alice.cid, '/UserTiles')}</objectHandle>`), 'AccessDenied');
    fault(await call(bob, 'DeleteRelationships', `<sourceHandle>${alias(alice.cid, '/UserTiles')}</sourceHandle><targetHandles><ObjectHandle><ResourceID>${rid}</ResourceID></ObjectHandle></targetHandles>`), 'AccessDenied');
    fault(await call(bob, 'DeleteRelationships', `<sourceHandle>${alias(bob.cid, '/UserTiles')}</sourceHandle><targetHandles><ObjectHandle><ResourceID>${rid}</ResourceID></ObjectHandle></targetHandles>`), 'AccessDenied');
    fault(await call(bob, 'CreateRelationships', `<relationships><Relationship><SourceID>${bob.cidHex}!118</SourceID><SourceType>SubProfile</SourceType><TargetID>${rid}</TargetID><TargetType>Photo</TargetType><RelationshipName>ProfilePhoto</RelationshipName></Relationship></relationships>`), 'AccessDenied');
    fault(await call(bob, 'ShareItem', `<resourceID>${alice.cidHex}!106</resourceID><displayName>x</displayName>`), 'AccessDenied');
    // Bob's own document ids do not reach Alice's documents either: ids are per account.
    const aliceDocId = Number(rid.split('!')[1]);
    fault(await call(bob, 'UpdateDocument', `<document><ResourceID>${bob.cidHex}!${aliceDocId}</ResourceID><DocumentStreams><DocumentStream><MimeType>png</MimeType><Data>${png(500, 12).toString('base64')}</Data><DocumentStreamType>UserTileStatic</DocumentStreamType></DocumentStream></DocumentStreams></document>`), 'ItemDoesNotExist');
    ok(await call(bob, 'DeleteRelationships', `<sourceHandle>${alias(bob.cid, '/UserTiles')}</sourceHandle><targetHandles><ObjectHandle><ResourceID>${bob.cidHex}!${aliceDocId}</ResourceID></ObjectHandle></targetHandles>`), 'DeleteRelationships');
    // Alice's profile and picture are as she left them.
    const after = body(await call(alice, 'GetProfile', getProfileInner(alice.cid)));
    assert.equal(after, before);
    assert.equal(text(expression(parseTree(after)), 'PersonalStatus'), "alice's");
    assert.ok((await fetchPicture(preAuthUrl(parseTree(after))!, alice.storage)).body.equals(pic));
    // Bob's profile shows nothing of Alice's.
    assert.equal(all(expression(await getProfile(bob)), 'Photo').length, 0);
    // Addresses that are not a picture's key get a 404, never another picture.
    for (const p of ['/storage/usertile/00000000-0000-0000-0000-000000000000/static', '/storage/usertile/../static', '/storage/usertile/x/static', '/storage/usertile/']) {
      assert.equal((await httpRequest(t.server.ports.http!, { host: 'blufiles.storage.msn.com', path: p })).status, 404, p);
    }
  });

  test('profiles and pictures survive a restart (tokens too: MSNPSharp reconnects with its cached ones)', async () => {
    const dir = tempDir();
    let s = await startTestServer(ENV, dir);
    let a: Account;
    const pic = png(5000, 21);
    try {
      a = await account(s);
      await createProfile(a, s);
      ok(await call(a, 'UpdateProfile', `<profile><ResourceID>${a.cidHex}!106</ResourceID><ExpressionProfile><DisplayName>Kept</DisplayName><PersonalStatus>still here</PersonalStatus></ExpressionProfile></profile>`, { server: s }), 'UpdateProfile');
      ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, pic), { server: s }), 'CreateDocument');
    } finally {
      await s.stop();
    }
    s = await startTestServer(ENV, dir);
    try {
      const doc = await getProfile(a, s);
      const ep = expression(doc);
      assert.equal(text(ep, 'DisplayName'), 'Kept');
      assert.equal(text(ep, 'PersonalStatus'), 'still here');
      const got = await fetchPicture(preAuthUrl(doc)!, a.storage, s);
      assert.equal(got.status, 200);
      assert.ok(got.body.equals(pic));
    } finally {
      await s.stop();
    }
  });

  test('an account keeps its four newest documents; a deleted account takes its profile and pictures with it', async () => {
    const a = await account();
    await createProfile(a);
    const urls: string[] = [];
    for (let i = 0; i < 5; i++) {
      ok(await call(a, 'CreateDocument', createDocumentInner(a.cid, png(300, 100 + i), `p${i}`)), 'CreateDocument');
      urls.push(preAuthUrl(await getProfile(a))!);
    }
    assert.equal((await fetchPicture(urls[0]!, a.storage)).status, 404, 'the oldest went');
    for (const u of urls.slice(1)) assert.equal((await fetchPicture(u, a.storage)).status, 200);
    const found = ok(await call(a, 'FindDocuments', `<objectHandle>${alias(a.cid, '/UserTiles')}</objectHandle>`), 'FindDocuments');
    assert.deepEqual(all(found, 'soap:Envelope/soap:Body/FindDocumentsResponse/Document').map((d) => text(d, 'Name')), ['p4', 'p3', 'p2', 'p1']);
    await t.server.core.accounts.remove(a.email);
    for (const u of urls) assert.equal((await fetchPicture(u, a.storage)).status, 404);
    assert.equal(await t.server.core.profiles.get(a.id), undefined);
  });

  test('WLM 8.5 (storage/w10 in SOAPAction) is answered in its namespace', async () => {
    const a = await account();
    await createProfile(a);
    const W10 = 'http://www.msn.com/webservices/storage/w10';
    const r = await soapPost(t, { host: 'storage.msn.com', path: PATH, action: `${W10}/GetProfile`, body: envelope(a.storage, 'GetProfile', getProfileInner(a.cid)).replaceAll(NS, W10) });
    assert.equal(r.status, 200, body(r).slice(0, 300));
    assert.match(body(r), new RegExp(`<GetProfileResponse xmlns="${W10}">`));
    assert.match(body(r), new RegExp(`<StorageUserHeader xmlns="${W10}">`));
  });

  test('the picture limit and the tile URL are configurable and checked', () => {
    const base = { MSNPD_DATA: tempDir() };
    assert.equal(loadConfig(base).storageMaxPicture, 131072);
    assert.equal(loadConfig(base).storageTileUrl, 'http://blufiles.storage.msn.com');
    assert.equal(loadConfig({ ...base, MSNPD_STORAGE_TILE_URL: 'http://pics.example.com:8080/' }).storageTileUrl, 'http://pics.example.com:8080');
    assert.throws(() => loadConfig({ ...base, MSNPD_STORAGE_MAX_PICTURE: '184321' }), ConfigError);
    assert.throws(() => loadConfig({ ...base, MSNPD_STORAGE_TILE_URL: 'ftp://x' }), ConfigError);
    assert.throws(() => loadConfig({ ...base, MSNPD_STORAGE_TILE_URL: 'http://x/?t=1' }), ConfigError);
    // The largest picture allowed still fits the web server's 256 KiB body limit as base64.
    assert.ok(pictureBodyLimit(184320) <= 256 * 1024);
  });
});
