// RST.srf and RST2.srf for MSNP13-18 over real HTTPS against a real server:
// every sign-in request Pidgin 2.11, MSNPSharp 3.2.1 and MSNPSharp 5 really
// sent (test/fixtures/sso) replayed and answered with one token per address,
// tokens bound to account and service, expiring, revoked by the CLI, the SSO
// challenge response verified with the proof key the response carried, and
// faults (never a 500) for wrong passwords and malformed bodies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Clock } from '../src/core/clock.js';
import { SERVICE } from '../src/core/service-tokens.js';
import { computeSsoResponse, newSsoNonce } from '../src/core/sso-response.js';
import { httpRequest, httpsRequest } from './helpers/https.js';
import { code } from './helpers/ns.js';
import { spawnServer, startTestServer, tempDir, type TestServer } from './helpers/server.js';
import { signInWithTicket } from './helpers/tickets.js';
import { capturedRequests, faultOf, replay as replaySoap } from './helpers/soap.js';
import { cliApplied } from './helpers/cli.js';

interface Captured {
  client: string;
  user: string;
  password: string;
  host: string;
  path: string;
  'content-type': string;
  body: string;
}

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/sso/rst-requests.jsonl');
const CAPTURED: Captured[] = fs
  .readFileSync(FIXTURES, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Captured);

interface Token {
  n: number;
  id: string;
  address: string;
  /** `t=…&p=…`, unescaped. */
  token: string | undefined;
  secret: string | undefined;
  created: string;
  expires: string;
  /** Child element names, in order. */
  children: string[];
}

/** Names of the direct children of the element whose inner XML is `inner`. */
function childNames(inner: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const m of inner.matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
    if (m[1]) depth--;
    else {
      if (depth === 0) names.push(m[2]!);
      if (!m[3]) depth++;
    }
  }
  return names;
}

/** The tokens of an RST/RST2 answer, in order. */
function tokensOf(body: string): Token[] {
  return [...body.matchAll(/<wst:RequestSecurityTokenResponse>(.*?)<\/wst:RequestSecurityTokenResponse>/g)].map((m) => {
    const x = m[1]!;
    const bst = /<wsse:BinarySecurityToken Id="(\w+?)(\d+)">([^<]*)<\/wsse:BinarySecurityToken>/.exec(x);
    const da = /<EncryptedData [^>]*Id="(BinaryDAToken)(\d+)"/.exec(x);
    return {
      n: Number((bst ?? da)![2]),
      id: (bst ?? da)![1]! + (bst ?? da)![2],
      address: /<wsa:Address>([^<]*)<\/wsa:Address>/.exec(x)![1]!,
      token: bst?.[3]!.replace(/&amp;/g, '&'),
      secret: /<wst:BinarySecret>([^<]*)<\/wst:BinarySecret>/.exec(x)?.[1],
      created: /<wsu:Created>([^<]*)<\/wsu:Created>/.exec(x)![1]!,
      expires: /<wsu:Expires>([^<]*)<\/wsu:Expires>/.exec(x)![1]!,
      children: childNames(x),
    };
  });
}

