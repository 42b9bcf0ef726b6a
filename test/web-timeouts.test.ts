// Web connections that go quiet or trickle are closed (MSNPD_WEB_IDLE_TIMEOUT,
// and four times that at most), on the HTTP port and on the HTTPS port
// whichever TLS engine serves them. Deadlines are short here (1 s idle);
// the assertions are generous deadlines, not timings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { LegacyTlsClient } from '../src/web/tls/legacy/client.js';
import { httpsRequest } from './helpers/https.js';
import { HOST, sharedTls, startTestServer, type TestServer } from './helpers/server.js';

/** Resolves with the seconds until the peer closed, or rejects after `limitMs`. */
function closedWithin(s: net.Socket | tls.TLSSocket, limitMs: number): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs);
    s.once('close', () => {
      clearTimeout(timer);
      resolve((Date.now() - t0) / 1000);
    });
  });
}

function plain(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, HOST, () => resolve(s));
    s.on('error', reject);
  });
}

function modern(port: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: HOST, port, servername: 'login.live.com', ca: fs.readFileSync(sharedTls().ca) }, () => resolve(s));
    s.on('error', reject);
  });
}

describe('web connections that go quiet', () => {
  let t: TestServer;
  let http: number;
  let https: number;
  before(async () => {
    t = await startTestServer({ MSNPD_WEB_IDLE_TIMEOUT: '1' });
    http = t.server.ports.http!;
    https = t.server.ports.https!;
  });
  after(() => t.stop());

  test('silent and half-sent requests are closed on both ports and with both TLS engines', async () => {
    const waits: Promise<number>[] = [];
    const p1 = await plain(http);
    waits.push(closedWithin(p1, 20_000));
    const p2 = await plain(http);
    p2.write('GET /rdr/pprdr.asp HTTP/1.1\r\nHost: x\r\n');
    waits.push(closedWithin(p2, 20_000));
    const m1 = await modern(https);
    m1.on('error', () => undefined);
    waits.push(closedWithin(m1, 20_000));
    const m2 = await modern(https);
    m2.on('error', () => undefined);
    m2.write('GET /rdr/pprdr.asp HTTP/1.1\r\nHost: x\r\n');
    waits.push(closedWithin(m2, 20_000));
    const l1 = await LegacyTlsClient.connect({ host: HOST, port: https, suites: [0x000a] });
    waits.push(l1.closed.then(() => 0));
    // Deadlines, not speed: each closes (the default idle timeout would be 30 s).
    await Promise.all(waits);
  });

  test('a client trickling its request head is cut at four times the idle timeout', async () => {
    const s = await modern(https);
    s.on('error', () => undefined);
    const head = 'GET /rdr/pprdr.asp HTTP/1.1\r\nHost: login.live.com\r\nX-Slow: ';
    let i = 0;
    const drip = setInterval(() => {
      if (!s.destroyed) s.write(head[i++ % head.length]!);
    }, 300);
    try {
      // It never goes quiet, so only the lifetime cap (4 s here) can close it.
      await closedWithin(s, 25_000);
    } finally {
      clearInterval(drip);
    }
  });

  test('the server still answers afterwards', async () => {
    assert.equal((await httpsRequest(https, { path: '/rdr/pprdr.asp' })).status, 200);
  });
});
