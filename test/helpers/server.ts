// Test servers: in-process (real TCP on loopback, real SQLite in a temp dir)
// or as a separate `msnpd serve` process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { NsClient } from '../../src/client/ns-client.js';
import { CLI, spawnMsnpd, type ServerProcess } from './process.js';
import { ensureCertificates } from '../../src/web/certificates.js';
import type { Clock } from '../../src/core/clock.js';

export const HOST = '127.0.0.1';
export { CLI };

export function tempDir(prefix = 'msnpd-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * One certificate authority and server certificate for every test server of
 * this process (made once; tests of certificate creation itself pass
 * MSNPD_TLS_CERT: '' to get a fresh one in their data directory).
 */
export function sharedTls(): { cert: string; key: string; ca: string; legacyCert: string; legacyKey: string } {
  const dir = path.join(os.tmpdir(), `msnpd-test-tls-${process.pid}`);
  const tls = (f: string) => path.join(dir, 'tls', f);
  if (!fs.existsSync(tls('server.crt')) || !fs.existsSync(tls('legacy.crt'))) ensureCertificates({ dataDir: dir, publicHost: undefined, certFile: undefined, keyFile: undefined });
  return { cert: tls('server.crt'), key: tls('server.key'), ca: tls('ca.crt'), legacyCert: tls('legacy.crt'), legacyKey: tls('legacy.key') };
}

/** Environment for a test server: ephemeral ports, cheap password hashing, no challenges unless asked. */
export function testEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const tls = sharedTls();
  return {
    MSNPD_TLS_CERT: tls.cert,
    MSNPD_TLS_KEY: tls.key,
    MSNPD_TLS_LEGACY_CERT: tls.legacyCert,
    MSNPD_TLS_LEGACY_KEY: tls.legacyKey,
    MSNPD_DATA: dataDir,
    MSNPD_HOST: HOST,
    MSNPD_NS_PORT: '0',
    MSNPD_SB_PORT: '0',
    MSNPD_NOTIFY_PORT: '0',
    MSNPD_HTTP_PORT: '0',
    MSNPD_HTTPS_PORT: '0',
    MSNPD_SCRYPT_N: '1024',
    MSNPD_CHALLENGES: 'off',
    MSNPD_LOG_LEVEL: 'silent',
    ...extra,
  };
}

export interface TestServer {
  server: RunningServer;
  config: Config;
  dir: string;
  ns: number;
  sb: number;
  /** Creates an account (friendly name defaults to the address). */
  user(email: string, password?: string, name?: string): Promise<number>;
  /** A signed-in client of this version (after SYN and, unless `status` is null, CHG). */
  login(email: string, version: number, opts?: { password?: string; status?: string | null; sync?: boolean }): Promise<NsClient>;
  /** A client offering these versions; MSNP8+ sign in through login2.srf, MSNP12 through RST.srf, unless `method` says. */
  client(version: number | number[], method?: 'login2' | 'rst'): NsClient;
  stop(): Promise<void>;
}

/** `log`: a logger to read the server's log lines from (default: none); `clock`: the core's clock (default: the system's). */
export async function startTestServer(env: Record<string, string> = {}, dir = tempDir(), opts: { log?: Logger; clock?: Clock } = {}): Promise<TestServer> {
  const config = loadConfig(testEnv(dir, env));
  const server = await startServer(config, opts.log ?? silentLogger, { clock: opts.clock });
  const clients: NsClient[] = [];
  const t: TestServer = {
    server,
    config,
    dir,
    ns: server.ports.ns,
    sb: server.ports.sb,
    user: (email, password = 'secret', name) => server.core.accounts.create(email, password, name),
    client(version, method) {
      const versions = Array.isArray(version) ? version : [version];
      const c = new NsClient({
        host: HOST,
        port: server.ports.ns,
        versions,
        // MSN 7.5 (MSNP12) signs in through RST.srf, older Passport clients through login2.srf.
        passport: { host: HOST, port: server.ports.https!, ca: fs.readFileSync(sharedTls().ca), method: method ?? (versions[0]! >= 12 ? 'rst' : 'login2') },
      });
      clients.push(c);
      return c;
    },
    async login(email, version, opts = {}) {
      const c = t.client(version);
      await c.connect();
      await c.login(email, opts.password ?? 'secret');
      if (opts.sync !== false) await c.sync(0);
      if (opts.status !== null) await c.setStatus(opts.status ?? 'NLN');
      // The profile message and the ILN burst are not what most tests look at.
      c.conn.take((r) => r.verb === 'MSG' || r.verb === 'ILN');
      return c;
    },
    async stop() {
      for (const c of clients) c.conn?.destroy();
      await server.stop();
    },
  };
  return t;
}

export type { ServerProcess } from './process.js';

/** Runs `msnpd serve` as its own process on `dir` (test environment) and waits for its listener lines. */
export function spawnServer(dir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnMsnpd(testEnv(dir, env));
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
    proc.stdin.end(input ?? '');
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
