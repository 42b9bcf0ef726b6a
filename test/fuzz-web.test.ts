// Fuzzing the web front of a real server process over HTTPS: random and
// mutated requests to the Nexus (/rdr/pprdr.asp), login2.srf (GET with
// `Authorization: Passport1.4 …`) and RST.srf (POSTed SOAP envelopes with
// entities, deep nesting, huge attributes, character references naming no
// character, invalid UTF-8, truncation), and raw garbage in HTTP's place.
// Every request must get one well-formed HTTP/1.1 response with a sane status
// (never a 5xx: malformed input earns a 4xx, a 401 or a SOAP fault), in time;
// the process stays up, the canary pair never notices, and a fresh sign-in
// through login2.srf and RST.srf works afterwards. (TLS records themselves are
// fuzzed in the legacy TLS tests.) FUZZ_SEED=<n> replays a run, FUZZ_RUNS sizes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import tls from 'node:tls';
import fc from 'fast-check';
import { HOST, sharedTls, sleep, spawnServer, tempDir, type ServerProcess } from './helpers/server.js';
import { addAccounts, CANARY_ACCOUNTS, freshSignIns, startCanary, type Canary } from './helpers/canary.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const USER = 'fuzzweb@example.com';

interface Req {
  kind: 'nexus' | 'login2' | 'rst' | 'raw';
  bytes: Buffer;
  host: string;
}

// ---- what a response must look like -------------------------------------------

interface Parsed {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Parses exactly one HTTP/1.1 response (the connection carries one), or says what is wrong with it. */
function parseResponse(raw: Buffer, head: boolean): Parsed | string {
  // An interim 100 Continue (the client sent Expect: 100-continue) may come first.
  while (/^HTTP\/1\.1 1\d\d [^\r\n]*\r\n\r\n/.test(raw.toString('latin1', 0, 64))) raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return `no complete response head: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`;
  const lines = raw.toString('latin1', 0, end).split('\r\n');
  const m = /^HTTP\/1\.1 (\d{3}) [\x20-\x7e]*$/.exec(lines[0]!);
  if (!m) return `bad status line ${JSON.stringify(lines[0])}`;
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const h = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*)$/.exec(l);
    if (!h) return `bad header line ${JSON.stringify(l)}`;
    headers.set(h[1]!.toLowerCase(), h[2]!);
  }
  const body = raw.subarray(end + 4);
  // client-quirks.md: a Content-Length on every response, never chunked.
  if (headers.has('transfer-encoding')) return 'chunked response';
  const len = headers.get('content-length');
  if (len === undefined || !/^\d+$/.test(len)) return `no Content-Length (${len})`;
  if (body.length !== (head ? 0 : Number(len))) return `body of ${body.length} bytes, Content-Length ${len}`;
  return { status: Number(m[1]), headers, body };
}

