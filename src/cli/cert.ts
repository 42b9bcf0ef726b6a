// `msnpd cert`: where the certificate authority is, and how to trust it.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { ensureCertificates, trustInstructions } from '../web/certificates.js';

export function certCommand(program: Command): void {
  program
    .command('cert')
    .description('show (making it on first use) the local certificate authority and how to trust it on Windows')
    .action(() => {
      const c = loadConfig();
      const m = ensureCertificates({ dataDir: c.dataDir, publicHost: c.publicHost, certFile: c.tlsCert, keyFile: c.tlsKey, legacyCertFile: c.tlsLegacyCert, legacyKeyFile: c.tlsLegacyKey, legacyTls: c.tlsLegacy });
      process.stdout.write(trustInstructions(m));
      for (const w of m.warnings) process.stderr.write(`warning: ${w}\n`);
    });
}
