#!/usr/bin/env node
// The `msnpd` command: run the service, manage accounts.
import { Command, CommanderError } from 'commander';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../config.js';
import { AccountInputError } from '../core/accounts.js';
import { serveCommand } from './serve.js';
import { userCommands } from './user.js';
import { certCommand } from './cert.js';

const program = new Command();
program
  .name('msnpd')
  .description('An MSN Messenger / Windows Live Messenger service (MSNP2 onwards).')
  .version(process.env.npm_package_version ?? '0.1.0')
  .showHelpAfterError()
  .addHelpText(
    'after',
    '\nConfiguration comes from environment variables (flags of `serve` override them):\n' +
      CONFIG_VARIABLES.map(([k, d]) => `  ${k.padEnd(Math.max(...CONFIG_VARIABLES.map(([n]) => n.length)))} ${d}`).join('\n') +
      '\n\nExamples:\n  msnpd serve                          run every listener, data in ./data\n' +
      '  msnpd user add alice@example.com secret --name Alice\n  msnpd user import accounts.txt\n',
  );

serveCommand(program);
userCommands(program);
certCommand(program);

program.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof ConfigError) {
    console.error(`msnpd: bad configuration: ${e.message}`);
    process.exitCode = 2;
  } else if (e instanceof AccountInputError) {
    console.error(`msnpd: ${e.message}`);
    process.exitCode = 1;
  } else {
    console.error(`msnpd: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}

export { loadConfig };