/** Sends one request over a fresh TLS connection and collects everything until the server closes. */
function exchange(port: number, r: Req): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = tls.connect({ host: HOST, port, servername: r.host, ca: fs.readFileSync(sharedTls().ca) }, () => s.write(r.bytes));
    // Generous: the server's own idle timeout (2 s here) ends anything slower.
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer within 20 s to ${JSON.stringify(r.bytes.toString('latin1').slice(0, 200))}`));
    }, 20_000);
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts));
    });
  });
}

// ---- generators ---------------------------------------------------------------------

const NASTY_TEXT = [
  '', 'x', ' ', '%', '%zz', '%00', '%0d%0a', '%E9', '\u00e9', '\u4e2d', '\ud83d\ude00', ',', '=', ',,,', "'", '"', '<', '>', '&', ';',
  'a'.repeat(300), 'b'.repeat(5000), '(null)', '-1', '99999999999999999999', 'secret', USER, 'nobody@example.com',
];
const nasty = fc.oneof(fc.constantFrom(...NASTY_TEXT), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
/** Header-safe text (no CR, LF or NUL), possibly with bytes above 0x7f. */
const headerText = nasty.map((s) => s.replace(/[\r\n\0]/g, ''));

const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST') }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'PUT', 'OPTIONS', 'DELETE', 'TRACE', 'CONNECT', 'get', 'G\u00c9T', 'X'.repeat(100)) });

function request(m: string, path: string, host: string, headers: [string, string][], body?: Buffer): Buffer {
  const lines = [`${m} ${path} HTTP/1.1`, `Host: ${host}`, ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body ?? Buffer.alloc(0)]);
}

const extraHeaders = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom('Accept', 'User-Agent', 'Cookie', 'X-Fuzz', 'Content-Type', 'Connection', 'Expect', 'Range'), headerText),
    fc.tuple(fc.constant('X-Long'), fc.nat(20000).map((n) => 'L'.repeat(n))),
  ),
  { maxLength: 4 },
);

const nexus: fc.Arbitrary<Req> = fc
  .tuple(method, fc.constantFrom('/rdr/pprdr.asp', '//rdr/pprdr.asp', '/RDR/PPRDR.ASP', '/rdr/pprdr.asp?x=1', '/rdr/pprdr.asp/..', '/rdr/', '/'), extraHeaders)
  .map(([m, path, hs]) => ({ kind: 'nexus', host: 'nexus.passport.com', bytes: request(m, path, 'nexus.passport.com', hs, m === 'POST' ? Buffer.from('x') : undefined) }));

/** login2.srf's Authorization header as MSN 6-7 send it, then mutated field by field. */
const LOGIN2_FIELDS: [string, string][] = [
  ['OrgVerb', 'GET'], ['OrgURL', 'http%3A%2F%2Fmessenger%2Emsn%2Ecom'], ['sign-in', encodeURIComponent(USER)], ['pwd', 'secret'],
  ['lc', '1033'], ['id', '507'], ['tw', '40'], ['fs', '1'], ['ru', 'http%3A%2F%2Fmessenger%2Emsn%2Ecom'], ['ct', '1062764229'],
  ['kpp', '1'], ['kv', '5'], ['ver', '2.1.0173.1'], ['tpf', '43f8a4c8ed940c04e3740be46c4d1619'],
];
const fieldMutation = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat(20) }),
  fc.record({ op: fc.constant('value' as const), at: fc.nat(20), text: headerText }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(20), text: headerText }),
  fc.record({ op: fc.constant('junk' as const), text: headerText }),
);
const login2: fc.Arbitrary<Req> = fc
  .tuple(
    fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD'),
    fc.constantFrom('/login2.srf', '/ppsecure/login2.srf', '//login2.srf', '/LOGIN2.SRF?lc=1033'),
    fc.constantFrom('Passport1.4 ', 'Passport1.4 Passport1.4 ', 'passport1.4 ', 'Passport1.4', 'Basic ', ''),
    fc.array(fieldMutation, { maxLength: 5 }),
    fc.constantFrom(',', ', ', ',,'),
    fc.boolean(),
    extraHeaders,
  )
  .map(([m, path, scheme, mutations, sep, withAuth, hs]) => {
    const fields = LOGIN2_FIELDS.map(([k, v]) => `${k}=${v}`);
    for (const mu of mutations) {
      const i = 'at' in mu ? mu.at % fields.length : 0;
      if (mu.op === 'drop') fields.splice(i, 1);
      else if (mu.op === 'value') fields[i] = fields[i]!.replace(/=.*$/, `=${mu.text}`);
      else if (mu.op === 'dup') fields.splice(i, 0, fields[i]!.replace(/=.*$/, `=${mu.text}`));
      else fields.push(mu.text);
    }
    const headers: [string, string][] = withAuth ? [['Authorization', scheme + fields.join(sep)], ...hs] : hs;
    return { kind: 'login2' as const, host: 'login.passport.com', bytes: request(m, path, 'login.passport.com', headers) };
  });

/** An RST.srf request as MSN 7.5 and msn-pecan send it. */
function rstEnvelope(user: string, pass: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="http://schemas.xmlsoap.org/ws/2003/06/secext" xmlns:wst="http://schemas.xmlsoap.org/ws/2004/04/trust" xmlns:wsp="http://schemas.xmlsoap.org/ws/2002/12/policy" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/03/addressing">` +
    `<Header><wsse:Security><wsse:UsernameToken Id="user"><wsse:Username>${user}</wsse:Username><wsse:Password>${pass}</wsse:Password></wsse:UsernameToken></wsse:Security></Header>` +
    `<Body><ps:RequestMultipleSecurityTokens xmlns:ps="http://schemas.microsoft.com/Passport/SoapServices/PPCRL" Id="RSTS">` +
    `<wst:RequestSecurityToken Id="RST0"><wst:RequestType>http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>http://Passport.NET/tb</wsa:Address></wsa:EndpointReference></wsp:AppliesTo></wst:RequestSecurityToken>` +
    `<wst:RequestSecurityToken Id="RST1"><wst:RequestType>http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>messenger.msn.com</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wsse:PolicyReference URI="?id=507"></wsse:PolicyReference></wst:RequestSecurityToken>` +
    `</ps:RequestMultipleSecurityTokens></Body></Envelope>`
  );
}

