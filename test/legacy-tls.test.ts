// Windows XP's TLS on the HTTPS port (issue 6), against a real server over
// real sockets: gnutls-cli and msnpd's own TLS 1.0 client with each of the
// three suites (Nexus and login2.srf over them), modern clients on the same
// port, MSNPD_TLS_LEGACY=off, fuzzed and truncated ClientHellos, deliberate
// protocol faults and the alerts RFC 2246 asks for, and known-answer vectors
// for RC4 and the TLS 1.0 PRF. FUZZ_SEED=<n> replays another fuzz run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import fc from 'fast-check';
import { pino } from 'pino';
import { httpsRequest } from './helpers/https.js';
import { HOST, sharedTls, startTestServer, type TestServer } from './helpers/server.js';
import { ensureGnutlsCli, fatalAlert, GNUTLS_PRIORITY, gnutlsRequest, rawExchange, records } from './helpers/tls-wire.js';
import { clientHelloRecord, LegacyTlsClient, sslv2ClientHello, TlsAlertError } from '../src/web/tls/legacy/client.js';
import { prf } from '../src/web/tls/legacy/prf.js';
import { parseClientHello, type ClientHello } from '../src/web/tls/clienthello.js';
import { route, sniff } from '../src/web/tls/sniff.js';
import { Rc4 } from '../src/web/tls/legacy/rc4.js';
import { ALERT, CONTENT, handshakeMessage, recordHeader, RecordReader } from '../src/web/tls/legacy/record.js';
import { LEGACY_SUITES } from '../src/web/tls/legacy/suites.js';

const SEED = Number(process.env.FUZZ_SEED ?? 6_2002);
/** MSNPD_TLS_HANDSHAKE_TIMEOUT for these servers, in seconds. */
const HANDSHAKE_TIMEOUT = 2;
/** How long a test waits for the server to close before calling it a hang (the timeout plus slack for a loaded machine). */
const HANG = (HANDSHAKE_TIMEOUT + 8) * 1000;
const EMAIL = 'xp@example.com';
const PASSWORD = 'p@ss,word=1';

const auth = (email: string, pwd: string) =>
  `Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=${encodeURIComponent(email)},pwd=${encodeURIComponent(pwd)},lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1062764429,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619`;
const nexusRequest = 'GET /rdr/pprdr.asp HTTP/1.1\r\nHost: nexus.passport.com\r\n\r\n';
const loginRequest = (pwd: string) => `GET /login2.srf HTTP/1.1\r\nHost: login.passport.com\r\nAuthorization: ${auth(EMAIL, pwd)}\r\n\r\n`;
const FROM_PP = /\r\nAuthentication-Info: Passport1\.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,from-PP='t=[A-Za-z0-9_-]+&p=[A-Za-z0-9_-]+',ru=http:\/\/messenger\.msn\.com\r\n/;
const GNUTLS_NAMES: Record<number, string> = { 0x000a: '(3DES-CBC)-(SHA1)', 0x0005: '(ARCFOUR-128)-(SHA1)', 0x0004: '(ARCFOUR-128)-(MD5)' };
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A server whose log lines (pino JSON) can be read back. */
async function loggedServer(env: Record<string, string>): Promise<{ t: TestServer; lines: string[] }> {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const t = await startTestServer({ MSNPD_TLS_HANDSHAKE_TIMEOUT: String(HANDSHAKE_TIMEOUT), ...env }, undefined, { log });
  return { t, lines };
}

