// Passport 1.4 over real HTTPS (the test CA): the Nexus, login2.srf, path
// handling, and the exact HTTP framing old clients parse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { httpsRequest, rawHttps } from './helpers/https.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('Passport 1.4', () => {
  let t: TestServer;
  let port: number;
  before(async () => {
    t = await startTestServer();
    port = t.server.ports.https!;
    await t.user('alice@example.com', 'p@ss,word=1');
  });
  after(() => t.stop());

  test('the Nexus names login2.srf in a header spelled PassportURLs', async () => {
    const r = await httpsRequest(port, { host: 'nexus.passport.com', path: '/rdr/pprdr.asp' });
    assert.equal(r.statusLine, 'HTTP/1.1 200 OK');
    const h = r.rawHeaders.find(([k]) => k === 'PassportURLs');
    assert.ok(h, `header names: ${r.rawHeaders.map(([k]) => k).join(', ')}`);
    // COMPAT (Pidgin 2.4.3): DALogin without a scheme, cut at the next comma.
    const da = /(?:^|,)DALogin=([^,]*),/.exec(h[1]);
    assert.equal(da?.[1], 'login.passport.com/login2.srf');
  });

  test('paths: repeated slashes collapse, case is ignored, any Host', async () => {
    for (const path of ['//rdr//pprdr.asp', '/RDR/PPRDR.ASP', '///rdr/pprdr.asp?x=1']) {
      const r = await httpsRequest(port, { host: 'nexus.passport.com', path, headers: { Host: 'anything.example' } });
      assert.equal(r.status, 200, path);
      assert.ok(r.header('PassportURLs'));
    }
    assert.equal((await httpsRequest(port, { path: '/nope' })).status, 404);
    assert.equal((await httpsRequest(port, { path: '/rdr/pprdr.asp', method: 'DELETE' })).status, 405);
  });

  const auth = (email: string, pwd: string) =>
    `Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=${encodeURIComponent(email)},pwd=${encodeURIComponent(pwd)},lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1062764429,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619`;

  test('login2.srf: success gives from-PP in single quotes', async () => {
    const r = await httpsRequest(port, { path: '/login2.srf', headers: { Authorization: auth('Alice@Example.com', 'p@ss,word=1') } });
    assert.equal(r.statusLine, 'HTTP/1.1 200 OK');
    const info = r.header('Authentication-Info')!;
    assert.match(info, /^Passport1\.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,from-PP='t=[A-Za-z0-9_-]+&p=[A-Za-z0-9_-]+',ru=http:\/\/messenger\.msn\.com$/);
  });

  test('login2.srf: a wrong password or missing fields get 401 with cbtxt', async () => {
    for (const headers of [{ Authorization: auth('alice@example.com', 'wrong') }, { Authorization: 'Passport1.4 OrgVerb=GET' }, {}] as Record<string, string>[]) {
      const r = await httpsRequest(port, { path: '/login2.srf', headers });
      assert.equal(r.statusLine, 'HTTP/1.1 401 Unauthorized');
      assert.match(r.header('WWW-Authenticate')!, /^Passport1\.4 da-status=failed,.*cbtxt=[^,]+$/);
      assert.equal(r.header('Authentication-Info'), undefined);
    }
  });

  test('HTTP framing: status line, Content-Length spelled so, never chunked', async () => {
    const { response } = await rawHttps(port, 'GET //rdr/pprdr.asp HTTP/1.1\r\nHost: nexus.passport.com\r\nConnection: close\r\n\r\n', 'nexus.passport.com');
    const head = response.slice(0, response.indexOf('\r\n\r\n'));
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head, /\r\nContent-Length: \d+(\r\n|$)/);
    assert.doesNotMatch(head, /Transfer-Encoding/i);
    assert.match(head, /\r\nPassportURLs: DARealm=Passport\.Net,DALogin=login\.passport\.com\/login2\.srf,/);
  });
});