const CHAR_REFS = ['&#99999999;', '&#x110000;', '&#xD800;', '&#0;', '&#1114112;', `&#${'9'.repeat(40)};`, `&#x${'F'.repeat(40)};`, '&#65;', '&#x10FFFF;', '&#;', '&#x;', '&#-1;'];
const ENTITIES = ['&lol;', '&amp;', '&lt;', '&quot;', '&', '&&&', '&amp', '&#', ']]>', '<![CDATA[x]]>', '<!-- c -->', '<?pi x?>'];
/** One change to a valid envelope; each keeps the rest of the envelope as clients send it. */
const xmlMutation = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), where: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.constantFrom(...CHAR_REFS, ...ENTITIES) }),
  // Credentials are where the server reads text out of the envelope: mutate them most.
  ...Array.from({ length: 4 }, () =>
    fc.record({ op: fc.constant('credential' as const), which: fc.constantFrom('user', 'pass'), text: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...CHAR_REFS) }, fc.constantFrom(...ENTITIES), nasty) }),
  ),
  fc.record({ op: fc.constant('nest' as const), where: fc.double({ min: 0, max: 1, noNaN: true }), depth: fc.integer({ min: 1, max: 5000 }), closed: fc.boolean() }),
  fc.record({ op: fc.constant('attribute' as const), size: fc.integer({ min: 1, max: 20000 }) }),
  fc.record({ op: fc.constant('doctype' as const) }),
  fc.record({ op: fc.constant('utf8' as const), where: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => Buffer.from(a.map((b) => b | 0x80))) }),
  fc.record({ op: fc.constant('truncate' as const), where: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant('flip' as const), where: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('repeat' as const), times: fc.integer({ min: 2, max: 400 }) }),
  fc.record({ op: fc.constant('pad' as const), size: fc.integer({ min: 1, max: 40000 }) }),
);
function mutateXml(base: Buffer, m: XmlMutation): Buffer {
  const at = (w: number) => Math.floor(w * base.length);
  const splice = (i: number, add: Buffer | string) => Buffer.concat([base.subarray(0, i), Buffer.isBuffer(add) ? add : Buffer.from(add, 'utf8'), base.subarray(i)]);
  switch (m.op) {
    case 'insert':
      return splice(at(m.where), m.text);
    case 'credential': {
      const s = base.toString('utf8');
      const tag = m.which === 'user' ? '</wsse:Username>' : '</wsse:Password>';
      const i = s.indexOf(tag);
      return i < 0 ? base : splice(Buffer.byteLength(s.slice(0, i)), m.text);
    }
    case 'nest':
      return splice(at(m.where), '<a>'.repeat(m.depth) + (m.closed ? '</a>'.repeat(m.depth) : ''));
    case 'attribute':
      return Buffer.from(base.toString('utf8').replace('<wsse:Password>', `<wsse:Password x="${'A'.repeat(m.size)}">`));
    case 'doctype':
      return Buffer.from(base.toString('utf8').replace('?>', '?><!DOCTYPE Envelope [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'));
    case 'utf8':
      return splice(at(m.where), m.bytes);
    case 'truncate':
      return base.subarray(0, at(m.where));
    case 'flip': {
      const b = Buffer.from(base);
      if (b.length > 0) b[Math.min(b.length - 1, at(m.where))] = m.byte;
      return b;
    }
    case 'repeat':
      return Buffer.from(base.toString('utf8').replace(/<wsse:UsernameToken.*<\/wsse:UsernameToken>/, (t) => t.repeat(m.times)));
    case 'pad':
      return Buffer.from(base.toString('utf8').replace('</Envelope>', `<Pad>${'p'.repeat(m.size)}</Pad></Envelope>`));
  }
}
type XmlMutation = typeof xmlMutation extends fc.Arbitrary<infer T> ? T : never;

