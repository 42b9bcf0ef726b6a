// The hello flood against a client that never reads (issue 11): after a
// legacy TLS 1.0 handshake, a client that has stopped reading sends records
// packed with empty renegotiating ClientHellos (4 bytes each; 1,000 per
// record). Each one answered costs the server a 23-29-byte alert record, so an
// engine that answers them all and ignores backpressure keeps several times
// what the client sends. Reported: msnpd's resident memory before and at its
// peak during the flood, what the client managed to send, and whether the
// server closed the connection.
//
// `npm run bench -- --scenarios tlsflood` runs it against this build. Run
// alone, it can also measure another build (the "before" figure):
//   node dist/bench/tls-flood.js --cli /work/main/dist/src/cli/main.js --mib 16
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LegacyTlsClient } from '../src/web/tls/legacy/client.js';
import { CONTENT, handshakeMessage } from '../src/web/tls/legacy/record.js';
import { rssBytes } from './targets.js';

const HOST = '127.0.0.1';
const RECORD = Buffer.concat(Array.from({ length: 1000 }, () => handshakeMessage(1, Buffer.alloc(0))));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FloodResult {
  /** Bytes of hellos the client wrote (into its socket) before the server closed or the flood ended. */
  sentBytes: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssGrowthBytes: number;
  serverClosed: boolean;
  seconds: number;
}

/**
 * Floods `port` with up to `mib` MiB of hellos from a client that never
 * reads; `pid` is msnpd's (its RSS is sampled every 10 ms). `compact` runs a
 * full collection first, so the "before" figure is not last scenario's garbage.
 */
export async function helloFloodScenario(port: number, pid: number, mib: number, compact?: () => Promise<void>): Promise<FloodResult> {
  await compact?.();
  const rssBeforeBytes = rssBytes(pid);
  let rssPeakBytes = rssBeforeBytes;
  const sample = setInterval(() => (rssPeakBytes = Math.max(rssPeakBytes, rssBytes(pid))), 10);
  const t0 = Date.now();
  const c = await LegacyTlsClient.connect({ host: HOST, port, suites: [0x0005], timeoutMs: 60_000 });
  c.socket.pause();
  c.socket.on('error', () => undefined);
  let sentBytes = 0;
  try {
    while (sentBytes < mib * 2 ** 20 && !c.socket.destroyed) {
      c.sendRecord(CONTENT.handshake, RECORD);
      sentBytes += RECORD.length;
      await new Promise((r) => setImmediate(r));
      // The server stopped reading: our own buffer is not what is measured.
      if (c.socket.writableLength > 8 * 2 ** 20) break;
    }
    // Give the server time to work through what it has read: until its RSS has made no new peak for 2 s (60 s at most).
    for (let last = rssPeakBytes, quiet = 0, i = 0; quiet < 20 && i < 600; i++) {
      await sleep(100);
      quiet = rssPeakBytes > last ? 0 : quiet + 1;
      last = rssPeakBytes;
    }
  } finally {
    clearInterval(sample);
  }
  const serverClosed = c.socket.destroyed || c.socket.readableEnded || (await Promise.race([c.closed.then(() => true), sleep(200).then(() => false)]));
  c.destroy();
  return { sentBytes, rssBeforeBytes, rssPeakBytes, rssGrowthBytes: rssPeakBytes - rssBeforeBytes, serverClosed, seconds: (Date.now() - t0) / 1000 };
}

/** Standalone: start `--cli` (default: this build) on a fresh data directory and flood it. */
async function main(): Promise<void> {
  const arg = (name: string, def: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1]! : def;
  };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const cli = path.resolve(arg('cli', path.join(here, '../src/cli/main.js')));
  const mib = Number(arg('mib', '16'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msnpd-flood-'));
  const env = { ...process.env, MSNPD_DATA: dir, MSNPD_HOST: HOST, MSNPD_NS_PORT: '0', MSNPD_SB_PORT: '0', MSNPD_HTTP_PORT: '0', MSNPD_HTTPS_PORT: '0', MSNPD_LOG_LEVEL: 'info' };
  const proc = spawn(process.execPath, [cli, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    let port: number | undefined;
    for (let i = 0; i < 600 && port === undefined; i++) {
      await sleep(100);
      const m = /https server listening on [^\s]+:(\d+)/.exec(out);
      if (m) port = Number(m[1]);
    }
    if (port === undefined) throw new Error(`msnpd did not start:\n${out}`);
    const compact = async () => {
      proc.kill('SIGUSR2');
      await sleep(1000);
    };
    const r = await helloFloodScenario(port, proc.pid!, mib, compact);
    const MiB = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(`${cli}: client sent ${MiB(r.sentBytes)} MiB (${r.sentBytes} bytes) of hellos in ${r.seconds.toFixed(1)} s; msnpd RSS ${MiB(r.rssBeforeBytes)} -> peak ${MiB(r.rssPeakBytes)} MiB (growth ${MiB(r.rssGrowthBytes)} MiB); server closed the connection: ${r.serverClosed ? 'yes' : 'no'}`);
    const closed = out.split('\n').find((l) => l.includes('legacy TLS connection closed'));
    if (closed) console.log(`msnpd logged: ${closed}`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