/** The addresses a request asked for, in order, with their RSTn. */
function asked(body: string): { n: number; address: string }[] {
  return [...body.matchAll(/RequestSecurityToken\b[^>]*Id=['"]RST(\d+)['"].*?<wsa:Address>([^<]*)<\/wsa:Address>/g)].map((m) => ({ n: Number(m[1]), address: m[2]! }));
}

const LIFETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const TOKEN = /^t=[A-Za-z0-9_-]{20,}&p=[A-Za-z0-9_-]*$/;

/** Lets a test move the server's clock forward (tokens read it when checked). */
function shiftableClock(t: TestServer): { advance(ms: number): void; restore(): void } {
  const core = t.server.core as unknown as { clock: Clock };
  const original = core.clock;
  let offset = 0;
  core.clock = { now: () => original.now() + offset };
  return { advance: (ms) => (offset += ms), restore: () => (core.clock = original) };
}

async function post(t: TestServer, p: string, body: string, contentType = 'application/soap+xml; charset=utf-8') {
  const r = await httpsRequest(t.server.ports.https!, { host: 'login.live.com', method: 'POST', path: p, headers: { 'Content-Type': contentType }, body });
  return { status: r.status, type: r.header('Content-Type'), body: r.body.toString('utf8') };
}

async function replay(t: TestServer, c: Captured) {
  // COMPAT: Pidgin 2.11 really posts to //RST.srf (captures README).
  return post(t, c.client.startsWith('pidgin') ? '/' + c.path : c.path, c.body, c['content-type']);
}

/** The SOAP 1.2 fault of RST2.srf, with the failure status MSNPSharp reads. */
function assertRst2Fault(r: { status: number; body: string }, subcode: string, what: string): void {
  assert.equal(r.status, 200, what);
  assert.ok(XMLValidator.validate(r.body) === true, `${what}: well-formed`);
  assert.match(r.body, /^<\?xml version="1\.0" encoding="utf-8"\?><S:Envelope [^>]*xmlns:S="http:\/\/www\.w3\.org\/2003\/05\/soap-envelope"/, what);
  assert.match(r.body, /<S:Header><psf:pp>.*<psf:reqstatus>0x[0-9A-Fa-f]+<\/psf:reqstatus>.*<\/psf:pp><\/S:Header><S:Body><S:Fault><S:Code><S:Value>S:Sender<\/S:Value>/, what);
  assert.ok(r.body.includes(`<S:Subcode><S:Value>${subcode}</S:Value></S:Subcode>`), `${what}: ${subcode}`);
  assert.doesNotMatch(r.body, /BinarySecurityToken|BinarySecret/, what);
}

describe('RST2.srf and RST.srf for MSNP13-18', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_SERVICE_TOKEN_TTL: '30', MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
    for (const c of CAPTURED) if (!(await t.server.core.accounts.get(c.user))) await t.user(c.user, c.password);
  });
  after(() => t.stop());

  test('the fixtures hold every client and both endpoints', () => {
    assert.deepEqual([...new Set(CAPTURED.map((c) => `${c.client} ${c.path}`))].sort(), ['msnpsharp-3.2.1 /RST2.srf', 'msnpsharp-5-msnp21 /RST2.srf', 'pidgin-2.11 /RST.srf']);
  });

  for (const [i, c] of CAPTURED.entries()) {
    test(`${c.client} #${i} (${c.user}) at ${c.path}: one token per address, bound to the account and its service`, async () => {
      const r = await replay(t, c);
      assert.equal(r.status, 200);
      assert.ok(XMLValidator.validate(r.body) === true, 'well-formed');
      // COMPAT: Pidgin <= 2.11 crashes on whitespace between elements (client-quirks.md).
      assert.doesNotMatch(r.body, />\s+</);
      const rst2 = c.path === '/RST2.srf';
      assert.match(r.type!, rst2 ? /^application\/soap\+xml/ : /^text\/xml/);
      const holder = await t.server.core.accounts.get(c.user);
      // COMPAT: MSNPSharp parses reqstatus after `0x` and the CID as bare hex.
      assert.match(r.body, /<psf:authstate>0x48803<\/psf:authstate><psf:reqstatus>0x0<\/psf:reqstatus>/);
      assert.match(r.body, new RegExp(`<psf:credProperty Name="CID">${holder!.id.toString(16)}</psf:credProperty>`));
      const want = asked(c.body);
      assert.ok(want.length >= 7, `asked ${want.length}`);
      const got = tokensOf(r.body);
      assert.deepEqual(
        got.map((g) => [g.n, g.address]),
        want.map((w) => [w.n, w.address]),
        'one answer per RSTn, in order, echoing the address',
      );
      let clear: Token | undefined;
      for (const g of got) {
        assert.match(g.created, LIFETIME, g.address);
        assert.match(g.expires, LIFETIME, g.address);
        assert.ok(g.children.includes('wsp:AppliesTo') && g.children.includes('wst:RequestedSecurityToken'), g.address);
        if (g.address === 'http://Passport.NET/tb') {
          assert.equal(g.id, `BinaryDAToken${g.n}`);
          assert.match(r.body, /<CipherData><CipherValue>[A-Za-z0-9+/=]+<\/CipherValue><\/CipherData>/);
          assert.equal(Buffer.from(g.secret!, 'base64').length, 24, 'tb proof key');
          continue;
        }
        // COMPAT: RST2 answers RSTn with Compactn (MSNPSharp looks tokens up by address,
        // Pidgin by n); RST.srf keeps MSNP12's PPTokenn for messenger.msn.com.
        assert.equal(g.id, `${!rst2 && g.address === 'messenger.msn.com' ? 'PPToken' : 'Compact'}${g.n}`, g.address);
        assert.match(g.token!, TOKEN, g.address);
        const tokens = t.server.core.serviceTokens;
        assert.deepEqual(await tokens.check(g.token!, g.address), { accountId: holder!.id, email: c.user }, `${g.address} passes for its own service`);
        for (const other of [SERVICE.contacts, SERVICE.storage, SERVICE.messengerClear, SERVICE.messengerSecure].filter((s) => s !== g.address.replace('storage.live.com', SERVICE.storage))) {
          assert.equal(await tokens.check(g.token!, other), undefined, `${g.address} token does not pass for ${other}`);
        }
        if (g.address === SERVICE.messengerClear) {
          clear = g;
          assert.equal(Buffer.from(g.secret!, 'base64').length, 24, 'the SSO proof key');
        } else assert.equal(g.secret, undefined, `${g.address} carries no proof key`);
      }
      // The BinarySecret in the answer is the key the SSO response is checked with.
      assert.ok(clear, 'a messengerclear.live.com token');
      const tb = got.find((g) => g.address === 'http://Passport.NET/tb');
      assert.equal(tb?.secret, clear.secret, 'the tb token shows the same proof key');
      const nonce = newSsoNonce();
      const response = computeSsoResponse(Buffer.from(clear.secret!, 'base64'), nonce);
      assert.deepEqual(await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, response, nonce, c.user.toUpperCase()), { ok: true, accountId: holder!.id, email: c.user });
      // Not single use (MSNPSharp reconnects with its cached ticket); each nonce is fresh.
      const again = newSsoNonce();
      assert.equal((await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, computeSsoResponse(Buffer.from(clear.secret!, 'base64'), again), again, c.user)).ok, true);
      assert.deepEqual(await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, response, again, c.user), { ok: false, reason: 'bad-response' }, 'an answer to another nonce');
    });
  }

  test('only the messenger.msn.com token signs in through USR TWN S (MSNP12-14); the others are bound to their services', async () => {
    const c = CAPTURED.find((x) => x.client === 'pidgin-2.11')!;
    const got = tokensOf((await replay(t, c)).body);
    for (const address of [SERVICE.messengerClear, SERVICE.contacts, 'storage.live.com']) {
      await assert.rejects(signInWithTicket(t.ns, c.user, got.find((g) => g.address === address)!.token!, 12), code(911), address);
    }
    const web = got.find((g) => g.address === SERVICE.messengerWeb)!;
    assert.equal((await signInWithTicket(t.ns, c.user, web.token!, 12)).args[1], 'OK');
  });

  test('the address book and sharing services take the contacts token of that account, not another service\'s', async () => {
    const soap = capturedRequests();
    for (const client of ['msnpsharp-3.2.1', 'pidgin-2.11'] as const) {
      const c = CAPTURED.find((x) => x.client === client)!;
      const got = tokensOf((await replay(t, c)).body);
      const token = (address: string) => got.find((g) => g.address === address)!.token!;
      for (const r of [soap.find((x) => x.client === client && x.path.endsWith('SharingService.asmx'))!, soap.find((x) => x.client === client && x.path.endsWith('abservice.asmx'))!]) {
        const ok = await replaySoap(t, r, token(SERVICE.contacts));
        assert.equal(ok.status, 200, `${client} ${r.path} with the contacts token: ${ok.body.toString().slice(0, 300)}`);
        for (const other of [SERVICE.messengerClear, client === 'pidgin-2.11' ? 'storage.live.com' : SERVICE.storage, SERVICE.messengerSecure]) {
          const no = await replaySoap(t, r, token(other));
          assert.equal(faultOf(no)?.errorcode, 'PassportAuthFail', `${client} ${r.path} with the ${other} token`);
        }
      }
    }
  });

  test('RST2 answers follow ws-trust.xsd element order; the SOAP 1.2 envelope parses', async () => {
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const r = await replay(t, c);
    const doc = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false }).parse(r.body) as Record<string, any>;
    assert.ok(doc.Envelope.Body.RequestSecurityTokenResponseCollection.RequestSecurityTokenResponse.length >= 7);
    const order = ['wst:TokenType', 'wsp:AppliesTo', 'wst:Lifetime', 'wst:RequestedSecurityToken', 'wst:RequestedAttachedReference', 'wst:RequestedUnattachedReference', 'wst:RequestedTokenReference', 'wst:RequestedProofToken'];
    for (const g of tokensOf(r.body)) {
      const idx = g.children.map((n) => order.indexOf(n));
      assert.ok(idx.every((v) => v >= 0), `${g.address}: ${g.children.join(',')}`);
      assert.deepEqual(idx, [...idx].sort((a, b) => a - b), `${g.address}: ${g.children.join(',')}`);
    }
    // ps-fault.xsd order of psf:pp.
    const pp = /<psf:pp>(.*?)<\/psf:pp>/.exec(r.body)![1]!;
    assert.deepEqual(childNames(pp), ['psf:serverVersion', 'psf:PUID', 'psf:configVersion', 'psf:uiVersion', 'psf:authstate', 'psf:reqstatus', 'psf:serverInfo', 'psf:cookies', 'psf:browserCookies', 'psf:credProperties', 'psf:extProperties', 'psf:response']);
  });

  test('another account\'s token speaks for that account only, and its SSO ticket does not sign in anyone else', async () => {
    const a = CAPTURED.find((x) => x.user === 'user3101@example.com' && x.path === '/RST2.srf');
    const b = CAPTURED.find((x) => x.user === 'user3102@example.com' && x.path === '/RST2.srf');
    const tb = tokensOf((await replay(t, b!)).body);
    const bContacts = tb.find((g) => g.address === SERVICE.contacts)!;
    const aId = (await t.server.core.accounts.get(a!.user))!.id;
    assert.notEqual((await t.server.core.serviceTokens.check(bContacts.token!, SERVICE.contacts))?.accountId, aId);
    const clear = tb.find((g) => g.address === SERVICE.messengerClear)!;
    const nonce = newSsoNonce();
    const response = computeSsoResponse(Buffer.from(clear.secret!, 'base64'), nonce);
    assert.deepEqual(await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, response, nonce, a!.user), { ok: false, reason: 'wrong-account' });
    // A contacts token is no SSO ticket, whatever the response.
    assert.deepEqual(await t.server.core.serviceTokens.verifySsoSignIn(bContacts.token!, response, nonce, b!.user), { ok: false, reason: 'unknown-ticket' });
    // The SOAP services' names for their tokens.
    assert.equal((await t.server.core.serviceTokens.check(bContacts.token!, 'contacts'))?.email, b!.user);
    assert.equal((await t.server.core.serviceTokens.check(tb.find((g) => g.address === SERVICE.storage)!.token!, 'storage'))?.email, b!.user);
    assert.equal((await t.server.core.serviceTokens.check(tb.find((g) => g.address === SERVICE.messengerSecure)!.token!, 'oim'))?.email, b!.user);
    assert.equal((await t.server.core.serviceTokens.check(tb.find((g) => g.address === SERVICE.messengerWeb)!.token!, 'rsi'))?.email, b!.user);
    assert.equal(await t.server.core.serviceTokens.check(bContacts.token!, 'rsi'), undefined);
    // A bare `t=` (Pidgin sends it without `&p=`) is the same token.
    assert.equal((await t.server.core.serviceTokens.check(bContacts.token!.split('&')[0]!, SERVICE.contacts))?.email, b!.user);
  });

  test('tokens expire after MSNPD_SERVICE_TOKEN_TTL (injected clock)', async () => {
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const clock = shiftableClock(t);
    try {
      const got = tokensOf((await replay(t, c)).body);
      const contacts = got.find((g) => g.address === SERVICE.contacts)!;
      const clear = got.find((g) => g.address === SERVICE.messengerClear)!;
      assert.equal(Date.parse(contacts.expires) - Date.parse(contacts.created), 30_000, 'the lifetime says so too');
      const nonce = newSsoNonce();
      const response = computeSsoResponse(Buffer.from(clear.secret!, 'base64'), nonce);
      clock.advance(29_000);
      assert.ok(await t.server.core.serviceTokens.check(contacts.token!, SERVICE.contacts), 'live just before');
      assert.equal((await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, response, nonce, c.user)).ok, true);
      clock.advance(1_000);
      assert.equal(await t.server.core.serviceTokens.check(contacts.token!, SERVICE.contacts), undefined, 'expired');
      assert.deepEqual(await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, response, nonce, c.user), { ok: false, reason: 'unknown-ticket' });
    } finally {
      clock.restore();
    }
  });

  test('RST2 wrong password, unknown account, no credentials: FailedAuthentication fault with 0x status', async () => {
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const cases: [string, string][] = [
      [c.body.replace(`<wsse:Password>${c.password}</wsse:Password>`, '<wsse:Password>wrong</wsse:Password>'), 'wrong password'],
      [c.body.replace(`<wsse:Username>${c.user}</wsse:Username>`, '<wsse:Username>nobody@example.com</wsse:Username>'), 'unknown account'],
      [c.body.replace(/<wsse:UsernameToken.*?<\/wsse:UsernameToken>/, ''), 'no credentials'],
    ];
    for (const [body, what] of cases) {
      assert.notEqual(body, c.body, what);
      assertRst2Fault(await post(t, '/RST2.srf', body), 'wst:FailedAuthentication', what);
    }
  });

  test('RST2 malformed, oversized and DTD bodies: InvalidRequest fault, never a 500', async () => {
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` + c.body.replace('<?xml version="1.0" encoding="utf-8"?>', '').replace(c.user, '&b;');
    const cases: [string, string][] = [
      ['', 'empty'],
      ['not xml at all', 'not XML'],
      ['<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>', 'no tokens asked'],
      [c.body.slice(0, 1500), 'cut short'],
      [c.body.replace('</soap:Header>', `<x>${'y'.repeat(17 * 1024)}</x></soap:Header>`), 'over 16 KiB'],
      [laughs, 'a DTD'],
    ];
    for (const [body, what] of cases) assertRst2Fault(await post(t, '/RST2.srf', body), 'wst:InvalidRequest', what);
    // The server goes on.
    assert.equal(tokensOf((await replay(t, c)).body).length, asked(c.body).length);
  });

  test(`RST2 mutated requests: always a 200 with tokens or a fault, well-formed (seed ${SEED}, FUZZ_SEED replays)`, async () => {
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const piece = fc.oneof(fc.constantFrom('<', '>', '&', '&amp;', '&#0;', '&#x110000;', '"', "'", '</soap:Body>', '<wst:RequestSecurityToken Id="RST9">', '<!--', ']]>', '\u0000', '\uFFFF', 'é'), fc.string({ maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(fc.nat(c.body.length), fc.nat(200), piece, fc.boolean(), async (at, cut, insert, truncate) => {
        const body = truncate ? c.body.slice(0, at) : c.body.slice(0, at) + insert + c.body.slice(Math.min(c.body.length, at + cut));
        const r = await post(t, '/RST2.srf', body);
        assert.equal(r.status, 200);
        assert.ok(XMLValidator.validate(r.body) === true, r.body.slice(0, 200));
        assert.ok(/<wst:RequestSecurityTokenResponseCollection>/.test(r.body) || /<S:Fault><S:Code><S:Value>S:Sender<\/S:Value>/.test(r.body), r.body.slice(0, 300));
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  test('RST2.srf is HTTPS only', async () => {
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const r = await httpRequest(t.server.ports.http!, { host: 'login.live.com', method: 'POST', path: '/RST2.srf', body: c.body });
    assert.equal(r.status, 403);
  });
});

describe('service tokens and the CLI while the service runs', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
  });
  after(() => t.stop());

  const applied = (args: string[]) => cliApplied(t, args);

  const signIn = async (email: string, password: string) => {
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const body = c.body.replace(`<wsse:Username>${c.user}</wsse:Username>`, `<wsse:Username>${email}</wsse:Username>`).replace(`<wsse:Password>${c.password}</wsse:Password>`, `<wsse:Password>${password}</wsse:Password>`);
    return tokensOf((await post(t, '/RST2.srf', body)).body);
  };

  test('user passwd revokes every service token; tokens from the new password work', async () => {
    await t.user('sso-pw@example.com', 'oldpass');
    const old = await signIn('sso-pw@example.com', 'oldpass');
    const contacts = old.find((g) => g.address === SERVICE.contacts)!;
    const clear = old.find((g) => g.address === SERVICE.messengerClear)!;
    assert.ok(await t.server.core.serviceTokens.check(contacts.token!, SERVICE.contacts));
    await applied(['user', 'passwd', 'sso-pw@example.com', 'newpass']);
    assert.equal(await t.server.core.serviceTokens.check(contacts.token!, SERVICE.contacts), undefined, 'contacts token from before the change');
    const nonce = newSsoNonce();
    assert.deepEqual(
      await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, computeSsoResponse(Buffer.from(clear.secret!, 'base64'), nonce), nonce, 'sso-pw@example.com'),
      { ok: false, reason: 'unknown-ticket' },
      'SSO ticket from before the change',
    );
    assert.equal((await signIn('sso-pw@example.com', 'oldpass')).length, 0, 'the old password');
    const fresh = await signIn('sso-pw@example.com', 'newpass');
    assert.ok(await t.server.core.serviceTokens.check(fresh.find((g) => g.address === SERVICE.contacts)!.token!, SERVICE.contacts));
  });

  test('user delete revokes every service token', async () => {
    await t.user('sso-gone@example.com', 'secret');
    const got = await signIn('sso-gone@example.com', 'secret');
    const storage = got.find((g) => g.address === SERVICE.storage)!;
    assert.ok(await t.server.core.serviceTokens.check(storage.token!, SERVICE.storage));
    await applied(['user', 'delete', 'sso-gone@example.com']);
    assert.equal(await t.server.core.serviceTokens.check(storage.token!, SERVICE.storage), undefined);
  });
});

describe('service tokens across kill -9', () => {
  test('tokens answered before the kill still check, and the SSO proof key still verifies, after a restart', async () => {
    const dir = tempDir();
    const c = CAPTURED.find((x) => x.client === 'msnpsharp-3.2.1')!;
    const first = await startTestServer({}, dir);
    await first.user(c.user, c.password);
    await first.stop();
    const srv = await spawnServer(dir);
    let got: Token[];
    try {
      const r = await httpsRequest(srv.https!, { host: 'login.live.com', method: 'POST', path: '/RST2.srf', headers: { 'Content-Type': c['content-type'] }, body: c.body });
      got = tokensOf(r.body.toString('utf8'));
      assert.equal(got.length, asked(c.body).length);
    } finally {
      // MSNPSharp keeps these tokens cached and reconnects with them.
      await srv.stop('SIGKILL');
    }
    const t = await startTestServer({}, dir);
    try {
      const holder = await t.server.core.accounts.get(c.user);
      for (const address of [SERVICE.contacts, SERVICE.storage, SERVICE.messengerSecure, 'sup.live.com', SERVICE.messengerWeb]) {
        assert.deepEqual(await t.server.core.serviceTokens.check(got.find((g) => g.address === address)!.token!, address), { accountId: holder!.id, email: c.user }, address);
      }
      const clear = got.find((g) => g.address === SERVICE.messengerClear)!;
      const nonce = newSsoNonce();
      const response = computeSsoResponse(Buffer.from(clear.secret!, 'base64'), nonce);
      assert.equal((await t.server.core.serviceTokens.verifySsoSignIn(clear.token!, response, nonce, c.user)).ok, true);
    } finally {
      await t.stop();
    }
  });
});
