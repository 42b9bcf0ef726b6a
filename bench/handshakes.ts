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

/** One full handshake and a close. */
export type Handshake = () => Promise<void>;

/** Node's TLS client (TLS 1.3 unless `version` says), verifying the certificate against `ca`. */
export function modernHandshake(port: number, ca: Buffer, version: tls.SecureVersion = 'TLSv1.3'): Handshake {
  return () =>
    new Promise<void>((resolve, reject) => {
      const s = tls.connect({ host: HOST, port, servername: 'login.live.com', ca, minVersion: version, maxVersion: version }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
}

/** msnpd's TLS 1.0 client offering one suite, verifying the chain against `ca`. */
export function legacyHandshake(port: number, suite: number, ca: Buffer): Handshake {
  return async () => {
    const c = await LegacyTlsClient.connect({ host: HOST, port, suites: [suite], ca, timeoutMs: 60_000 });
    c.destroy();
  };
}

/**
 * `n` handshakes of each kind, `concurrency` at a time, in `rounds` rounds
 * that take the kinds in turn (in a rotating order), so a busy spell on the
 * machine weighs on every kind alike rather than on whichever ran then.
 */
export async function compareHandshakes<K extends string>(kinds: Record<K, Handshake>, n: number, concurrency: number, rounds = 5): Promise<Record<K, HandshakeResult>> {
  const names = Object.keys(kinds) as K[];
  const seconds = new Map<K, number>(names.map((k) => [k, 0]));
  const latencies = new Map<K, number[]>(names.map((k) => [k, []]));
  const perRound = Math.max(1, Math.ceil(n / rounds));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const k = names[(r + i) % names.length]!;
      const lat = latencies.get(k)!;
      const t0 = performance.now();
      await pool(Array.from({ length: perRound }, (_, j) => j), concurrency, async () => {
        const s = performance.now();
        await kinds[k]();
        lat.push(performance.now() - s);
      });
      seconds.set(k, seconds.get(k)! + (performance.now() - t0) / 1000);
    }
  }
  const out = {} as Record<K, HandshakeResult>;
  for (const k of names) {
    const lat = latencies.get(k)!;
    out[k] = { handshakes: lat.length, perSecond: lat.length / seconds.get(k)!, latencyMs: distribution(lat) };
  }
  return out;
}