/** `p`, or a failure once the server has had far longer than it needs (a hang). */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${HANG} ms`)), HANG)));
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

function modernHealthy(port: number): Promise<number> {
  return httpsRequest(port, { host: 'nexus.passport.com', path: '/rdr/pprdr.asp' }).then((r) => r.status);
}

describe('legacy TLS 1.0 (Windows XP) on the HTTPS port', () => {
  let t: TestServer;
  let lines: string[];
  let port: number;
  const ca = sharedTls().ca;
  const legacy = (opts: Partial<Parameters<typeof LegacyTlsClient.connect>[0]> = {}) => ({ host: HOST, port, ca: fs.readFileSync(ca), ...opts });

  before(async () => {
    ({ t, lines } = await loggedServer({}));
    port = t.server.ports.https!;
    await t.user(EMAIL, PASSWORD);
  });
  after(() => t.stop());

  for (const suite of LEGACY_SUITES) {
    test(`gnutls-cli, ${suite.name}, no SNI: Nexus and login2.srf`, async () => {
      const cli = await ensureGnutlsCli();
      const priority = GNUTLS_PRIORITY[suite.id]!;
      const nexus = await gnutlsRequest(cli, port, priority, ca, nexusRequest);
      assert.equal(nexus.code, 0, nexus.log);
      assert.match(nexus.log, /The certificate is trusted/);
      assert.ok(nexus.log.includes(`- Description: (TLS1.0-X.509)-(RSA)-${GNUTLS_NAMES[suite.id]}`), nexus.log);
      assert.match(nexus.response, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(nexus.response, /\r\nPassportURLs: DARealm=Passport\.Net,DALogin=login\.passport\.com\/login2\.srf,/);
      const ok = await gnutlsRequest(cli, port, priority, ca, loginRequest(PASSWORD));
      assert.match(ok.response, /^HTTP\/1\.1 200 OK\r\n/, ok.log);
      assert.match(ok.response, FROM_PP);
      const bad = await gnutlsRequest(cli, port, priority, ca, loginRequest('wrong'));
      assert.match(bad.response, /^HTTP\/1\.1 401 Unauthorized\r\n/, bad.log);
      assert.match(bad.response, /\r\nWWW-Authenticate: Passport1\.4 da-status=failed,/);
    });
  }

  for (const suite of LEGACY_SUITES) {
    for (const sslv2Hello of [false, true]) {
      test(`msnpd's TLS 1.0 client, ${suite.name}${sslv2Hello ? ', SSLv2-compatible hello' : ''}: login2.srf`, async () => {
        const c = await LegacyTlsClient.connect(legacy({ suites: [suite.id], sslv2Hello }));
        assert.equal(c.suite, suite);
        const ok = await c.request(loginRequest(PASSWORD));
        assert.match(ok, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(ok, FROM_PP);
        assert.deepEqual(c.alerts, [{ level: 1, description: ALERT.closeNotify }], 'a clean close_notify after the response');
        const c2 = await LegacyTlsClient.connect(legacy({ suites: [suite.id], sslv2Hello }));
        assert.match(await c2.request(loginRequest('wrong')), /^HTTP\/1\.1 401 Unauthorized\r\n/);
      });
    }
  }

  test('a client offering all three gets 3DES; the Nexus answers over it', async () => {
    const c = await LegacyTlsClient.connect(legacy({ suites: [0x0004, 0x0005, 0x000a] }));
    assert.equal(c.suite?.id, 0x000a);
    assert.match(await c.request(nexusRequest), /\r\nPassportURLs: DARealm=Passport\.Net,/);
  });

  test('RST.srf over 3DES: a request of several records, a response of several 8 KiB records', async () => {
    const addresses = Array.from({ length: 45 }, (_, i) => (i === 0 ? 'http://Passport.NET/tb' : i === 1 ? 'messenger.msn.com' : `site${i}.example`));
    const rsts = addresses.map((a, i) => `<wst:RequestSecurityToken Id="RST${i}"><wst:RequestType>x</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>${a}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wsse:PolicyReference URI="?id=507&amp;x=1"></wsse:PolicyReference></wst:RequestSecurityToken>`).join('');
    const soap = `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="x" xmlns:wst="y" xmlns:wsp="z" xmlns:wsa="w"><Header><wsse:Security><wsse:UsernameToken><wsse:Username>${EMAIL}</wsse:Username><wsse:Password>${PASSWORD}</wsse:Password></wsse:UsernameToken></wsse:Security></Header><Body><ps:RequestMultipleSecurityTokens xmlns:ps="p">${rsts}</ps:RequestMultipleSecurityTokens></Body></Envelope>`;
    // RST.srf takes at most 16 KiB of body; a padding header makes the request span records.
    assert.ok(soap.length <= 16384, `a body of ${soap.length} bytes`);
    const request = `POST /RST.srf HTTP/1.1\r\nHost: login.live.com\r\nX-Pad: ${'p'.repeat(6000)}\r\nContent-Length: ${Buffer.byteLength(soap)}\r\n\r\n${soap}`;
    assert.ok(request.length > 16384, 'the request needs more than one record');
    const c = await LegacyTlsClient.connect(legacy({ suites: [0x000a] }));
    const response = await c.request(request);
    const body = response.slice(response.indexOf('\r\n\r\n') + 4);
    assert.ok(body.length > 3 * 8192, `a body of ${body.length} bytes`);
    assert.deepEqual([...body.matchAll(/<wsa:Address>([^<]*)<\/wsa:Address>/g)].map((m) => m[1]), addresses);
    assert.match(body, /<wsse:BinarySecurityToken Id="PPToken1">t=[A-Za-z0-9_-]+&amp;p=[A-Za-z0-9_-]+<\/wsse:BinarySecurityToken>/);
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    test(`a modern ${version} client on the same port negotiates a modern suite`, async () => {
      const { protocol, cipher } = await new Promise<{ protocol: string | null; cipher: string }>((resolve, reject) => {
        const s = tls.connect({ host: HOST, port, servername: 'login.live.com', ca: fs.readFileSync(ca), minVersion: version, maxVersion: version }, () => {
          resolve({ protocol: s.getProtocol(), cipher: s.getCipher().name });
          s.end();
        });
        s.on('error', reject);
      });
      assert.equal(protocol, version);
      assert.doesNotMatch(cipher, /RC4|DES|MD5|NULL|EXPORT/i);
      assert.match(cipher, /AES|CHACHA/i);
    });
  }

  // ------------------------------------------------------------------ faults

  for (const suite of LEGACY_SUITES) {
    test(`${suite.name}: a wrong client Finished gets decrypt_error (51) and a close`, async () => {
      const c = new LegacyTlsClient(legacy({ suites: [suite.id], wrongFinished: true }));
      await assert.rejects(c.handshake(), (e: unknown) => e instanceof TlsAlertError && e.level === 2 && e.description === ALERT.decryptError);
      await within(c.closed, 'close after the alert');
    });
  }

  const recordFaults: [number, 'mac' | 'padding'][] = [
    [0x000a, 'mac'],
    [0x000a, 'padding'],
    [0x0005, 'mac'],
    [0x0004, 'mac'],
  ];
  for (const [id, fault] of recordFaults) {
    const suite = LEGACY_SUITES.find((s) => s.id === id)!;
    test(`${suite.name}: an application record with a bad ${fault === 'mac' ? 'MAC' : 'CBC padding'} gets bad_record_mac (20) and a close`, async () => {
      const c = await LegacyTlsClient.connect(legacy({ suites: [id] }));
      c.write('GET /rdr/pprdr.asp HTTP/1.1\r\n', fault);
      await within(c.closed, 'close after the faulty record');
      // RFC 2246 named decryption_failed (21) for bad padding; sending it made CBC padding oracles
      // possible (Vaudenay 2002), so one answer for both (RFC 4346 §7.2.2, docs/decisions.md).
      assert.deepEqual(c.alerts, [{ level: 2, description: ALERT.badRecordMac }]);
    });
  }

  test('an oversized record (> 2^14 + 2048) gets record_overflow (22), during and after the handshake', async () => {
    const c = await LegacyTlsClient.connect(legacy({ suites: [0x0005] }));
    c.sendOversized();
    await within(c.closed, 'close after the oversized record');
    assert.deepEqual(c.alerts, [{ level: 2, description: ALERT.recordOverflow }]);
    const big = Buffer.concat([clientHelloRecord([0x000a]), Buffer.from([0x16, 0x03, 0x01, 0x48, 0x01]), Buffer.alloc(0x4801)]);
    const r = await rawExchange(port, big, HANG);
    assert.ok(r.closed, 'closed');
    assert.deepEqual(records(r.received).map((x) => x.type), [22, 21], 'the server flight, then the alert');
    assert.ok(r.received.subarray(-7).equals(fatalAlert(ALERT.recordOverflow)));
  });

  // ------------------------------------------------------------------ hostile hellos

  test('truncated ClientHellos followed by silence: an alert and a close after the handshake timeout', async () => {
    const hello = clientHelloRecord([0x000a, 0x0005]);
    const v2 = sslv2ClientHello(0x0301, [0x000a], Buffer.alloc(16, 7)).record;
    const cases = [hello.subarray(0, 1), hello.subarray(0, 5), hello.subarray(0, 9), hello.subarray(0, hello.length - 1), v2.subarray(0, 1), v2.subarray(0, v2.length - 1)];
    const results = await Promise.all(cases.map((c) => rawExchange(port, c, HANG)));
    results.forEach((r, i) => {
      assert.ok(r.closed, `case ${i} closed`);
      assert.ok(r.received.equals(fatalAlert(ALERT.handshakeFailure)), `case ${i}: ${r.received.toString('hex')}`);
    });
    assert.ok(lines.some((l) => l.includes('no complete ClientHello in time')), 'a log line says why');
    // A whole hello, then nothing: the legacy engine's own timer.
    const silent = await rawExchange(port, hello, HANG);
    assert.ok(silent.closed);
    assert.deepEqual(records(silent.received).map((x) => x.type), [22, 21]);
    assert.ok(silent.received.subarray(-7).equals(fatalAlert(ALERT.handshakeFailure)));
    assert.ok(lines.some((l) => l.includes('handshake timed out')));
    assert.equal(await modernHealthy(port), 200);
  });

  test('a complete modern ClientHello, then silence: Node\'s TLS gives up at the handshake timeout and the socket closes', async () => {
    // TLS 1.2 with RSA-AES: Node answers with its flight and waits for the key exchange.
    const r = await rawExchange(port, clientHelloRecord([0x002f], 0x0303), HANG);
    assert.ok(r.closed, 'closed long before the connection lifetime cap (120 s here)');
    assert.equal(records(r.received)[0]?.type, 22, 'Node answered the hello');
    assert.ok(lines.some((l) => l.includes('TLS handshake failed')), 'a log line says why');
    assert.equal(await modernHealthy(port), 200);
  });

  test('handshake messages the legacy engine cannot expect get an alert before they are read in full', async () => {
    const hello = clientHelloRecord([0x000a]);
    // A ClientKeyExchange announcing 64 KiB (an RSA one is the modulus plus two bytes), then nothing more.
    const huge = await rawExchange(port, Buffer.concat([hello, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x10, 0x01, 0x00, 0x00])]), HANG);
    assert.ok(huge.closed);
    assert.ok(huge.received.subarray(-7).equals(fatalAlert(ALERT.decodeError)), huge.received.subarray(-7).toString('hex'));
    // A record of another TLS version after the server chose TLS 1.0.
    const v = await rawExchange(port, Buffer.concat([hello, Buffer.from([0x16, 0x03, 0x03, 0x00, 0x01, 0x10])]), HANG);
    assert.ok(v.received.subarray(-7).equals(fatalAlert(ALERT.protocolVersion)), v.received.subarray(-7).toString('hex'));
    // Handshake bytes after the ClientHello in its record.
    const msg = clientHelloRecord([0x000a]).subarray(5);
    const extra = Buffer.concat([msg, Buffer.from([0x10, 0x00, 0x00, 0x00])]);
    const trailing = await rawExchange(port, Buffer.concat([Buffer.from([0x16, 0x03, 0x01, extra.length >> 8, extra.length & 0xff]), extra]), HANG);
    assert.ok(trailing.received.equals(fatalAlert(ALERT.unexpectedMessage)), trailing.received.toString('hex'));
    // RFC 5746 §3.6: renegotiation_info must be empty on a first handshake.
    for (const [info, ok] of [[Buffer.from([0x00]), true], [Buffer.from([0x02, 0xaa, 0xbb]), false]] as const) {
      const body = Buffer.concat([msg.subarray(4), Buffer.from([0x00, 4 + info.length, 0xff, 0x01, 0x00, info.length]), info]);
      const m = handshakeMessage(1, body);
      const r = await rawExchange(port, Buffer.concat([recordHeader(CONTENT.handshake, m.length), m]), HANG);
      const types = records(r.received).map((x) => x.type);
      if (ok) assert.deepEqual(types.slice(0, 1), [22], 'an empty renegotiation_info is welcome');
      else assert.ok(r.received.equals(fatalAlert(ALERT.handshakeFailure)), r.received.toString('hex'));
    }
    assert.ok(lines.some((l) => l.includes('non-empty renegotiation_info')));
    // RFC 5246 §7.4.1.4: an extension type at most once.
    const twice = handshakeMessage(1, Buffer.concat([msg.subarray(4), Buffer.from([0x00, 10, 0xff, 0x01, 0x00, 0x01, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00])]));
    const rep = await rawExchange(port, Buffer.concat([recordHeader(CONTENT.handshake, twice.length), twice]), HANG);
    assert.ok(rep.received.equals(fatalAlert(ALERT.handshakeFailure)), rep.received.toString('hex'));
    assert.ok(lines.some((l) => l.includes('extension 0xff01 repeated')));
  });

  test('a ClientHello trickled one byte per TCP write is read whole and answered', async () => {
    const hello = clientHelloRecord([0x000a]);
    const received = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect({ host: HOST, port, noDelay: true }, async () => {
        for (const b of hello) {
          s.write(Buffer.from([b]));
          await new Promise((r) => setImmediate(r));
        }
      });
      s.on('error', reject);
      s.on('data', (d: Buffer) => {
        s.destroy();
        resolve(d);
      });
    });
    assert.equal(received[0], CONTENT.handshake, 'the ServerHello flight');
  });

  test('records trickled or packed: the record reader returns each whole, in order', () => {
    const r1 = Buffer.concat([recordHeader(CONTENT.handshake, 3), Buffer.from([1, 2, 3])]);
    const r2 = Buffer.concat([recordHeader(CONTENT.alert, 2), Buffer.from([1, 0])]);
    const reader = new RecordReader();
    const got: number[][] = [];
    for (const b of Buffer.concat([r1, r2, r1])) {
      reader.push(Buffer.alloc(0));
      reader.push(Buffer.from([b]));
      for (let r = reader.next(); r !== undefined; r = reader.next()) got.push(typeof r === 'string' ? [-1] : [r.type, ...r.body]);
    }
    reader.push(Buffer.concat([r2, r1, r2]));
    for (let r = reader.next(); r !== undefined; r = reader.next()) got.push(typeof r === 'string' ? [-1] : [r.type, ...r.body]);
    assert.deepEqual(got, [[22, 1, 2, 3], [21, 1, 0], [22, 1, 2, 3], [21, 1, 0], [22, 1, 2, 3], [21, 1, 0]]);
    assert.equal(reader.buffered, 0);
  });

  test('a ClientKeyExchange trickled one byte per record is reassembled and the handshake completes', async () => {
    const c = new LegacyTlsClient(legacy({ suites: [0x000a], handshakeRecordSize: 1 }));
    await c.handshake();
    assert.match(await c.request(nexusRequest), /^HTTP\/1\.1 200 OK/);
  });

  test('close_notify from the client is answered with close_notify; a fatal alert mid-handshake is logged', async () => {
    const c = await LegacyTlsClient.connect(legacy({ suites: [0x0005] }));
    c.close();
    await within(c.closed, 'close after close_notify');
    assert.deepEqual(c.alerts, [{ level: 1, description: ALERT.closeNotify }]);
    const r = await rawExchange(port, Buffer.concat([clientHelloRecord([0x000a]), fatalAlert(ALERT.badCertificate)]), HANG);
    assert.ok(r.closed);
    assert.ok(lines.some((l) => l.includes('legacy TLS handshake failed') && l.includes(`client sent fatal alert ${ALERT.badCertificate}`)));
    // A client refusing TLS 1.0 may send its alert in its own record version: read as the alert, not answered.
    const alert12 = Buffer.from(fatalAlert(ALERT.protocolVersion));
    alert12.writeUInt16BE(0x0303, 1);
    const r12 = await rawExchange(port, Buffer.concat([clientHelloRecord([0x000a], 0x0303), alert12]), HANG);
    assert.ok(r12.closed);
    assert.deepEqual(records(r12.received).map((x) => x.type), [22], 'the server flight and no alert back');
    assert.ok(lines.some((l) => l.includes(`client sent fatal alert ${ALERT.protocolVersion}`)));
  });

  test('a client leaving mid-request (close_notify before the body is in) is not logged as a server error', async () => {
    const c = await LegacyTlsClient.connect(legacy({ suites: [0x000a] }));
    const before = lines.length;
    c.write('POST /RST.srf HTTP/1.1\r\nHost: login.live.com\r\nContent-Length: 100\r\n\r\n<Envelope>');
    c.close();
    await within(c.closed, 'close');
    await new Promise((r) => setTimeout(r, 200));
    const errors = lines.slice(before).filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    assert.deepEqual(errors, []);
    assert.equal(await modernHealthy(port), 200);
  });

  test(`fuzzed ClientHellos get an alert or a close, never a hang (FUZZ_SEED=${SEED})`, async () => {
    const base = fc.constantFrom(clientHelloRecord([0x000a, 0x0005, 0x0004]), clientHelloRecord([0x0004, 0x00ff]), sslv2ClientHello(0x0301, [0x000a, 0x0005], Buffer.alloc(16, 1)).record);
    const mutated = fc.oneof(
      fc.tuple(base, fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1))),
      fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })).map(([b, edits]) => {
        const out = Buffer.from(b);
        for (const [i, v] of edits) out[i % out.length] = v;
        return out;
      }),
      fc.tuple(base, fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(3, 7)).map(([b, len, at]) => {
        const out = Buffer.from(b);
        out.writeUInt16BE(len, at); // a record or handshake length that lies
        return out;
      }),
      fc.tuple(base, fc.uint8Array({ minLength: 1, maxLength: 300 })).map(([b, tail]) => Buffer.concat([b, Buffer.from(tail)])),
      fc.uint8Array({ minLength: 1, maxLength: 600 }).map((a) => Buffer.from(a)),
    );
    const cases = fc.sample(mutated, { seed: SEED, numRuns: 60 });
    const results = await Promise.all(cases.map((c) => rawExchange(port, c, HANG)));
    results.forEach((r, i) => {
      const what = `FUZZ_SEED=${SEED} case ${i}: sent ${cases[i]!.toString('hex').slice(0, 200)}, got ${r.received.toString('hex').slice(0, 200)}`;
      assert.ok(r.closed, `no close: ${what}`);
      const recs = records(r.received);
      const alerts = recs.filter((x) => x.type === 21);
      // Whatever came first (nothing, a server flight from either engine), an unencrypted fatal alert is well formed.
      for (const a of alerts) assert.ok(a.body.length === 2 && (a.body[0] === 2 || a.body[0] === 1), `malformed alert: ${what}`);
    });
    assert.equal(await modernHealthy(port), 200, 'modern HTTPS still works');
    const c = await LegacyTlsClient.connect(legacy({ suites: [0x000a] }));
    assert.match(await c.request(nexusRequest), /^HTTP\/1\.1 200 OK/, 'legacy TLS still works');
  });
});

