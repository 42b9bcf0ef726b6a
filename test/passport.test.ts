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

describe('TLS, certificates and RST.srf', () => {
  test('a fresh data directory gets its own CA; TLS verifies against it for every Messenger name; msnpd cert explains', async () => {
    const { startTestServer: start, runCli, testEnv, tempDir } = await import('./helpers/server.js');
    const { MESSENGER_HOSTNAMES } = await import('../src/web/certificates.js');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = tempDir();
    const t = await start({ MSNPD_TLS_CERT: '', MSNPD_TLS_KEY: '', MSNPD_PUBLIC_HOST: 'msn.example.org' }, dir);
    const ca = path.join(dir, 'tls', 'ca.crt');
    assert.ok(fs.existsSync(ca));
    for (const host of ['nexus.passport.com', 'login.live.com', 'contacts.msn.com', 'msn.example.org', 'rsi.hotmail.com']) {
      const r = await httpsRequest(t.server.ports.https!, { host, path: '/rdr/pprdr.asp', ca });
      assert.equal(r.status, 200, host);
    }
    await t.stop();
    const out = await runCli(['cert'], testEnv(dir, { MSNPD_TLS_CERT: '', MSNPD_TLS_KEY: '', MSNPD_PUBLIC_HOST: 'msn.example.org' }));
    assert.equal(out.code, 0);
    assert.match(out.stdout, new RegExp(`Certificate authority: ${ca.replace(/[.\\/]/g, '\\$&')}`));
    assert.match(out.stdout, /certutil -addstore -f Root ca\.crt/);
    assert.match(out.stdout, /Trusted Root Certification Authorities/);
    assert.ok(MESSENGER_HOSTNAMES.includes('login.passport.com'));
  });

  test('modern TLS is offered to modern clients; TLS 1.0 with AES works for Windows Vista/7', async () => {
    const { startTestServer: start, sharedTls } = await import('./helpers/server.js');
    const tls = await import('node:tls');
    const fs = await import('node:fs');
    const t = await start();
    const connect = (opts: Record<string, unknown>) =>
      new Promise<{ protocol: string | null; cipher: string }>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: t.server.ports.https!, servername: 'login.live.com', ca: fs.readFileSync(sharedTls().ca), ...opts }, () => {
          resolve({ protocol: s.getProtocol(), cipher: s.getCipher().name });
          s.end();
        });
        s.on('error', reject);
      });
    assert.equal((await connect({})).protocol, 'TLSv1.3');
    const old = await connect({ maxVersion: 'TLSv1', minVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' });
    assert.equal(old.protocol, 'TLSv1');
    assert.equal(old.cipher, 'AES128-SHA');
    await t.stop();
  });

  test('RST.srf: tokens in request order, PPToken for messenger.msn.com, no whitespace, any path spelling; records of at most 8 KiB', async () => {
    const { startTestServer: start } = await import('./helpers/server.js');
    const t = await start();
    await t.user('rst@example.com', 'secret');
    const addresses = ['http://Passport.NET/tb', 'messenger.msn.com', 'contacts.msn.com', 'messengersecure.live.com', 'storage.msn.com', 'messengerclear.live.com', 'spaces.live.com', 'sup.live.com', 'directory.services.live.com', 'rpstauth.live.com', 'a.example', 'b.example', 'c.example'];
    const rsts = addresses.map((a, i) => `<wst:RequestSecurityToken Id="RST${i}"><wst:RequestType>x</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>${a}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wsse:PolicyReference URI="?id=507&amp;x=1"></wsse:PolicyReference></wst:RequestSecurityToken>`).join('');
    const soap = `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="x" xmlns:wst="y" xmlns:wsp="z" xmlns:wsa="w"><Header><wsse:Security><wsse:UsernameToken><wsse:Username>rst@example.com</wsse:Username><wsse:Password>secret</wsse:Password></wsse:UsernameToken></wsse:Security></Header><Body><ps:RequestMultipleSecurityTokens xmlns:ps="p">${rsts}</ps:RequestMultipleSecurityTokens></Body></Envelope>`;
    const { response, recordLengths } = await rawHttps(t.server.ports.https!, `POST //RST.srf HTTP/1.1\r\nHost: login.live.com\r\nContent-Length: ${Buffer.byteLength(soap)}\r\nConnection: close\r\n\r\n${soap}`, 'login.live.com');
    const body = response.slice(response.indexOf('\r\n\r\n') + 4);
    assert.ok(body.length > 8192, `a body of ${body.length} bytes`);
    assert.ok(recordLengths.every((l) => l <= 8192 + 256), `TLS records: ${recordLengths.join(',')}`);
    assert.doesNotMatch(body, />\s+</, 'no whitespace between elements');
    const ids = [...body.matchAll(/<wsa:Address>([^<]*)<\/wsa:Address>/g)].map((m) => m[1]);
    assert.deepEqual(ids, addresses, 'one response per request, in order');
    assert.match(body, /<wsse:BinarySecurityToken Id="PPToken1">t=[A-Za-z0-9_-]+&amp;p=[A-Za-z0-9_-]+<\/wsse:BinarySecurityToken>/);
    assert.match(body, /<wsse:BinarySecurityToken Id="Compact2">/);
    assert.match(body, /Id="BinaryDAToken0"/);
    assert.match(body, /<wst:LifeTime><wsu:Created>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/wsu:Created><wsu:Expires>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/wsu:Expires>/);
    // A wrong password, and credentials msn-pecan sends unescaped: a fault directly under the envelope.
    await t.user('amp@example.com', 'a&b<c');
    for (const [user, pass, ok] of [['rst@example.com', 'nope', false], ['amp@example.com', 'a&b<c', true]] as [string, string, boolean][]) {
      const bad = soap.replace('rst@example.com', user).replace('<wsse:Password>secret', `<wsse:Password>${pass}`);
      const r = await httpsRequest(t.server.ports.https!, { host: 'login.live.com', method: 'POST', path: '/RST.srf', body: bad });
      assert.equal(r.status, 200);
      const text = r.body.toString();
      if (ok) assert.match(text, /PPToken1/);
      else assert.match(text, /^<\?xml version="1\.0" encoding="utf-8"\?><S:Envelope [^>]*><S:Header>.*<\/S:Header><S:Fault><faultcode>wsse:FailedAuthentication<\/faultcode>/);
    }
    await t.stop();
  });

  test('the Nexus answers the bare request line Pidgin 2.4.3 sends', async () => {
    const { startTestServer: start } = await import('./helpers/server.js');
    const t = await start();
    const { response } = await rawHttps(t.server.ports.https!, 'GET /rdr/pprdr.asp\r\n\r\n', 'nexus.passport.com');
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(response, /\r\nPassportURLs: DARealm=Passport\.Net,DALogin=login\.passport\.com\/login2\.srf,/);
    await t.stop();
  });

  test('a port that cannot be bound is reported in one line naming the variable; the rest starts', async () => {
    const net = await import('node:net');
    const { bindProblem } = await import('../src/web/index.js');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    const { startTestServer: start } = await import('./helpers/server.js');
    const t = await start({ MSNPD_HTTP_PORT: String(taken) });
    assert.deepEqual(t.server.problems, [`msnpd: HTTP server not started: port ${taken} (MSNPD_HTTP_PORT) is already in use.`]);
    assert.ok(t.server.ports.https && t.ns && t.sb, 'the other listeners run');
    await t.stop();
    blocker.close();
    const line = bindProblem(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }), 'MSNPD_HTTPS_PORT', 443, 'HTTPS server');
    assert.match(line, /^msnpd: HTTPS server not started: port 443 \(MSNPD_HTTPS_PORT\) needs privileges\. .*setcap cap_net_bind_service.* or set MSNPD_HTTPS_PORT to a port above 1023/);
    assert.ok(!line.includes('\n'));
  });
});