const rst: fc.Arbitrary<Req> = fc
  .tuple(
    fc.constantFrom('/RST.srf', '//RST.srf', '/pp550/RST.srf', '/rst.srf'),
    fc.constantFrom('secret', 'wrong'),
    fc.array(xmlMutation, { minLength: 0, maxLength: 3 }),
    fc.constantFrom('text/xml; charset=utf-8', 'application/soap+xml', '', 'text/plain'),
    fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
  )
  .map(([path, password, mutations, type, m]) => {
    let body: Buffer = Buffer.from(rstEnvelope(USER, password));
    for (const mu of mutations) body = mutateXml(body, mu);
    const headers: [string, string][] = type ? [['Content-Type', type]] : [];
    return { kind: 'rst' as const, host: 'login.live.com', bytes: request(m, path, 'login.live.com', headers, body) };
  });

/** Not quite HTTP: random request lines, header lines without colons, bare LF, control bytes, huge URIs. */
const raw: fc.Arbitrary<Req> = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((a) => Buffer.from(a)),
    fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 60 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1 x', 'FOO', '')).map(([m, p, v]) => Buffer.from(`${m} ${p} ${v}`)),
    fc.constantFrom(
      'GET /rdr/pprdr.asp HTTP/1.1\nHost: nexus.passport.com',
      'GET /rdr/pprdr.asp HTTP/1.1\r\nHost nexus.passport.com',
      'GET /rdr/pprdr.asp HTTP/1.1\r\n Host: folded',
      'GET /rdr/pprdr.asp HTTP/1.1\r\nHost: a\r\nHost: b',
      'POST /RST.srf HTTP/1.1\r\nHost: login.live.com\r\nContent-Length: -1',
      'POST /RST.srf HTTP/1.1\r\nHost: login.live.com\r\nContent-Length: 1\r\nContent-Length: 2',
      'POST /RST.srf HTTP/1.1\r\nHost: login.live.com\r\nTransfer-Encoding: chunked\r\nContent-Length: 3',
      'POST /RST.srf HTTP/1.1\r\nHost: login.live.com\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'POST /RST.srf HTTP/1.1\r\nHost: login.live.com\r\nContent-Length: 99999999999999999999',
      `GET /${'a'.repeat(70000)} HTTP/1.1\r\nHost: x`,
      `GET /login2.srf HTTP/1.1\r\nHost: login.passport.com\r\nAuthorization: ${'A'.repeat(100000)}`,
      'GET /login2.srf HTTP/1.1\r\nHost: login.passport.com\r\nAuthorization: Passport1.4 sign-in=a\u0000b,pwd=x',
      'GET /rdr/pprdr.asp HTTP/1.1\r\nHost: nexus.passport.com\r\nConnection: Upgrade\r\nUpgrade: websocket',
      'CONNECT login.live.com:443 HTTP/1.1\r\nHost: login.live.com:443',
    ).map((s) => Buffer.from(s, 'latin1')),
  )
  // Always end the head, so that no case waits for the server's idle timeout.
  .map((b) => ({ kind: 'raw' as const, host: 'login.passport.com', bytes: Buffer.concat([b, Buffer.from('\r\n\r\n')]) }));

const anyRequest = fc.oneof({ weight: 2, arbitrary: nexus }, { weight: 4, arbitrary: login2 }, { weight: 6, arbitrary: rst }, { weight: 2, arbitrary: raw });

/** node:http's limit on a request head (--max-http-header-size). */
const MAX_HEAD = 16 * 1024;
const headBytes = (b: Buffer) => {
  const end = b.indexOf('\r\n\r\n');
  return end < 0 ? b.length : end;
};

// ---- the run ---------------------------------------------------------------------------