describe('MSNPD_TLS_LEGACY=off', () => {
  let t: TestServer;
  let lines: string[];
  before(async () => ({ t, lines } = await loggedServer({ MSNPD_TLS_LEGACY: 'off' })));
  after(() => t.stop());

  test('a legacy-only ClientHello (TLS or SSLv2 form) gets handshake_failure, a close and a log line naming the variable', async () => {
    const port = t.server.ports.https!;
    for (const hello of [clientHelloRecord([0x000a, 0x0005, 0x0004]), sslv2ClientHello(0x0301, [0x000a], Buffer.alloc(16, 2)).record]) {
      const r = await rawExchange(port, hello, HANG);
      assert.ok(r.closed);
      assert.ok(r.received.equals(fatalAlert(ALERT.handshakeFailure)), r.received.toString('hex'));
    }
    const refused = lines.filter((l) => l.includes('TLS connection refused'));
    assert.equal(refused.length, 2);
    for (const l of refused) assert.match(JSON.parse(l).reason as string, /only legacy suites \(TLS_RSA_WITH_3DES_EDE_CBC_SHA\) and MSNPD_TLS_LEGACY is off/);
    const c = new LegacyTlsClient({ host: HOST, port, suites: [0x0005] });
    await assert.rejects(c.handshake(), (e: unknown) => e instanceof TlsAlertError && e.description === ALERT.handshakeFailure);
    assert.equal(await modernHealthy(port), 200, 'modern clients are served');
  });
});

