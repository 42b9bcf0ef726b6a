// The stall scenario: how late msnpd's event loop runs (worst delay, p99)
// during sign-in storms while `msnpd user import` writes thousands of
// accounts to the same database. The server reports its own loop delay
// through the bench-only preload bench/loop-delay.ts (SIGHUP).
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { NsClient } from '../src/client/ns-client.js';
import type { ServerProcess } from '../test/helpers/process.js';
import { distribution, pool, type Distribution } from './stats.js';
import { account, HOST, PASSWORD } from './scenarios.js';

export interface LoopDelay {
  /** Wall clock (monitorEventLoopDelay): what a client would see, machine load included. */
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  /** The delay less the time the server's main thread waited for a CPU: its own doing (work, or sleeping in SQLite's busy handler). */
  ownMaxMs: number;
  ownP99Ms: number;
  samples: number;
  resolutionMs: number;
}

export interface StallResult {
  imported: number;
  importSeconds: number;
  waves: number;
  logins: number;
  /** Sign-ins, SYNs, CHGs and REAs that failed (an error reply or a dropped connection). */
  failures: number;
  loginLatencyMs: Distribution;
  /** During sign-in storms while the CLI imports: what the scenario is about. */
  loopDelay: LoopDelay;
  /** The same storms with no import, and the import with no storm: what each costs alone. */
  stormOnly: LoopDelay;
  importOnly: LoopDelay;
  /** A wave while another process holds the write lock for `lockHoldMs` (a long CLI write). */
  lockHeld: LoopDelay;
  lockHoldMs: number;
  lockHeldFailures: number;
}

/** Closes the server's current measuring window and returns it. */
export async function loopDelay(server: ServerProcess): Promise<LoopDelay> {
  const count = () => server.output().split('loop-delay ').length - 1;
  const before = count();
  server.proc.kill('SIGHUP');
  for (let i = 0; i < 500 && count() === before; i++) await new Promise((r) => setTimeout(r, 10));
  const line = server.output().split('loop-delay ').at(-1)!.split('\n')[0]!;
  return JSON.parse(line) as LoopDelay;
}

/** `msnpd user import` of `n` new accounts, as its own process on the same data directory. */
function runImport(cli: string, dataDir: string, prefix: string, n: number, scryptN: string): Promise<{ imported: number; seconds: number }> {
  const file = path.join(dataDir, `${prefix}-import.txt`);
  fs.writeFileSync(file, Array.from({ length: n }, (_, i) => `${prefix}${i}@bench.example:${PASSWORD}`).join('\n'));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, 'user', 'import', file], {
      env: { ...process.env, MSNPD_DATA: dataDir, MSNPD_SCRYPT_N: scryptN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`import exited with ${code}:\n${out}`));
      resolve({ imported: Number(/imported (\d+)/.exec(out)?.[1] ?? NaN), seconds: (performance.now() - t0) / 1000 });
    });
  });
}

interface Storm {
  lat: number[];
  failures: number;
  waves: number;
}

/** One wave: `storm` MSNP7 sign-ins at once (USR MD5, SYN, CHG, then a REA: a write), then all disconnect. */
async function wave(port: number, storm: number, first: number, s: Storm): Promise<void> {
  s.waves++;
  const clients = await pool(Array.from({ length: storm }, (_, i) => first + i), storm, async (i) => {
    const t0 = performance.now();
    const c = new NsClient({ host: HOST, port, versions: [7], timeoutMs: 60000 });
    try {
      await c.connect();
      await c.login(account(i), PASSWORD);
      s.lat.push(performance.now() - t0);
      await c.sync(0);
      await c.setStatus('NLN');
      await c.conn.request('REA', [account(i), `wave%20${s.waves}`], undefined, 60000);
    } catch {
      s.failures++;
    }
    return c;
  });
  for (const c of clients) c.conn?.destroy();
}

/**
 * Three windows of the server's event-loop delay: waves of sign-ins alone,
 * the CLI importing `imports` accounts alone, then both at once (waves until
 * the import has finished).
 */
export async function stallScenario(server: ServerProcess, cli: string, dataDir: string, imports: number, storm: number, first: number, scryptN: string): Promise<StallResult> {
  const alone: Storm = { lat: [], failures: 0, waves: 0 };
  await loopDelay(server); // start a fresh window
  for (let i = 0; i < 3; i++) await wave(server.ns, storm, first, alone);
  const stormOnly = await loopDelay(server);
  await runImport(cli, dataDir, 'solo', imports, scryptN);
  const importOnly = await loopDelay(server);

  const s: Storm = { lat: [], failures: 0, waves: 0 };
  let importDone = false;
  const importing = runImport(cli, dataDir, 'imp', imports, scryptN).finally(() => (importDone = true));
  while (!importDone || s.waves === 0) await wave(server.ns, storm, first, s);
  const delay = await loopDelay(server);
  const imp = await importing;

  // The worst case of a CLI write: a transaction holding the lock for a while
  // (the old busy_timeout made the service wait for it synchronously).
  const held: Storm = { lat: [], failures: 0, waves: 0 };
  const lockHoldMs = 1000;
  const db = new Database(path.join(dataDir, 'msnpd.sqlite'));
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO settings (key, value) VALUES ('bench-lock', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  const release = new Promise<void>((r) =>
    setTimeout(() => {
      db.exec('COMMIT');
      db.close();
      r();
    }, lockHoldMs),
  );
  await wave(server.ns, storm, first, held);
  await release;
  const lockHeld = await loopDelay(server);
  return {
    imported: imp.imported, importSeconds: imp.seconds, waves: s.waves, logins: s.lat.length, failures: s.failures,
    loginLatencyMs: distribution(s.lat), loopDelay: delay, stormOnly, importOnly, lockHeld, lockHoldMs, lockHeldFailures: held.failures,
  };
}
