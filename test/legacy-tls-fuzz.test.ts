// Fuzzing the HTTPS port (issue 11): seeded random and mutated TLS records
// after a completed legacy handshake (raw, encrypted with random content,
// valid records with flipped bits, lengths that lie), random records in the
// middle of a handshake, and mutated ClientHellos. Meanwhile two canaries (a
// legacy and a modern connection, handshakes done, idle) stay open; after
// the run both still get answers, fresh requests are served on both engines,
// and the server logged no error. FUZZ_SEED=<n> replays a run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import tls from 'node:tls';
import fc from 'fast-check';
import { httpsRequest } from './helpers/https.js';
import { HOST, sharedTls, type TestServer } from './helpers/server.js';
import { loggedServer, rawExchange, records } from './helpers/tls-wire.js';
import { clientHelloRecord, LegacyTlsClient, sslv2ClientHello } from '../src/web/tls/legacy/client.js';
import { CONTENT } from '../src/web/tls/legacy/record.js';

const SEED = Number(process.env.FUZZ_SEED ?? 11_2002);
const HANG = 20_000;
/** How long the server gets to close on its own before the client says close_notify and hangs up. */
const OWN_CLOSE = 2_000;
const nexusRequest = 'GET /rdr/pprdr.asp HTTP/1.1\r\nHost: nexus.passport.com\r\n\r\n';
const SUITES = [0x000a, 0x0005, 0x0004];

/** What a fuzz case does once its legacy handshake is done. */
type AfterHandshake =
  | { kind: 'raw'; bytes: Uint8Array }
  | { kind: 'sealed'; type: number; data: Uint8Array }
  | { kind: 'mutated'; edits: [number, number][]; cut: number; extra: Uint8Array; lie: number | undefined };

const byteArray = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
const afterHandshake: fc.Arbitrary<AfterHandshake> = fc.oneof(
  // Bytes as they come, or shaped like a record of any type.
  fc.record({ kind: fc.constant('raw' as const), bytes: fc.oneof(byteArray(400), fc.tuple(fc.integer({ min: 0, max: 255 }), byteArray(300)).map(([t, b]) => new Uint8Array([t, 3, 1, b.length >> 8, b.length & 0xff, ...b]))) }),
  // Well-encrypted records carrying anything, of the four types and others.
  fc.record({ kind: fc.constant('sealed' as const), type: fc.oneof(fc.constantFrom(20, 21, 22, 23), fc.integer({ min: 0, max: 255 })), data: byteArray(600) }),
  // A valid encrypted request with bytes changed, cut short, extended, or its length rewritten.
  fc.record({
    kind: fc.constant('mutated' as const),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    cut: fc.nat(),
    extra: byteArray(40),
    lie: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
  }),
);

const hello = fc.constantFrom(clientHelloRecord([0x000a, 0x0005, 0x0004]), clientHelloRecord([0x0004, 0x00ff]), clientHelloRecord([0x002f, 0x000a], 0x0303), sslv2ClientHello(0x0301, [0x000a, 0x0005], Buffer.alloc(16, 1)).record);
const mutatedHello = fc.oneof(
  fc.tuple(hello, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })).map(([b, edits]) => {
    const out = Buffer.from(b);
    for (const [i, v] of edits) out[i % out.length] = v;
    return out;
  }),
  fc.tuple(hello, fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1))),
  // A whole hello, then records that do not belong in a handshake.
  fc.tuple(hello, fc.array(fc.tuple(fc.integer({ min: 18, max: 25 }), byteArray(80)), { minLength: 1, maxLength: 3 })).map(([b, recs]) =>
    Buffer.concat([b, ...recs.map(([t, body]) => Buffer.from([t, 3, 1, body.length >> 8, body.length & 0xff, ...body]))]),
  ),
);

function bytesOf(c: LegacyTlsClient, a: AfterHandshake): Buffer {
  if (a.kind === 'raw') return Buffer.from(a.bytes);
  if (a.kind === 'sealed') return c.sealRecord(a.type, Buffer.from(a.data));
  const rec = Buffer.from(c.sealRecord(CONTENT.applicationData, Buffer.from(nexusRequest)));
  for (const [i, v] of a.edits) rec[i % rec.length] = v;
  if (a.lie !== undefined) rec.writeUInt16BE(a.lie, 3);
  return Buffer.concat([rec.subarray(0, rec.length - (a.cut % 8)), a.extra]);
}

