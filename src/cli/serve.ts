// `msnpd serve`: every listener, until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startServer } from '../server.js';
import { compactMemory } from '../memory.js';

/** Flags of `serve` and the environment variable each one sets. */
const FLAGS: ReadonlyArray<[string, string, string]> = [
  ['--data <dir>', 'MSNPD_DATA', 'data directory'],
  ['--host <address>', 'MSNPD_HOST', 'address to listen on'],
  ['--public-host <address>', 'MSNPD_PUBLIC_HOST', 'address given to clients in XFR/RNG'],
  ['--ns-port <port>', 'MSNPD_NS_PORT', 'dispatch + notification port'],
  ['--sb-port <port>', 'MSNPD_SB_PORT', 'switchboard port'],
  ['--http-port <port>', 'MSNPD_HTTP_PORT', 'HTTP port'],
  ['--https-port <port>', 'MSNPD_HTTPS_PORT', 'HTTPS port'],
  ['--dispatch <mode>', 'MSNPD_DISPATCH', 'same or redirect'],
  ['--notify-port <port>', 'MSNPD_NOTIFY_PORT', 'notification port in redirect mode'],
  ['--challenges <policy>', 'MSNPD_CHALLENGES', 'enforce, log or off'],
  ['--log-level <level>', 'MSNPD_LOG_LEVEL', 'log level'],
];

/** Copies flags onto the environment they override. */
export function applyFlags(opts: Record<string, string | undefined>): void {
  for (const [flag, env] of FLAGS) {
    const key = flag.slice(2).split(' ')[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = opts[key];
    if (v !== undefined) process.env[env] = v;
  }
}

export function serveCommand(program: Command): void {
  const cmd = program.command('serve').description('run the service (dispatch/notification and switchboard servers)');
  for (const [flag, env, desc] of FLAGS) cmd.option(flag, `${desc} (${env})`);
  cmd.action(async (opts: Record<string, string | undefined>) => {
    applyFlags(opts);
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const server = await startServer(config, log);
    for (const l of server.listeners) console.log(`msnpd: ${l.name} server listening on ${l.host}:${l.port}`);
    for (const p of server.problems) console.log(p);
    console.log(`msnpd: data in ${config.dataDir}`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`msnpd: ${signal}: shutting down (clients are told OUT SSD)`);
      log.info({ signal, ...server.stats() }, 'shutting down');
      server.stop().then(
        () => {
          console.log('msnpd: stopped');
          process.exit(0);
        },
        (e: unknown) => {
          log.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    // SIGUSR2: a full garbage collection, then one log line with memory and counts.
    process.on('SIGUSR2', () => {
      const m = compactMemory();
      log.info({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, ...server.stats() }, 'memory after a full collection');
    });
  });
}