describe('RC4 and the TLS 1.0 PRF: known answers', () => {
  test('RC4 keystream, RFC 6229 key 0x0102030405 at offsets 0, 16, 240 and 256, across update() calls', () => {
    const rc4 = new Rc4(hex('0102030405'));
    const stream = Buffer.concat([rc4.update(Buffer.alloc(7)), rc4.update(Buffer.alloc(300 - 7))]);
    assert.deepEqual(stream.subarray(0, 16), hex('b2 39 63 05 f0 3d c0 27 cc c3 52 4a 0a 11 18 a8'));
    assert.deepEqual(stream.subarray(16, 32), hex('69 82 94 4f 18 fc 82 d5 89 c4 03 a4 7a 0d 09 19'));
    assert.deepEqual(stream.subarray(240, 256), hex('28 cb 11 32 c9 6c e2 86 42 1d ca ad b8 b6 9e ae'));
    assert.deepEqual(stream.subarray(256, 272), hex('1c fc f6 2b 03 ed db 64 1d 77 df cf 7f 8d 8c 93'));
  });

  test('PRF: the published TLS 1.0 vector (secret 48 × 0xab, "PRF Testvector", seed 64 × 0xcd)', () => {
    const out = prf(Buffer.alloc(48, 0xab), 'PRF Testvector', Buffer.alloc(64, 0xcd), 104);
    assert.deepEqual(
      out,
      hex(
        'd3d4d1e349b5d515044666d51de32bab258cb521b6b053463e354832fd976754443bcf9a296519bc289abcbc1187e4ebd31e602353776c408aafb74cbc85eff69255f9788faa184cbb957a9819d84a5d7eb006eb459d3ae8de9810454b8b2d8f1afbc655a8c9a013',
      ),
    );
  });

  test('PRF: agrees with an independent P_MD5 ⊕ P_SHA-1 (RFC 2246 §5) for odd secret lengths', () => {
    const pHash = (alg: string, secret: Buffer, seed: Buffer, n: number) => {
      let out = Buffer.alloc(0);
      for (let a = createHmac(alg, secret).update(seed).digest(); out.length < n; a = createHmac(alg, secret).update(a).digest()) {
        out = Buffer.concat([out, createHmac(alg, secret).update(a).update(seed).digest()]);
      }
      return out.subarray(0, n);
    };
    for (const len of [1, 13, 47, 48, 49]) {
      const secret = Buffer.from(Array.from({ length: len }, (_, i) => (i * 37 + 11) & 0xff));
      const seed = Buffer.from('client random + server random');
      const half = Math.ceil(len / 2);
      const ls = Buffer.concat([Buffer.from('key expansion'), seed]);
      const a = pHash('md5', secret.subarray(0, half), ls, 77);
      const b = pHash('sha1', secret.subarray(len - half), ls, 77);
      const expected = Buffer.from(a.map((x, i) => x ^ b[i]!));
      assert.deepEqual(prf(secret, 'key expansion', seed, 77), expected, `secret of ${len} bytes`);
    }
  });
});

