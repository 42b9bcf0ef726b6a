// HTTPS handshakes per second: modern TLS through msnpd's sniffing HTTPS port
// and through a plain Node TLS server with the same certificate (the
// baseline's), and Windows XP's TLS 1.0 (3DES, RC4) through msnpd's legacy
// engine, driven by msnpd's own TLS 1.0 client. Each handshake is a new TCP
// connection, a full handshake (no resumption), and a close.
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { LegacyTlsClient } from '../src/web/tls/legacy/client.js';
import { distribution, pool, type Distribution } from './stats.js';

const HOST = '127.0.0.1';

export interface HandshakeResult {
  handshakes: number;
  perSecond: number;
  latencyMs: Distribution;
}

/** `n` handshakes, `concurrency` at a time. */
async function measure(n: number, concurrency: number, one: () => Promise<void>): Promise<HandshakeResult> {
  const lat: number[] = [];
  const t0 = performance.now();
  await pool(Array.from({ length: n }, (_, i) => i), concurrency, async () => {
    const s = performance.now();
    await one();
    lat.push(performance.now() - s);
  });
  const elapsed = (performance.now() - t0) / 1000;
  return { handshakes: n, perSecond: n / elapsed, latencyMs: distribution(lat) };
}

/** Node's TLS client (TLS 1.3 unless `version` says), verifying the certificate against `ca`. */
export function modernHandshakes(port: number, n: number, concurrency: number, ca: Buffer, version: tls.SecureVersion = 'TLSv1.3'): Promise<HandshakeResult> {
  return measure(n, concurrency, () =>
    new Promise<void>((resolve, reject) => {
      const s = tls.connect({ host: HOST, port, servername: 'login.live.com', ca, minVersion: version, maxVersion: version }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    }),
  );
}

/** msnpd's TLS 1.0 client offering one suite, verifying the chain against `ca`. */
export function legacyHandshakes(port: number, n: number, concurrency: number, suite: number, ca: Buffer): Promise<HandshakeResult> {
  return measure(n, concurrency, async () => {
    const c = await LegacyTlsClient.connect({ host: HOST, port, suites: [suite], ca, timeoutMs: 60_000 });
    c.destroy();
  });
}
