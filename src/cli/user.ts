// `msnpd user ...`: accounts, on the same data directory as a running service
// (SQLite allows both; the service picks up deletions within a second or so).
import type { Command } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig } from '../config.js';
import { AccountInputError, AccountService } from '../core/accounts.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { NewAccount, Store } from '../store/store.js';

async function withAccounts<T>(fn: (a: AccountService, store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = openSqliteStore(config.dataDir, { tombstoneRetentionMs: config.abTombstoneDays * 24 * 3600 * 1000 });
  try {
    return await fn(new AccountService(store, { scryptN: config.scryptN, legacyMd5: config.legacyMd5 }), store);
  } finally {
    await store.close();
  }
}

export function userCommands(program: Command): void {
  const user = program.command('user').description('manage accounts');

  user
    .command('add <email> <password>')
    .description('create an account (password: 1-16 characters)')
    .option('--name <friendly>', 'friendly name (default: the e-mail address)')
    .action(async (email: string, password: string, opts: { name?: string }) => {
      await withAccounts(async (a) => {
        await a.create(email, password, opts.name);
        console.log(`created ${email.trim().toLowerCase()}`);
      });
    });

  user
    .command('list')
    .description('list accounts (address, name, created, whether an MD5 verifier is held)')
    .action(async () => {
      await withAccounts(async (a) => {
        const all = await a.list();
        for (const u of all) {
          const md5 = u.hasMd5Verifier ? 'MD5 verifier' : 'no MD5 verifier';
          console.log(`${u.email}\t${u.friendlyName}\t${new Date(u.createdAt).toISOString()}\t${md5}`);
        }
        console.log(`${all.length} account${all.length === 1 ? '' : 's'}`);
        const held = all.filter((u) => u.hasMd5Verifier).length;
        // The verifier is an unsalted-in-effect fast hash: say what it costs, once.
        if (held > 0) {
          console.log(
            `${held} hold an MD5 verifier (for MSN Messenger 1.0-4.x): whoever copies the database can sign in as them ` +
              `and can recover short passwords quickly; MSNPD_LEGACY_MD5=off stops storing it at the next password change`,
          );
        }
      });
    });

  user
    .command('passwd <email> <password>')
    .description('set a new password (current sessions stay; new sign-ins need it)')
    .action(async (email: string, password: string) => {
      await withAccounts(async (a) => {
        await a.setPassword(email, password);
        console.log(`password changed for ${email.trim().toLowerCase()}`);
      });
    });

  user
    .command('delete <email>')
    .description('delete an account (signed out if online, removed from every list)')
    .action(async (email: string) => {
      await withAccounts(async (a) => {
        const ev = await a.remove(email);
        console.log(`deleted ${ev.email} (removed from ${ev.entries.length} other list${ev.entries.length === 1 ? '' : 's'})`);
      });
    });

  user
    .command('import <file>')
    .description('create accounts from lines "email:password[:friendly name]" ("-" reads standard input)')
    .action(async (file: string) => {
      const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
      await withAccounts((a, store) => importAccounts(text, a, store));
    });
}

interface ImportLine {
  line: number;
  email: string;
  password: string;
  name?: string;
}

/** Parses the import file; bad lines are reported, not fatal. */
export function parseImport(text: string): { lines: ImportLine[]; bad: string[] } {
  const lines: ImportLine[] = [];
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const a = s.indexOf(':');
    if (a < 0) return bad.push(`line ${i + 1}: expected email:password[:friendly name]`);
    const rest = s.slice(a + 1);
    const b = rest.indexOf(':');
    const password = b < 0 ? rest : rest.slice(0, b);
    const name = b < 0 ? undefined : rest.slice(b + 1).trim() || undefined;
    lines.push({ line: i + 1, email: s.slice(0, a).trim(), password, name });
  });
  return { lines, bad };
}

/**
 * Accounts inserted per transaction. Each holds the database's write lock
 * for a few ms at most, so a running service's writes wait no longer than
 * that (they retry on a timer meanwhile); one transaction for the whole file
 * would lock it out for the length of the import.
 */
const IMPORT_BATCH = 100;

async function importAccounts(text: string, accounts: AccountService, store: Store): Promise<void> {
  const { lines, bad } = parseImport(text);
  const seen = new Set<string>();
  const todo: ImportLine[] = [];
  const existing: string[] = [];
  const known = new Set((await store.listAccounts()).map((a) => a.email));
  for (const l of lines) {
    const e = l.email.trim().toLowerCase();
    if (seen.has(e)) {
      bad.push(`line ${l.line}: ${e} appears earlier in the file`);
      continue;
    }
    seen.add(e);
    // Checked before hashing: re-running an import skips what is there quickly.
    if (known.has(e)) existing.push(`line ${l.line}: skipped ${e}: an account with this address already exists`);
    else todo.push(l);
  }
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let done = 0;
  let created = 0;
  const progress = (final = false) => {
    const line = `importing: ${done}/${todo.length} checked, ${created} created, ${existing.length} already existed, ${bad.length} bad lines`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else if (final || done % 500 === 0) process.stderr.write(line + '\n');
  };
  // scrypt runs on libuv's thread pool: keep every core busy, insert in batches.
  const concurrency = Math.max(2, os.availableParallelism() * 2);
  const batch: NewAccount[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch.splice(0);
    // Accounts created meanwhile (by another process) are skipped, not overwritten.
    const skipped = await store.createAccounts(rows);
    existing.push(...skipped.map((e) => `skipped ${e}: an account with this address was created during the import`));
    created += rows.length - skipped.length;
  };
  let next = 0;
  let lastReport = 0;
  const worker = async () => {
    while (next < todo.length) {
      const l = todo[next++]!;
      try {
        batch.push(await accounts.prepare(l.email, l.password, l.name));
      } catch (e) {
        if (e instanceof AccountInputError) bad.push(`line ${l.line}: ${e.message}`);
        else throw e;
      }
      done++;
      if (batch.length >= IMPORT_BATCH) await flush();
      if (Date.now() - lastReport > 200) {
        lastReport = Date.now();
        progress();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await flush();
  progress(true);
  const byLine = (x: string) => Number(/^line (\d+)/.exec(x)?.[1] ?? Infinity);
  for (const b of [...bad, ...existing].sort((x, y) => byLine(x) - byLine(y))) console.error(b);
  console.log(`imported ${created} account${created === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s (${existing.length} already existed, ${bad.length} bad lines skipped)`);
  if (bad.length > 0) process.exitCode = 1;
}