describe(`fuzzing the web front over HTTPS (FUZZ_SEED=${SEED})`, () => {
  let server: ServerProcess;
  let canary: Canary;

  before(async () => {
    const dir = tempDir();
    await addAccounts(dir, [...CANARY_ACCOUNTS, USER]);
    server = await spawnServer(dir, {
      MSNPD_MAX_CONNECTIONS_PER_IP: '0',
      MSNPD_LOGIN_FAILURES_PER_IP: '1000000',
      MSNPD_WEB_IDLE_TIMEOUT: '2',
      MSNPD_LOG_LEVEL: 'error',
    });
    canary = await startCanary(server);
  });

  after(async () => {
    await canary?.stop();
    await server?.stop();
  });

  test(`${RUNS} random and mutated requests to the Nexus, login2.srf and RST.srf`, async () => {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))![1]) * 1024;
    const before = rss();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(anyRequest, (r) => check(r).catch((e: unknown) => {
        process.stderr.write(`fuzz case failed: ${e instanceof Error ? e.message : String(e)}\n`);
        throw e;
      })),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    process.stderr.write(`fuzz-web statuses: ${JSON.stringify([...statuses].sort((a, b) => a[0] - b[0]))}\n`);
    await sleep(300);
    assert.equal(server.proc.exitCode, null, 'the server process is still running');
    assert.deepEqual(canary.failures, [], 'the canary pair never noticed');
    assert.ok(canary.messages > 10, `the canary kept talking (${canary.messages} messages)`);
    const grown = rss() - before;
    assert.ok(grown < 150 * 1024 * 1024, `memory stayed bounded (grew ${Math.round(grown / 1048576)} MB)`);
    await freshSignIns(server, USER);

    async function check(r: Req): Promise<void> {
        const got = await exchange(server.https!, r);
        const head = /^HEAD /.test(r.bytes.toString('latin1', 0, 5));
        const what = `${r.kind} request ${JSON.stringify(r.bytes.toString('latin1').slice(0, 300))}`;
        if (got.length === 0 && headBytes(r.bytes) > MAX_HEAD) {
          // Past node:http's 16 KiB head limit the connection may simply be cut.
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
          return;
        }
        const p = parseResponse(got, head);
        assert.ok(typeof p !== 'string', `${what}: ${p}`);
        statuses.set(p.status, (statuses.get(p.status) ?? 0) + 1);
        assert.ok(p.status >= 200 && p.status < 500, `${what}: status ${p.status}`);
        const body = p.body.toString('utf8');
        if (r.kind === 'rst' && p.status === 200 && !head) {
          // Either a token collection or the fault, as one XML document.
          assert.match(body, /^<\?xml version="1\.0" encoding="utf-8"\?><S:Envelope /, what);
          assert.ok(/<S:Fault><faultcode>wsse:FailedAuthentication<\/faultcode>/.test(body) || /BinarySecurityToken Id="(?:PPToken|Compact)1">t=/.test(body), `${what}: neither token nor fault: ${body.slice(0, 300)}`);
        }
        if (r.kind === 'login2' && p.status === 200 && r.bytes.toString('latin1').startsWith('GET ')) {
          assert.match(p.headers.get('authentication-info') ?? '', /^Passport1\.4 da-status=success,.*from-PP='t=[^']+&p=[^']*'/, what);
        }
        if (p.status === 401) assert.match(p.headers.get('www-authenticate') ?? '', /^Passport1\.4 da-status=failed,/, what);
        assert.equal(server.proc.exitCode, null, 'the server process is still running');
    }
  });

  test('what node:http answers by itself is answered as every response: an unknown Expect (417), CONNECT (405), Upgrade', async () => {
    const cases: [string, [string, string][], number][] = [
      ['GET', [['Expect', 'foo']], 417],
      ['GET', [['Expect', '200-ok']], 417],
      ['CONNECT', [], 405],
      ['GET', [['Connection', 'Upgrade'], ['Upgrade', 'websocket']], 200],
      ['GET', [['Connection', 'Upgrade'], ['Upgrade', 'h2c']], 200],
    ];
    for (const [m, headers, status] of cases) {
      const r: Req = { kind: 'nexus', host: 'nexus.passport.com', bytes: request(m, '/rdr/pprdr.asp', 'nexus.passport.com', headers) };
      // exchange() resolves only once the server closes the connection.
      const p = parseResponse(await exchange(server.https!, r), false);
      assert.ok(typeof p !== 'string', `${m} ${JSON.stringify(headers)}: ${p as string}`);
      assert.equal(p.status, status, `${m} ${JSON.stringify(headers)}`);
    }
  });

  test('a credential with &#99999999; is a SOAP fault, and every out-of-range reference too', async () => {
    for (const ref of CHAR_REFS.slice(0, 7)) {
      for (const [user, pass] of [[USER, `se${ref}cret`], [`fuzz${ref}web@example.com`, 'secret']] as const) {
        const r: Req = { kind: 'rst', host: 'login.live.com', bytes: request('POST', '/RST.srf', 'login.live.com', [['Content-Type', 'text/xml']], Buffer.from(rstEnvelope(user, pass))) };
        const p = parseResponse(await exchange(server.https!, r), false);
        assert.ok(typeof p !== 'string', p as string);
        assert.equal(p.status, 200, ref);
        assert.match(p.body.toString(), /<S:Fault><faultcode>wsse:FailedAuthentication<\/faultcode>/, ref);
      }
    }
    assert.deepEqual(canary.failures, []);
    await freshSignIns(server, USER);
  });
});
