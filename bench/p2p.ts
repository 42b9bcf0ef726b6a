// The P2P scenario: one sender writes a whole P2Pv1 transfer (1202-byte
// chunks, as MSN 7.5 sends a display picture or a file) into its switchboard
// socket at once, faster than MSNPD_SB_COMMAND_RATE allows. The switchboard
// paces it (stops reading until its bucket refills) instead of closing it as
// a flood. Reported: whether every byte arrived in order, how fast, and
// msnpd's resident memory before and at its peak (it must not hold the
// transfer: the sender's TCP window does).
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Received } from '../src/client/connection.js';
import { account, formPair, signIn } from './scenarios.js';
import { rssBytes } from './targets.js';

export interface P2pResult {
  bytes: number;
  messages: number;
  complete: boolean;
  seconds: number;
  kibPerSecond: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssGrowthBytes: number;
}

const CHUNK = 1202;

export async function p2pScenario(port: number, pid: number, mib: number, offset: number, compact?: () => Promise<void>): Promise<P2pResult> {
  const { chat: [sa, sb], ns } = await formPair((e) => signIn(port, e), account(offset), account(offset + 1), 30_000);
  const dest = account(offset + 1);
  const data = Buffer.alloc(mib * 2 ** 20);
  for (let i = 0; i * 32 < data.length; i++) createHash('sha256').update(String(i)).digest().copy(data, i * 32);
  const parts: Buffer[] = [];
  let messages = 0;
  for (let off = 0; off < data.length; off += CHUNK, messages++) {
    const chunk = data.subarray(off, off + CHUNK);
    const h = Buffer.alloc(48);
    h.writeUInt32LE(7, 0);
    h.writeUInt32LE(messages + 1, 4);
    h.writeBigUInt64LE(BigInt(off), 8);
    h.writeBigUInt64LE(BigInt(data.length), 16);
    h.writeUInt32LE(chunk.length, 24);
    const body = Buffer.concat([Buffer.from(`MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: ${dest}\r\n\r\n`), h, chunk, Buffer.from([0, 0, 0, 1])]);
    parts.push(Buffer.from(`MSG ${messages + 10} D ${body.length}\r\n`), body);
  }
  await compact?.();
  const rssBeforeBytes = rssBytes(pid);
  let rssPeakBytes = rssBeforeBytes;
  const sample = setInterval(() => (rssPeakBytes = Math.max(rssPeakBytes, rssBytes(pid))), 10);
  const got: Buffer[] = [];
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    const onLine = (r: Received) => {
      if (r.verb !== 'MSG') return;
      const p = r.payload!;
      got.push(p.subarray(p.indexOf('\r\n\r\n') + 4 + 48, p.length - 4));
      if (got.length === messages) {
        sb.off('line', onLine);
        resolve();
      }
    };
    sb.on('line', onLine);
  });
  sa.raw(Buffer.concat(parts));
  await done;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sample);
  const complete = Buffer.concat(got).equals(data);
  for (const c of [sa, sb, ...ns]) c.destroy();
  return { bytes: data.length, messages, complete, seconds, kibPerSecond: data.length / 1024 / seconds, rssBeforeBytes, rssPeakBytes, rssGrowthBytes: rssPeakBytes - rssBeforeBytes };
}