describe('choosing the TLS engine from a ClientHello', () => {
  const hello = (version: number, suites: number[]) => {
    const r = parseClientHello(clientHelloRecord(suites, version));
    assert.equal(r.kind, 'hello');
    return (r as { hello: ClientHello }).hello;
  };

  test('TLS 1.2-only suites make a hello modern only when it offers TLS 1.2; DHE-only hellos are refused', () => {
    // An XP-like TLS 1.0 hello that also lists GCM/SHA-256 suites Node cannot use at TLS 1.0.
    assert.deepEqual(route(hello(0x0301, [0x009c, 0xc02f, 0x003c, 0x000a]), true), { engine: 'legacy', suite: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA' });
    assert.deepEqual(route(hello(0x0303, [0x009c, 0x000a]), true), { engine: 'node' });
    // Vista/7 with TLS 1.0 and AES-CBC: Node's TLS serves it.
    assert.deepEqual(route(hello(0x0301, [0x002f, 0x000a]), true), { engine: 'node' });
    assert.deepEqual(route(hello(0x0301, [0xc013]), true), { engine: 'node' });
    // Node has no DH parameters: DHE alone is not something it can serve.
    assert.equal(route(hello(0x0303, [0x0033, 0x0039, 0x009e]), true).engine, 'none');
    assert.equal(route(hello(0x0300, [0x000a]), true).engine, 'none');
  });

  test('a client that resets mid-hello leaves nothing behind (no buffer, no timer, no listener)', async () => {
    const refused: string[] = [];
    let accepted: net.Socket | undefined;
    const server = net.createServer((s) => {
      accepted = s;
      s.on('error', () => undefined);
      sniff(s, {
        legacyEnabled: true,
        timeoutMs: 300,
        toNode: () => refused.push('node'),
        toLegacy: () => refused.push('legacy'),
        refuse: (_s, reason) => refused.push(reason),
      });
    });
    await new Promise<void>((r) => server.listen(0, HOST, r));
    try {
      const c = net.connect((server.address() as net.AddressInfo).port, HOST);
      c.on('error', () => undefined);
      await new Promise<void>((r) => c.once('connect', r));
      c.write(clientHelloRecord([0x000a]).subarray(0, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(accepted, 'accepted');
      assert.equal(accepted.listenerCount('data'), 1, 'sniffing');
      c.resetAndDestroy();
      await new Promise<void>((r) => (accepted!.destroyed ? r() : accepted!.once('close', () => r())));
      assert.equal(accepted.listenerCount('data'), 0, 'the sniffer let go of the socket');
      // Past the hello timeout: its timer was cleared, so nothing is refused late.
      await new Promise((r) => setTimeout(r, 600));
      assert.deepEqual(refused, []);
    } finally {
      server.close();
    }
  });
});
