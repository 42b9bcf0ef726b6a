// Passport hardening (issue 5 review): login2.srf never echoes an unsafe ru,
// sign-in is served only over HTTPS, and RST.srf refuses oversized bodies,
// DTDs and pathological markup while still signing in normal requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRst } from '../src/web/rst.js';
import { httpRequest, httpsRequest } from './helpers/https.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { signInWithTicket } from './helpers/tickets.js';

/** The Authorization header MSN 6-7 send to login2.srf, with `ru` as given (already encoded). */
const login2Auth = (email: string, pwd: string, ru = 'http%3A%2F%2Fmessenger%2Emsn%2Ecom') =>
  `Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=${encodeURIComponent(email)},pwd=${encodeURIComponent(pwd)},lc=1033,id=507,tw=40,fs=1,ru=${ru},ct=1062764429,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619`;

/** An RST.srf request as MSN 7.5 sends it, credentials inserted as given (not escaped). */
const rstBody = (user: string, pass: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="x" xmlns:wst="y" xmlns:wsp="z" xmlns:wsa="w">` +
  `<Header><wsse:Security><wsse:UsernameToken Id="user"><wsse:Username>${user}</wsse:Username><wsse:Password>${pass}</wsse:Password></wsse:UsernameToken></wsse:Security></Header>` +
  `<Body><ps:RequestMultipleSecurityTokens xmlns:ps="p" Id="RSTS">` +
  `<wst:RequestSecurityToken Id="RST0"><wst:RequestType>x</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>http://Passport.NET/tb</wsa:Address></wsa:EndpointReference></wsp:AppliesTo></wst:RequestSecurityToken>` +
  `<wst:RequestSecurityToken Id="RST1"><wst:RequestType>x</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>messenger.msn.com</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wsse:PolicyReference URI="?id=507"></wsse:PolicyReference></wst:RequestSecurityToken>` +
  `</ps:RequestMultipleSecurityTokens></Body>${extra}</Envelope>`;

const TOKEN = /<wsse:BinarySecurityToken Id="PPToken1">t=([A-Za-z0-9_-]+)&amp;p=[A-Za-z0-9_-]*<\/wsse:BinarySecurityToken>/;
const FAULT = /^<\?xml version="1\.0" encoding="utf-8"\?><S:Envelope [^>]*><S:Header>.*<\/S:Header><S:Fault><faultcode>wsse:FailedAuthentication<\/faultcode>/s;

describe('Passport hardening', () => {
  let t: TestServer;
  let https: number;
  let http: number;
  before(async () => {
    t = await startTestServer({ MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
    https = t.server.ports.https!;
    http = t.server.ports.http!;
    await t.user('hard@example.com', 'secret');
  });
  after(() => t.stop());

  const nexus = async () => {
    const r = await httpsRequest(https, { host: 'nexus.passport.com', path: '/rdr/pprdr.asp' });
    assert.equal(r.status, 200, 'the server still answers');
  };

  test('login2.srf: a ru with CR LF or a character above U+00FF is not echoed; the default is', async () => {
    for (const ru of ['http%3A%2F%2Fx%0D%0AX-Evil%3A%201', 'http%3A%2F%2Fx%0AX-Evil%3A%201', 'http%3A%2F%2Fx%E2%82%AC', 'http%3A%2F%2F%E4%BD%A0%E5%A5%BD']) {
      const r = await httpsRequest(https, { path: '/login2.srf', headers: { Authorization: login2Auth('hard@example.com', 'secret', ru) } });
      assert.equal(r.statusLine, 'HTTP/1.1 200 OK', ru);
      const info = r.header('Authentication-Info')!;
      assert.match(info, /^Passport1\.4 da-status=success,.*from-PP='t=[A-Za-z0-9_-]+&p=[A-Za-z0-9_-]+',ru=http:\/\/messenger\.msn\.com$/, ru);
      assert.equal(r.header('X-Evil'), undefined, ru);
      assert.ok(r.rawHeaders.every(([k, v]) => !/evil/i.test(k) && !/evil/i.test(v)), ru);
      await nexus();
    }
    // A plain header-safe ru is still echoed as sent.
    const ok = await httpsRequest(https, { path: '/login2.srf', headers: { Authorization: login2Auth('hard@example.com', 'secret', 'http%3A%2F%2Fexample.org%2Fback') } });
    assert.match(ok.header('Authentication-Info')!, /,ru=http:\/\/example\.org\/back$/);
  });

  test('plain HTTP: login2.srf and RST.srf are 403 and issue nothing; the Nexus is served', async () => {
    for (const path of ['/login2.srf', '/ppsecure/login2.srf']) {
      const r = await httpRequest(http, { path, headers: { Authorization: login2Auth('hard@example.com', 'secret') } });
      assert.equal(r.status, 403, path);
      assert.equal(r.header('Authentication-Info'), undefined, path);
      assert.doesNotMatch(r.body.toString(), /t=/, path);
    }
    for (const path of ['/RST.srf', '/pp550/RST.srf', '/pp1100/RST.srf']) {
      const r = await httpRequest(http, { host: 'login.live.com', method: 'POST', path, body: rstBody('hard@example.com', 'secret') });
      assert.equal(r.status, 403, path);
      assert.doesNotMatch(r.body.toString(), /BinarySecurityToken/, path);
    }
    const n = await httpRequest(http, { host: 'nexus.passport.com', path: '/rdr/pprdr.asp' });
    assert.equal(n.status, 200);
    assert.match(n.header('PassportURLs')!, /DALogin=login\.passport\.com\/login2\.srf,/);
  });

  test('RST.srf: over 16 KiB, thousands of unclosed Password tags, or a DTD: a fault; a normal request then signs in', async () => {
    const post = (body: string) => httpsRequest(https, { host: 'login.live.com', method: 'POST', path: '/RST.srf', body });
    const refused: [string, string][] = [
      // Good credentials, but padded past the 16 KiB cap.
      ['over 16 KiB', rstBody('hard@example.com', 'secret', `<Pad>${'x'.repeat(16 * 1024)}</Pad>`)],
      ['unclosed Password tags', rstBody('hard@example.com', '<Password>'.repeat(1500))],
      ['unclosed tags only', '<Password>'.repeat(1500)],
      ['DOCTYPE with entities', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` + rstBody('hard@example.com', 'secret').replace(/^<\?xml[^>]*\?>/, '')],
      ['ENTITY alone', rstBody('hard@example.com', 'secret', '<!ENTITY x "y">')],
    ];
    for (const [what, body] of refused) {
      const r = await post(body);
      assert.equal(r.status, 200, what);
      const text = r.body.toString();
      assert.match(text, FAULT, what);
      assert.doesNotMatch(text, /PPToken1/, what);
    }
    // Exactly at the cap is still read.
    const base = rstBody('hard@example.com', 'secret');
    const atCap = rstBody('hard@example.com', 'secret', `<Pad>${'x'.repeat(16 * 1024 - Buffer.byteLength(base) - 11)}</Pad>`);
    assert.equal(Buffer.byteLength(atCap), 16 * 1024);
    assert.match((await post(atCap)).body.toString(), TOKEN);
    const r = await post(base);
    const m = TOKEN.exec(r.body.toString());
    assert.ok(m, r.body.toString().slice(0, 300));
    const ok = await signInWithTicket(t.ns, 'hard@example.com', `t=${m[1]}&p=x`, 12);
    assert.equal(ok.args[1], 'OK');
  });

  test('RST.srf: a character reference naming no XML character in a credential is a SOAP fault, never a 500', async () => {
    const post = (body: string) => httpsRequest(https, { host: 'login.live.com', method: 'POST', path: '/RST.srf', body });
    for (const ref of ['&#99999999;', '&#x110000;', '&#xD800;', '&#0;', '&#1114112;', `&#${'9'.repeat(40)};`, `&#x${'F'.repeat(40)};`]) {
      for (const body of [rstBody('hard@example.com', `se${ref}cret`), rstBody(`hard${ref}@example.com`, 'secret')]) {
        const r = await post(body);
        assert.equal(r.status, 200, ref);
        assert.match(r.body.toString(), FAULT, ref);
      }
      assert.equal(parseRst(rstBody('a@b.c', `x${ref}`)).password, undefined, ref);
    }
    // The highest and the supplementary characters are still read.
    assert.equal(parseRst(rstBody('a@b.c', 'a&#x10FFFF;&#128512;')).password, 'a\u{10FFFF}\u{1F600}');
    await nexus();
  });

  test('parseRst: credentials from the first opening tag to the first closing tag; raw < and & kept', () => {
    const soap = (u: string, p: string) => rstBody(u, p);
    assert.deepEqual([parseRst(soap('a@b.c', 'pw')).username, parseRst(soap('a@b.c', 'pw')).password], ['a@b.c', 'pw']);
    // Unescaped markup characters as msn-pecan and aMSN send them.
    assert.equal(parseRst(soap('a@b.c', 'a<b&c')).password, 'a<b&c');
    assert.equal(parseRst(soap('a@b.c', 'x&y')).password, 'x&y');
    assert.equal(parseRst(soap('a@b.c', '<<&&')).password, '<<&&');
    // Escaped text is unescaped.
    assert.equal(parseRst(soap('a@b.c', 'a&lt;b&amp;c&#65;')).password, 'a<b&cA');
    // Two Password elements: the first wins; an opening tag without a close: text up to the first close after it.
    assert.equal(parseRst(soap('a@b.c', 'one</wsse:Password><wsse:Password>two')).password, 'one');
    assert.equal(parseRst('<Password>first<Password>second</Password>').password, 'first<Password>second');
    // Any namespace prefix, attributes on the opening tag.
    assert.equal(parseRst('<x:Username Id="u">me@x.y</x:Username><Password a="1">p</Password>').username, 'me@x.y');
    // No closing tag at all: no password.
    assert.equal(parseRst('<Username>me@x.y</Username>' + '<Password>'.repeat(2000)).password, undefined);
    // The token requests are still read in order.
    assert.deepEqual(parseRst(soap('a@b.c', 'a<b')).tokens.map((x) => [x.n, x.address]), [[0, 'http://Passport.NET/tb'], [1, 'messenger.msn.com']]);
  });
});
