// The servers a scenario runs against: msnpd (as its own process) and the
// physical baseline (bench/baseline.ts, also its own process).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnMsnpd, type ServerProcess } from '../test/helpers/process.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Baseline {
  proc: ChildProcess;
  port: number;
  httpsPort: number;
  stop(): Promise<void>;
}

export function startBaseline(tls: { cert: string; key: string }): Promise<Baseline> {
  const proc = spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, path.join(here, 'baseline.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BASELINE_TLS_CERT: tls.cert, BASELINE_TLS_KEY: tls.key },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\d+)/.exec(out);
      const h = /https on (\d+)/.exec(out);
      if (m && h) {
        resolve({
          proc,
          port: Number(m[1]),
          httpsPort: Number(h[1]),
          stop: () =>
            new Promise((r) => {
              proc.once('exit', () => r());
              proc.kill('SIGTERM');
            }),
        });
      }
    });
    proc.once('exit', (c) => reject(new Error(`baseline exited with ${c}`)));
  });
}

export async function startMsnpd(dataDir: string, extra: Record<string, string> = {}, nodeArgs: string[] = [], cli?: string): Promise<ServerProcess> {
  return spawnMsnpd(
    {
      MSNPD_DATA: dataDir,
      MSNPD_HOST: '127.0.0.1',
      MSNPD_NS_PORT: '0',
      MSNPD_SB_PORT: '0',
      MSNPD_HTTP_PORT: '0',
      MSNPD_HTTPS_PORT: '0',
      MSNPD_CHALLENGES: 'off',
      MSNPD_LOG_LEVEL: 'warn',
      MSNPD_AUTH_TIMEOUT: '600',
      // The load generator is one address sending far faster than a person:
      // the limits stay on (their checks run on every connection and command)
      // but are set out of its way.
      MSNPD_MAX_CONNECTIONS_PER_IP: '1000000',
      MSNPD_NS_COMMAND_RATE: '1000000',
      MSNPD_NS_COMMAND_BURST: '1000000',
      MSNPD_SB_COMMAND_RATE: '1000000',
      MSNPD_SB_COMMAND_BURST: '1000000',
      MSNPD_GATEWAY_REQUEST_RATE: '0',
      ...extra,
    },
    { raiseFileLimit: true, nodeArgs, cli },
  );
}

/** Resident memory of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}
