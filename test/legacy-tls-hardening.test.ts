// The legacy TLS engine against clients that try to make it work or buffer
// for them (issue 11): renegotiation hellos are capped, output a client does
// not read stops the reading and is bounded (measured as bytes queued on the
// server's sockets), and a CBC record costs the same MAC work whatever its
// padding says (counted in hash compression-function calls).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { HOST, sharedTls, type TestServer } from './helpers/server.js';
import { loggedServer } from './helpers/tls-wire.js';
import { LegacyTlsClient, TlsAlertError } from '../src/web/tls/legacy/client.js';
import { ALERT, CipherState, compressions, CONTENT, handshakeMessage, VERSION, type HashFactory } from '../src/web/tls/legacy/record.js';
import { LegacyTlsConnection, legacyIdentity, MAX_RENEGOTIATION_ATTEMPTS } from '../src/web/tls/legacy/server.js';
import { TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_MD5 } from '../src/web/tls/legacy/suites.js';
import { sniff } from '../src/web/tls/sniff.js';

const HANG = 15_000;
const nexusRequest = 'GET /rdr/pprdr.asp HTTP/1.1\r\nHost: nexus.passport.com\r\n\r\n';
/** The smallest renegotiating ClientHello: a handshake header with an empty body. */
const EMPTY_HELLO = handshakeMessage(1, Buffer.alloc(0));
/** One record packed with hellos (16 KiB of plaintext holds 4,096; this takes 1,000). */
const HELLO_RECORD = Buffer.concat(Array.from({ length: 1000 }, () => EMPTY_HELLO));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${HANG} ms`)), HANG)));
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/**
 * Sends `records` records of packed hellos from a client that never reads,
 * sampling `queued()` (server-side bytes waiting for the client) all along
 * and for a while after. Returns the largest sample and what the client wrote.
 */
async function helloFlood(c: LegacyTlsClient, records: number, queued: () => number): Promise<{ peak: number; sent: number }> {
  c.socket.pause();
  c.socket.on('error', () => undefined);
  let peak = 0;
  let sent = 0;
  const sample = setInterval(() => (peak = Math.max(peak, queued())), 2);
  try {
    for (let i = 0; i < records && !c.socket.destroyed; i++) {
      c.sendRecord(CONTENT.handshake, HELLO_RECORD);
      sent += HELLO_RECORD.length;
      if (i % 8 === 7) await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, queued());
      // Our own writes back up once the server stops reading (and the kernel's buffers are full): enough.
      if (c.socket.writableLength > 2 << 20) break;
    }
    for (let i = 0; i < 50; i++) {
      await sleep(10);
      peak = Math.max(peak, queued());
    }
  } finally {
    clearInterval(sample);
  }
  return { peak, sent };
}

describe('legacy TLS: renegotiation and unread output on a real server', () => {
  let t: TestServer;
  let lines: string[];
  let port: number;
  const legacy = (suite = 0x0005) => ({ host: HOST, port, ca: fs.readFileSync(sharedTls().ca), suites: [suite] });

  before(async () => {
    ({ t, lines } = await loggedServer({}));
    port = t.server.ports.https!;
  });
  after(() => t.stop());

  test(`${MAX_RENEGOTIATION_ATTEMPTS} renegotiation hellos get no_renegotiation warnings and the connection carries on`, async () => {
    const c = await LegacyTlsClient.connect(legacy());
    c.sendRecord(CONTENT.handshake, Buffer.concat(Array.from({ length: MAX_RENEGOTIATION_ATTEMPTS }, () => EMPTY_HELLO)));
    assert.match(await c.request(nexusRequest), /^HTTP\/1\.1 200 OK\r\n/);
    const warnings = Array.from({ length: MAX_RENEGOTIATION_ATTEMPTS }, () => ({ level: 1, description: ALERT.noRenegotiation }));
    assert.deepEqual(c.alerts, [...warnings, { level: 1, description: ALERT.closeNotify }]);
  });

  test('one more renegotiation hello gets a fatal handshake_failure and a close, counted in the log line', async () => {
    for (const together of [true, false]) {
      const c = await LegacyTlsClient.connect(legacy(0x000a));
      if (together) c.sendRecord(CONTENT.handshake, Buffer.concat(Array.from({ length: MAX_RENEGOTIATION_ATTEMPTS + 1 }, () => EMPTY_HELLO)));
      else for (let i = 0; i <= MAX_RENEGOTIATION_ATTEMPTS; i++) c.sendRecord(CONTENT.handshake, EMPTY_HELLO);
      await within(c.closed, 'close past the renegotiation cap');
      const warnings = Array.from({ length: MAX_RENEGOTIATION_ATTEMPTS }, () => ({ level: 1, description: ALERT.noRenegotiation }));
      assert.deepEqual(c.alerts, [...warnings, { level: 2, description: ALERT.handshakeFailure }], `hellos in ${together ? 'one record' : 'separate records'}`);
    }
    assert.ok(lines.some((l) => l.includes('legacy TLS connection closed') && l.includes(`${MAX_RENEGOTIATION_ATTEMPTS + 1} renegotiation attempts`)));
  });

  test('a client Finished of the right length but wrong, or one byte short: decrypt_error (51), compared in constant time without throwing', async () => {
    for (const wrongFinished of [true, 'short'] as const) {
      const c = new LegacyTlsClient({ ...legacy(0x000a), wrongFinished });
      await assert.rejects(c.handshake(), (e: unknown) => e instanceof TlsAlertError && e.level === 2 && e.description === ALERT.decryptError);
      await within(c.closed, 'close after the alert');
    }
    assert.match(await (await LegacyTlsClient.connect(legacy())).request(nexusRequest), /^HTTP\/1\.1 200 OK/, 'still serving');
  });

  test('a hello flood from a client that never reads: the server queues a bounded number of bytes for it (measured)', async () => {
    const web = t.server.web!.server;
    const before = web.bufferedOutputBytes();
    const c = await LegacyTlsClient.connect(legacy());
    // 4 MiB of hellos: answered one by one, that would be ~29 MiB of alerts.
    const { peak, sent } = await helloFlood(c, 1000, () => web.bufferedOutputBytes());
    c.destroy();
    process.stderr.write(`# hello flood: client sent ${sent} bytes of hellos; server queued at most ${peak - before} bytes\n`);
    assert.ok(peak - before < 64 * 1024, `server-side queue peaked at ${peak - before} bytes`);
    assert.ok(lines.some((l) => l.includes(`${MAX_RENEGOTIATION_ATTEMPTS + 1} renegotiation attempts`)));
    assert.match(await (await LegacyTlsClient.connect(legacy())).request(nexusRequest), /^HTTP\/1\.1 200 OK/, 'still serving');
  });
});

