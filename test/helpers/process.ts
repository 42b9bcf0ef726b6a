// Starting `msnpd serve` (or another script) as its own process and reading
// the ports it prints. Shared by the tests and the benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

export interface ServerProcess {
  proc: ChildProcess;
  ns: number;
  sb: number;
  notify?: number;
  /** The web listeners (Nexus, login2.srf, RST.srf), when they started. */
  http?: number;
  https?: number;
  output: () => string;
  /** Sends a signal (SIGTERM by default) and waits; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `msnpd serve` with this environment and waits for its listener lines.
 * With `raiseFileLimit`, it runs under a shell that raises the open-file limit
 * as far as the hard limit allows (many idle connections). `cli`: another
 * build's dist/src/cli/main.js (benchmarks comparing builds).
 */
export function spawnMsnpd(env: Record<string, string>, opts: { raiseFileLimit?: boolean; nodeArgs?: string[]; cli?: string } = {}): Promise<ServerProcess> {
  const args = [...(opts.nodeArgs ?? []), opts.cli ?? CLI, 'serve'];
  const proc = opts.raiseFileLimit
    ? spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20000);
    const port = (name: string) => {
      const m = new RegExp(`${name} server listening on [^\\s]+:(\\d+)`).exec(out);
      return m ? Number(m[1]) : undefined;
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    };
    const check = () => {
      const sb = port('switchboard');
      const ns = port('notification');
      if (sb === undefined || ns === undefined || !/data in/.test(out)) return;
      clearTimeout(timer);
      proc.stdout!.off('data', check);
      proc.off('exit', onExit);
      const exited = new Promise<number | null>((r) => {
        if (proc.exitCode !== null) r(proc.exitCode);
        else proc.once('exit', (code) => r(code));
      });
      const dispatch = port('dispatch');
      resolve({
        proc,
        ns: dispatch ?? ns,
        sb,
        notify: dispatch !== undefined ? ns : undefined,
        http: port('http'),
        https: port('https'),
        output: () => out,
        async stop(signal = 'SIGTERM') {
          if (proc.exitCode === null) proc.kill(signal);
          return exited;
        },
      });
    };
    proc.stdout!.on('data', check);
    proc.once('exit', onExit);
  });
}
