// Seeded fuzzing of the storage service over real HTTPS: the storage requests
// MSNPSharp 3.2.1 really sent (test/fixtures/soap/storage.jsonl) and the other
// actions as its proxy writes them, with the text of random body elements
// replaced (empty, huge, other accounts' ids, bad base64, names of other
// items). Every answer is a 200 or a soap:Client fault, never InternalError,
// a bare 500 or a hang; the other account's profile is never changed.
// FUZZ_SEED=<n> replays a run, FUZZ_RUNS sizes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestServer, type TestServer } from './helpers/server.js';
import { capturedRequests, withBodyTexts, faultOf, replay, soapPost, type CapturedRequest } from './helpers/soap.js';
import { rst2For, rst2Tokens } from './helpers/sso.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const NS = 'http://www.msn.com/webservices/storage/2008';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]).toString('base64');


/** The actions the captures lack, as MSNPSharp 3.2.1's proxy writes them ({cid}, {cidhex}, {ticket} as in the fixtures). */
function synthesised(): CapturedRequest[] {
  const alias = (rel: string) => `<Alias><Name>{cid}</Name><NameSpace>MyCidStuff</NameSpace></Alias><RelationshipName>${rel}</RelationshipName>`;
  const inner: Record<string, string> = {
    CreateProfile: '<profile><ExpressionProfile><PersonalStatus /><RoleDefinitionName>ExpressionProfileDefault</RoleDefinitionName></ExpressionProfile></profile>',
    ShareItem: '<resourceID>{cidhex}!106</resourceID><displayName>Messenger Roaming Identity</displayName>',
    FindDocuments: `<objectHandle>${alias('/UserTiles')}</objectHandle><documentAttributes><ResourceID>true</ResourceID><Name>true</Name></documentAttributes>`,
    CreateRelationships: '<relationships><Relationship><SourceID>{cidhex}!118</SourceID><SourceType>SubProfile</SourceType><TargetID>{cidhex}!201</TargetID><TargetType>Photo</TargetType><RelationshipName>ProfilePhoto</RelationshipName></Relationship></relationships>',
    DeleteRelationships: `<sourceHandle>${alias('/UserTiles')}</sourceHandle><targetHandles><ObjectHandle><ResourceID>{cidhex}!201</ResourceID></ObjectHandle></targetHandles>`,
    UpdateDocument: `<document xsi:type="Photo"><ResourceID>{cidhex}!201</ResourceID><Name>x</Name><DocumentStreams><DocumentStream xsi:type="PhotoStream"><MimeType>image/png</MimeType><Data>${PNG}</Data><DataSize>0</DataSize><DocumentStreamType>UserTileStatic</DocumentStreamType></DocumentStream></DocumentStreams></document>`,
  };
  return Object.entries(inner).map(([action, body], i) => ({
    client: 'msnpsharp-3.2.1',
    line: -1 - i,
    host: 'storage.msn.com',
    path: '/storageservice/SchematizedStore.asmx',
    soapaction: `"${NS}/${action}"`,
    'content-type': 'text/xml; charset=utf-8',
    body:
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>` +
      `<StorageUserHeader xmlns="${NS}"><Puid>0</Puid><TicketToken>{ticket}</TicketToken></StorageUserHeader></soap:Header><soap:Body><${action} xmlns="${NS}">${body}</${action}></soap:Body></soap:Envelope>`,
  }));
}

describe(`fuzzing the storage service (FUZZ_SEED=${SEED})`, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_SOAP_REQUEST_RATE: '0' });
  });
  after(() => t.stop());

  test(`${RUNS} mutated storage requests: 200 or a readable fault, never InternalError`, async () => {
    const ids = [await t.user(`fzs-a-${process.pid}@example.com`, 'pw'), await t.user(`fzs-b-${process.pid}@example.com`, 'pw')];
    const [me, other] = ids as [number, number];
    const storage = (await rst2Tokens(t, rst2For(`fzs-a-${process.pid}@example.com`, 'pw'))).get('storage.msn.com')!;
    const hex = (id: number) => id.toString(16).padStart(16, '0');
    // The other account has a profile that must stay as it is.
    await t.server.core.profiles.create(other, { personalStatus: 'untouched' });
    const before = await t.server.core.profiles.get(other);
    const reqs = [...capturedRequests('storage.jsonl').filter((r) => r.soapaction !== ''), ...synthesised()].map((r) => ({
      ...r,
      body: r.body.replaceAll('{cid}', String(me)).replaceAll('{cidhex}', hex(me)),
    }));
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('', '0', '-1', '2147483648', 'true', 'false', 'MyProfile', '/UserTiles', 'ProfilePhoto', 'MyCidStuff', 'UserTileStatic', PNG, '====', 'AAAA'),
      fc.constantFrom(String(me), String(other), `${hex(me)}!106`, `${hex(me)}!118`, `${hex(me)}!201`, `${hex(other)}!106`, `${hex(other)}!118`, `${hex(me)}!999999999999`, '!', 'x'.repeat(2000)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reqs), fc.array(fc.tuple(fc.nat(), value), { minLength: 1, maxLength: 4 }), async (r: CapturedRequest, edits) => {
        const sent = withBodyTexts(r.body, edits);
        const res = await replay(t, { ...r, body: sent }, storage);
        if (res.status === 200) return;
        assert.equal(res.status, 500, `line ${r.line}: status ${res.status}`);
        const f = faultOf(res);
        assert.ok(f, `line ${r.line}: not a fault: ${res.body.toString('utf8').slice(0, 200)}`);
        assert.notEqual(f.errorcode, 'InternalError', `line ${r.line}: ${sent}`);
        assert.equal(f.faultcode, 'soap:Client');
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    assert.deepEqual(await t.server.core.profiles.get(other), before);
    // The service still answers.
    const r = await soapPost(t, { host: 'storage.msn.com', path: '/storageservice/SchematizedStore.asmx', action: `"${NS}/GetProfile"`, body: reqs[0]!.body.replace('{ticket}', storage.replace('&', '&amp;')) });
    assert.ok(r.status === 200 || r.status === 500);
  });
});