/** A bare listener handing every connection to the legacy engine with `opts` (to look at one guard with the other off). */
async function legacyListener(opts: { maxRenegotiationAttempts?: number; maxQueuedOutput?: number }) {
  const files = sharedTls();
  const identity = legacyIdentity(fs.readFileSync(files.legacyKey, 'utf8'), fs.readFileSync(files.legacyCert, 'utf8'));
  const sockets: net.Socket[] = [];
  const aborts: string[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    sockets.push(s);
    sniff(s, {
      legacyEnabled: true,
      timeoutMs: 10_000,
      toNode: () => s.destroy(),
      refuse: () => s.destroy(),
      toLegacy: (sock, hello, rest, remainingMs) =>
        new LegacyTlsConnection(sock, hello, rest, { identity, handshakeTimeoutMs: remainingMs, onSecure: (stream) => stream.resume(), onFailure: () => undefined, onAbort: (r) => aborts.push(r), ...opts }),
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  const port = (server.address() as net.AddressInfo).port;
  return { port, sockets, aborts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('legacy TLS: backpressure with the renegotiation cap off', () => {
  test('the engine stops reading from a client whose output backs up: its queue stays near the high-water mark (measured)', async () => {
    const l = await legacyListener({ maxRenegotiationAttempts: Number.MAX_SAFE_INTEGER });
    try {
      const c = await LegacyTlsClient.connect({ host: HOST, port: l.port, suites: [0x0005] });
      const server = l.sockets[0]!;
      let clientBacklog = 0;
      // Up to 20 MiB of hellos: past what the kernel's socket buffers hold on loopback.
      const { peak, sent } = await helloFlood(c, 5000, () => {
        clientBacklog = Math.max(clientBacklog, c.socket.writableLength);
        return server.writableLength;
      });
      process.stderr.write(`# backpressure: client sent ${sent} bytes of hellos; the server socket queued at most ${peak} bytes\n`);
      // One record's answers (1,000 alerts of 29 bytes) on top of the 16 KiB high-water mark, at most.
      assert.ok(peak < 128 * 1024, `server socket queue peaked at ${peak} bytes`);
      assert.ok(clientBacklog > 2 << 20, `the server stopped reading, so the client's own writes backed up (${clientBacklog} bytes)`);
      assert.equal(server.destroyed, false, 'under the bound: paused, not dropped');
      c.destroy();
    } finally {
      await l.close();
    }
  });

  test('a connection whose unread output passes the bound is dropped', async () => {
    const l = await legacyListener({ maxRenegotiationAttempts: Number.MAX_SAFE_INTEGER, maxQueuedOutput: 4096 });
    try {
      const c = await LegacyTlsClient.connect({ host: HOST, port: l.port, suites: [0x0005] });
      await helloFlood(c, 200, () => l.sockets[0]!.writableLength);
      c.destroy();
      assert.equal(l.sockets[0]!.destroyed, true);
      assert.equal(l.aborts.length, 1);
      assert.match(l.aborts[0]!, /bytes of output unread \(more than 4096\)/);
    } finally {
      await l.close();
    }
  });
});

describe('legacy TLS: CBC records cost the same MAC work whatever the padding', () => {
  const suite = TLS_RSA_WITH_3DES_EDE_CBC_SHA;
  const macKey = Buffer.alloc(20, 0x4d);
  const key = Buffer.alloc(24, 0x6b);
  const iv = Buffer.alloc(8, 0x69);

  /** A hash factory that adds every hash's compression-function calls to `count.n`. */
  const counting = (count: { n: number }): HashFactory => (alg) => {
    const h = createHash(alg);
    let bytes = 0;
    return {
      update(d: Buffer) {
        bytes += d.length;
        h.update(d);
        return this;
      },
      digest() {
        count.n += compressions(bytes);
        return h.digest();
      },
    };
  };

  /** A 3DES record of `size` plaintext bytes whose last byte claims `padLen`; `fault` breaks its padding or MAC. */
  function record(size: number, padLen: number, fault?: 'padding' | 'mac'): Buffer {
    const fits = padLen + 1 + 20 <= size;
    const dataLen = fits ? size - 1 - padLen - 20 : size - 21;
    const data = Buffer.alloc(dataLen, 0x61);
    const head = Buffer.alloc(13);
    head.writeBigUInt64BE(0n, 0);
    head[8] = CONTENT.applicationData;
    head.writeUInt16BE(VERSION, 9);
    head.writeUInt16BE(dataLen, 11);
    const mac = createHmac('sha1', macKey).update(head).update(data).digest();
    if (fault === 'mac') mac[3]! ^= 0x10;
    const pad = Buffer.alloc(size - dataLen - 20, padLen);
    if (fault === 'padding' && padLen > 0) pad[0]! ^= 0x01;
    const c = createCipheriv('des-ede3-cbc', key, iv).setAutoPadding(false);
    return Buffer.concat([c.update(Buffer.concat([data, mac, pad])), c.final()]);
  }

  test('every padding length 0..255, valid or not, good MAC or bad: one compression count per record size', () => {
    for (const size of [512, 296, 64]) {
      const counts = new Set<number>();
      let accepted = 0;
      for (let padLen = 0; padLen <= 255; padLen++) {
        for (const fault of [undefined, 'padding', 'mac'] as const) {
          const count = { n: 0 };
          const state = new CipherState(suite, macKey, key, iv, counting(count));
          const plain = state.decrypt(CONTENT.applicationData, record(size, padLen, fault));
          // A zero-length padding has no byte to break.
          const valid = (fault === undefined || (fault === 'padding' && padLen === 0)) && padLen + 21 <= size;
          if (valid) {
            assert.deepEqual(plain, Buffer.alloc(size - 21 - padLen, 0x61), `size ${size}, padding ${padLen}`);
            accepted++;
          } else {
            assert.equal(plain, undefined, `size ${size}, padding ${padLen}, fault ${fault}`);
          }
          counts.add(count.n);
        }
      }
      assert.ok(accepted > 0);
      assert.equal(counts.size, 1, `size ${size}: compression counts ${[...counts].join(', ')}`);
    }
  });

  test('RC4 records keep the plain HMAC (no padding to hide)', () => {
    const s = TLS_RSA_WITH_RC4_128_MD5;
    const count = { n: 0 };
    const w = new CipherState(s, Buffer.alloc(16, 1), Buffer.alloc(16, 2), Buffer.alloc(0));
    const r = new CipherState(s, Buffer.alloc(16, 1), Buffer.alloc(16, 2), Buffer.alloc(0), counting(count));
    const body = w.encrypt(CONTENT.applicationData, Buffer.from('hello'));
    assert.deepEqual(r.decrypt(CONTENT.applicationData, body), Buffer.from('hello'));
    // Inner hash: 64 + 13 + 5 bytes (2 blocks); outer: 64 + 16 (2 blocks).
    assert.equal(count.n, 4);
  });
});