/** Waits for `p` up to `ms`; true when it settled. */
const settles = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);

describe(`HTTPS port fuzz with canaries (FUZZ_SEED=${SEED})`, () => {
  let t: TestServer;
  let lines: string[];
  let port: number;
  const ca = fs.readFileSync(sharedTls().ca);
  let legacyCanary: LegacyTlsClient;
  let modernCanary: tls.TLSSocket;

  before(async () => {
    // Connections may idle through the whole run.
    ({ t, lines } = await loggedServer({ MSNPD_WEB_IDLE_TIMEOUT: '300' }));
    port = t.server.ports.https!;
    legacyCanary = await LegacyTlsClient.connect({ host: HOST, port, ca, suites: [0x000a] });
    modernCanary = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ host: HOST, port, servername: 'nexus.passport.com', ca }, () => resolve(s));
      s.on('error', reject);
    });
  });
  after(() => t.stop());

  test('random and mutated records after a legacy handshake: a close (own or after close_notify), never a hang or a crash', async () => {
    const cases = fc.sample(fc.tuple(fc.constantFrom(...SUITES), afterHandshake), { seed: SEED, numRuns: 60 });
    let closedByServer = 0;
    for (let i = 0; i < cases.length; i += 6) {
      await Promise.all(
        cases.slice(i, i + 6).map(async ([suite, a], j) => {
          const what = `FUZZ_SEED=${SEED} case ${i + j}: ${JSON.stringify(a, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`;
          const c = await LegacyTlsClient.connect({ host: HOST, port, ca, suites: [suite] });
          c.socket.on('error', () => undefined);
          c.sendRaw(bytesOf(c, a));
          if (await settles(c.closed, OWN_CLOSE)) closedByServer++;
          else c.close();
          assert.ok(await settles(c.closed, HANG), `no close: ${what}`);
          for (const al of c.alerts) assert.ok((al.level === 1 || al.level === 2) && al.description < 256, `malformed alert: ${what}`);
        }),
      );
    }
    process.stderr.write(`# FUZZ_SEED=${SEED}: ${closedByServer} of ${cases.length} records made the server close on its own\n`);
    assert.ok(closedByServer > cases.length / 2, 'most fuzzed records end the connection at the server');
  });

  test('mutated ClientHellos and handshake-time records: an alert or a close, never a hang', async () => {
    const cases = fc.sample(mutatedHello, { seed: SEED + 1, numRuns: 60 });
    const results = await Promise.all(cases.map((c) => rawExchange(port, c, HANG)));
    results.forEach((r, i) => {
      const what = `FUZZ_SEED=${SEED} hello case ${i}: sent ${cases[i]!.toString('hex').slice(0, 200)}`;
      assert.ok(r.closed, `no close: ${what}`);
      for (const a of records(r.received).filter((x) => x.type === CONTENT.alert)) assert.ok(a.body.length === 2 && (a.body[0] === 1 || a.body[0] === 2), `malformed alert: ${what}`);
    });
  });

  test('afterwards: both canaries are answered, fresh requests are served on both engines, and nothing was logged as an error', async () => {
    assert.match(await legacyCanary.request(nexusRequest), /^HTTP\/1\.1 200 OK\r\n/, 'legacy canary');
    const modern = await new Promise<string>((resolve, reject) => {
      let got = '';
      modernCanary.on('data', (d: Buffer) => (got += d.toString('latin1')));
      modernCanary.on('end', () => resolve(got));
      modernCanary.on('error', reject);
      modernCanary.write(nexusRequest);
    });
    assert.match(modern, /^HTTP\/1\.1 200 OK\r\n/, 'modern canary');
    const fresh = await LegacyTlsClient.connect({ host: HOST, port, ca, suites: [0x0005] });
    assert.match(await fresh.request(nexusRequest), /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal((await httpsRequest(port, { host: 'nexus.passport.com', path: '/rdr/pprdr.asp' })).status, 200);
    const errors = lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    assert.deepEqual(errors, []);
  });
});
