// `npm run bench`: starts a fresh msnpd and the physical baseline as separate
// processes, runs every scenario against them, prints a table and writes
// bench/results/latest.json. Sizes are flags (see --help).
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../test/helpers/process.js';
import {
  account, slowAccount, setCompactor, fanoutScenarioBaseline, fanoutScenarioMsnpd, idleScenario, listScenario, loginScenario, PASSWORD,
  relayScenarioBaseline, relayScenarioMsnpd,
} from './scenarios.js';
import { compareHandshakes, legacyHandshake, modernHandshake } from './handshakes.js';
import { helloFloodScenario } from './tls-flood.js';
import { p2pScenario } from './p2p.js';
import { gatewayRelayScenario } from './gateway.js';
import { abFindAllScenario } from './soap.js';
import { ssoSignInScenario } from './sso.js';
import { oimScenario } from './oim.js';
import { stallScenario } from './stall.js';
import { round } from './stats.js';
import { rssBytes, startBaseline, startMsnpd } from './targets.js';
import { ensureCertificates } from '../src/web/certificates.js';
import type { PassportOptions } from '../src/client/passport.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '../../bench/results');

const program = new Command()
  .name('npm run bench --')
  .description('msnpd benchmarks against a minimal relay baseline')
  .option('--scenarios <list>', 'comma-separated: login,sso,idle,relay,fanout,list,ab,oim,tls,tlsflood,gateway,stall,p2p', 'login,sso,idle,relay,fanout,list,ab,oim,tls,tlsflood,gateway,stall,p2p')
  .option('--logins <n>', 'accounts signing in at once (MD5, MSNP7)', '1000')
  .option('--twn-logins <n>', 'accounts signing in at once through Passport (MSNP11, default password hash)', '200')
  .option('--idle <n>', 'idle signed-in connections', '10000')
  .option('--pairs <n>', 'switchboard pairs', '100')
  .option('--messages <n>', 'messages per pair (half each way)', '1000')
  .option('--window <n>', 'unacknowledged messages per sender', '10')
  .option('--watchers <n>', 'watchers of the status change', '1000')
  .option('--rounds <n>', 'status changes in the fan-out scenario', '20')
  .option('--contacts <n>', 'contacts of the list and ab (ABFindAll) scenario accounts', '1000')
  .option('--oim-senders <n>', 'accounts storing offline messages (oim scenario)', '50')
  .option('--oim-recipients <n>', 'accounts they are stored for, each fetching its own', '50')
  .option('--oim-per-sender <n>', 'offline messages each sender stores', '20')
  .option('--handshakes <n>', 'HTTPS handshakes per measurement (tls scenario)', '1000')
  .option('--handshake-concurrency <n>', 'handshakes in flight at once', '16')
  .option('--flood-mib <n>', 'MiB of renegotiating hellos a non-reading client sends (tlsflood scenario)', '16')
  .option('--p2p-mib <n>', 'MiB one sender writes at once as P2P messages over a switchboard (p2p scenario)', '4')
  .option('--gateway-pairs <n>', 'pairs chatting through the HTTP gateway', '50')
  .option('--gateway-messages <n>', 'messages per gateway pair (half each way)', '200')
  .option('--gateway-poll-ms <n>', 'poll interval of the gateway clients while idle (the official client: 2000)', '2000')
  .option('--imports <n>', 'accounts the CLI imports during the stall scenario', '3000')
  .option('--import-scrypt-n <n>', 'MSNPD_SCRYPT_N of that import', '1024')
  .option('--storm <n>', 'accounts signing in at once, wave after wave, during the import (stall scenario)', '200')
  .option('--msnpd-cli <file>', "another build's dist/src/cli/main.js to benchmark (and to import with), e.g. an older commit's", CLI)
  .option('--out <file>', 'JSON results file', path.join(resultsDir, 'latest.json'))
  .option('--profile <dir>', 'write a CPU profile of msnpd (node --cpu-prof) into this directory')
  .parse();
const o = program.opts<Record<string, string>>();
const num = (k: string) => Number(o[k]);
const scenarios = new Set(o.scenarios!.split(','));

interface Row {
  scenario: string;
  metric: string;
  msnpd: number;
  baseline?: number;
  ratio?: number;
  target: string;
  ok?: boolean;
}
const rows: Row[] = [];
const results: Record<string, unknown> = {};

function log(s: string) {
  process.stderr.write(`[bench] ${s}\n`);
}

async function main() {
  // Relay, fan-out and list each get accounts of their own; login and idle reuse them.
  const needed = Math.max(num('logins'), scenarios.has('idle') ? num('idle') : 0, 2 * num('pairs') + num('watchers') + num('contacts') + 4 * num('gatewayPairs') + 2 + (scenarios.has('stall') ? num('storm') : 0) + (scenarios.has('ab') ? num('contacts') + 1 : 0) + (scenarios.has('oim') ? num('oimSenders') + num('oimRecipients') : 0) + (scenarios.has('p2p') ? 2 : 0));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msnpd-bench-'));
  log(`creating ${needed} accounts in ${dir}`);
  const file = path.join(dir, 'accounts.txt');
  fs.writeFileSync(file, Array.from({ length: needed }, (_, i) => `${account(i)}:${PASSWORD}`).join('\n'));
  // The bench signs in with MD5; the slow hash is not what it measures, so keep account creation quick.
  execFileSync(process.execPath, [CLI, 'user', 'import', file], { env: { ...process.env, MSNPD_DATA: dir, MSNPD_SCRYPT_N: '16' }, stdio: ['ignore', 'ignore', 'inherit'] });

  // Passport sign-ins check real password hashes: those accounts get the default cost.
  const slowFile = path.join(dir, 'slow.txt');
  fs.writeFileSync(slowFile, Array.from({ length: num('twnLogins') }, (_, i) => `${slowAccount(i)}:${PASSWORD}`).join('\n'));
  execFileSync(process.execPath, [CLI, 'user', 'import', slowFile], { env: { ...process.env, MSNPD_DATA: dir }, stdio: ['ignore', 'ignore', 'inherit'] });
  const tls = ensureCertificates({ dataDir: dir, publicHost: undefined, certFile: undefined, keyFile: undefined });
  const tlsFiles = { cert: path.join(dir, 'tls', 'server.crt'), key: path.join(dir, 'tls', 'server.key') };
  const legacyFiles = { MSNPD_TLS_LEGACY_CERT: path.join(dir, 'tls', 'legacy.crt'), MSNPD_TLS_LEGACY_KEY: path.join(dir, 'tls', 'legacy.key') };
  const nodeArgs = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(o.profile)}`] : [];
  // The stall scenario reads the server's event-loop delay through a bench-only preload.
  if (scenarios.has('stall')) nodeArgs.push('--import', path.join(here, 'loop-delay.js'));
  const msnpd = await startMsnpd(dir, { MSNPD_TLS_CERT: tlsFiles.cert, MSNPD_TLS_KEY: tlsFiles.key, ...legacyFiles }, nodeArgs, o.msnpdCli);
  const baseline = await startBaseline(tlsFiles);
  const msnpdHttps = Number(/https server listening on [^\s]+:(\d+)/.exec(msnpd.output())![1]);
  const passportOf = (port: number): PassportOptions => ({ host: '127.0.0.1', port, ca: fs.readFileSync(tls.caPath!), method: 'login2', timeoutMs: 60000 });
  log(`msnpd pid ${msnpd.proc.pid} ns ${msnpd.ns} sb ${msnpd.sb}; baseline pid ${baseline.proc.pid} port ${baseline.port}`);
  let next = 0; // accounts are used once per scenario so state never carries over
  const take = (n: number) => {
    const first = next;
    next += n;
    return first;
  };

  try {
    if (scenarios.has('login')) {
      const n = num('logins');
      log(`login: ${n} at once (msnpd, then baseline)`);
      await loginScenario(msnpd.ns, Math.min(100, n), 0); // warm-up
      const m = await loginScenario(msnpd.ns, n, 0);
      const b = await loginScenario(baseline.port, n, 0);
      results.login = { msnpd: m, baseline: b };
      rows.push({ scenario: 'login', metric: 'logins/s', msnpd: m.perSecond, baseline: b.perSecond, ratio: m.perSecond / b.perSecond, target: '≥ 0.5× baseline', ok: m.perSecond / b.perSecond >= 0.5 });
      rows.push({ scenario: 'login', metric: 'p50 latency ms', msnpd: m.latencyMs.p50, baseline: b.latencyMs.p50, target: '' });
      rows.push({ scenario: 'login', metric: 'p99 latency ms', msnpd: m.latencyMs.p99, baseline: b.latencyMs.p99, target: '' });
      const nt = num('twnLogins');
      log(`login (Passport): ${nt} at once`);
      const mt = await loginScenario(msnpd.ns, nt, 0, passportOf(msnpdHttps), slowAccount);
      const bt = await loginScenario(baseline.port, nt, 0, passportOf(baseline.httpsPort), slowAccount);
      results.loginTwn = { msnpd: mt, baseline: bt };
      rows.push({ scenario: 'login TWN', metric: 'logins/s (scrypt per login)', msnpd: mt.perSecond, baseline: bt.perSecond, ratio: mt.perSecond / bt.perSecond, target: '' });
      rows.push({ scenario: 'login TWN', metric: 'p50 latency ms', msnpd: mt.latencyMs.p50, baseline: bt.latencyMs.p50, target: '' });
      rows.push({ scenario: 'login TWN', metric: 'p99 latency ms', msnpd: mt.latencyMs.p99, baseline: bt.latencyMs.p99, target: '' });
    }
    if (scenarios.has('sso')) {
      const nt = num('twnLogins');
      log(`sso: ${nt} RST2.srf sign-ins at once (MSNPSharp 3.2.1's request, seven stored tokens each)`);
      const m = await ssoSignInScenario(msnpdHttps, fs.readFileSync(tls.caPath!), nt, slowAccount);
      results.sso = { msnpd: m };
      // The reference is msnpd's own login2.srf sign-in (same password check), when the login scenario ran.
      const twn = (results.loginTwn as { msnpd: { perSecond: number } } | undefined)?.msnpd.perSecond;
      rows.push({ scenario: 'sso RST2', metric: 'sign-ins/s (scrypt per sign-in)', msnpd: m.perSecond, baseline: twn, ratio: twn ? m.perSecond / twn : undefined, target: 'vs msnpd login TWN' });
      rows.push({ scenario: 'sso RST2', metric: 'p50 latency ms', msnpd: m.latencyMs.p50, target: '' });
      rows.push({ scenario: 'sso RST2', metric: 'p99 latency ms', msnpd: m.latencyMs.p99, target: '' });
    }
    if (scenarios.has('relay')) {
      const p = num('pairs');
      log(`relay: ${p} pairs × ${num('messages')} messages, window ${num('window')}`);
      const m = await relayScenarioMsnpd(msnpd.ns, p, num('messages'), num('window'), take(2 * p));
      const b = await relayScenarioBaseline(baseline.port, p, num('messages'), num('window'));
      results.relay = { msnpd: m, baseline: b };
      rows.push({ scenario: 'relay', metric: 'messages/s', msnpd: m.perSecond, baseline: b.perSecond, ratio: m.perSecond / b.perSecond, target: '≥ 0.8× baseline', ok: m.perSecond / b.perSecond >= 0.8 });
      rows.push({ scenario: 'relay', metric: 'p50 latency ms', msnpd: m.latencyMs.p50, baseline: b.latencyMs.p50, target: '' });
      rows.push({ scenario: 'relay', metric: 'p99 latency ms', msnpd: m.latencyMs.p99, baseline: b.latencyMs.p99, target: '' });
    }
    if (scenarios.has('gateway')) {
      const p = num('gatewayPairs');
      const msgs = num('gatewayMessages');
      const msnpdHttp = Number(/http server listening on [^\s]+:(\d+)/.exec(msnpd.output())![1]);
      log(`gateway relay: ${p} pairs × ${msgs} messages through the HTTP gateway (poll every ${num('gatewayPollMs')} ms when idle), then the same over TCP`);
      const g = await gatewayRelayScenario(msnpdHttp, p, msgs, num('window'), take(2 * p), num('gatewayPollMs'));
      const tcp = await relayScenarioMsnpd(msnpd.ns, p, msgs, num('window'), take(2 * p));
      results.gateway = { gateway: g, tcp };
      const vsTcp = 'vs msnpd over TCP (same sizes)';
      rows.push({ scenario: 'gateway relay', metric: 'messages/s', msnpd: g.perSecond, baseline: tcp.perSecond, ratio: g.perSecond / tcp.perSecond, target: vsTcp });
      rows.push({ scenario: 'gateway relay', metric: 'p50 latency ms', msnpd: g.latencyMs.p50, baseline: tcp.latencyMs.p50, target: vsTcp });
      rows.push({ scenario: 'gateway relay', metric: 'p99 latency ms', msnpd: g.latencyMs.p99, baseline: tcp.latencyMs.p99, target: vsTcp });
      rows.push({ scenario: 'gateway relay', metric: 'poll finding output: answer p50 ms', msnpd: g.pollWithOutputMs.p50, target: `p99 ${round(g.pollWithOutputMs.p99)} ms (n=${g.pollWithOutputMs.count})` });
      rows.push({ scenario: 'gateway relay', metric: 'empty poll: answer p50 ms', msnpd: g.emptyPollMs.p50, target: `p99 ${round(g.emptyPollMs.p99)} ms (n=${g.emptyPollMs.count})` });
      rows.push({ scenario: 'gateway relay', metric: 'request with commands: answer p50 ms', msnpd: g.sendMs.p50, target: `p99 ${round(g.sendMs.p99)} ms (n=${g.sendMs.count})` });
    }
    if (scenarios.has('fanout')) {
      const k = num('watchers');
      log(`fan-out: ${k} watchers, ${num('rounds')} rounds`);
      const m = await fanoutScenarioMsnpd(msnpd.ns, k, num('rounds'), take(k + 1));
      const b = await fanoutScenarioBaseline(baseline.port, k, num('rounds'));
      results.fanout = { msnpd: m, baseline: b };
      const ratio = m.allReceivedMs.p50 / b.allReceivedMs.p50;
      rows.push({ scenario: 'fan-out', metric: 'all received ms (p50 of rounds)', msnpd: m.allReceivedMs.p50, baseline: b.allReceivedMs.p50, ratio, target: '≤ 2× baseline', ok: ratio <= 2 });
      rows.push({ scenario: 'fan-out', metric: 'per-watcher p50 ms', msnpd: m.latencyMs.p50, baseline: b.latencyMs.p50, target: '' });
      rows.push({ scenario: 'fan-out', metric: 'per-watcher p99 ms', msnpd: m.latencyMs.p99, baseline: b.latencyMs.p99, target: '< 50 ms', ok: m.latencyMs.p99 < 50 });
      rows.push({ scenario: 'fan-out', metric: 'per-watcher max ms', msnpd: m.latencyMs.max, baseline: b.latencyMs.max, target: '' });
    }
    if (scenarios.has('list')) {
      const c = num('contacts');
      log(`list: an account with ${c} contacts signs in`);
      const first = take(c + 1);
      const m = await listScenario(msnpd.ns, c, 5, first, first + 1);
      results.list = { msnpd: m };
      rows.push({ scenario: 'list', metric: `time to last LST ms (${c} contacts, p50)`, msnpd: m.timeToLastLstMs.p50, target: '' });
    }
    if (scenarios.has('ab')) {
      const c = num('contacts');
      log(`ab: an account with ${c} contacts fetches its address book with ABFindAll over HTTPS, 20 times, then 20 times as a delta since that answer`);
      const first = take(c + 1);
      const m = await abFindAllScenario(msnpd.ns, msnpdHttps, fs.readFileSync(tls.caPath!), c, 20, first, first + 1);
      results.ab = { msnpd: m };
      rows.push({ scenario: 'ab', metric: `ABFindAll ms (${c} contacts, p50)`, msnpd: m.latencyMs.p50, target: '' });
      rows.push({ scenario: 'ab', metric: `ABFindAll ms (${c} contacts, max)`, msnpd: m.latencyMs.max, target: '' });
      rows.push({ scenario: 'ab', metric: 'ABFindAll answer KiB', msnpd: round(m.bytes / 1024), target: '' });
      rows.push({ scenario: 'ab', metric: `ABFindAll delta, nothing new, ms (p50)`, msnpd: m.deltaLatencyMs.p50, target: '' });
      rows.push({ scenario: 'ab', metric: 'ABFindAll delta answer KiB', msnpd: round(m.deltaBytes / 1024), target: '' });
    }
    if (scenarios.has('oim')) {
      const [ns, nr, per] = [num('oimSenders'), num('oimRecipients'), num('oimPerSender')];
      log(`oim: ${ns} senders store ${per} offline messages each (Store2, lock key) for ${nr} recipients, 16 at a time; each recipient then fetches and deletes its own over RSI`);
      const fs0 = take(ns);
      const fr0 = take(nr);
      const m = await oimScenario(msnpdHttps, fs.readFileSync(tls.caPath!), (i) => account(fs0 + i), ns, (j) => account(fr0 + j), nr, per, 16);
      results.oim = { msnpd: m };
      rows.push({ scenario: 'oim', metric: `stores/s (${m.messages} Store2, each on its own HTTPS connection)`, msnpd: m.storesPerSecond, target: '' });
      rows.push({ scenario: 'oim', metric: 'Store p50 / p99 ms', msnpd: m.storeMs.p50, target: `p99 ${round(m.storeMs.p99)} ms` });
      rows.push({ scenario: 'oim', metric: 'GetMessage/s', msnpd: m.fetchesPerSecond, target: '' });
      rows.push({ scenario: 'oim', metric: 'GetMessage p50 / p99 ms', msnpd: m.getMessageMs.p50, target: `p99 ${round(m.getMessageMs.p99)} ms` });
      rows.push({ scenario: 'oim', metric: `one recipient's fetch ms (metadata, ${Math.round(m.messages / nr)} messages, delete; p50)`, msnpd: m.recipientFetchMs.p50, target: '' });
    }
    if (scenarios.has('tls')) {
      const n = num('handshakes');
      const conc = num('handshakeConcurrency');
      const ca = fs.readFileSync(tls.caPath!);
      log(`tls: ${n} handshakes each, ${conc} at a time, in 5 interleaved rounds: modern (msnpd, plain Node TLS), legacy 3DES and RC4 (msnpd)`);
      const kinds = {
        modern: modernHandshake(msnpdHttps, ca),
        node: modernHandshake(baseline.httpsPort, ca),
        des: legacyHandshake(msnpdHttps, 0x000a, ca),
        rc4: legacyHandshake(msnpdHttps, 0x0005, ca),
      };
      await compareHandshakes(kinds, Math.min(100, n), conc, 1); // warm-up
      const { modern: m, node: b, des, rc4 } = await compareHandshakes(kinds, n, conc);
      results.tls = { modernMsnpd: m, modernNode: b, legacy3des: des, legacyRc4: rc4 };
      rows.push({ scenario: 'https handshakes/s', metric: 'TLS 1.3 through the sniffing port', msnpd: m.perSecond, baseline: b.perSecond, ratio: m.perSecond / b.perSecond, target: '≥ 0.8× plain Node TLS', ok: m.perSecond / b.perSecond >= 0.8 });
      rows.push({ scenario: 'https handshakes/s', metric: 'TLS 1.0 3DES-SHA (legacy engine)', msnpd: des.perSecond, baseline: b.perSecond, ratio: des.perSecond / b.perSecond, target: 'vs plain Node TLS 1.3' });
      rows.push({ scenario: 'https handshakes/s', metric: 'TLS 1.0 RC4-SHA (legacy engine)', msnpd: rc4.perSecond, baseline: b.perSecond, ratio: rc4.perSecond / b.perSecond, target: 'vs plain Node TLS 1.3' });
      rows.push({ scenario: 'https handshakes/s', metric: 'p99 latency ms (TLS 1.3 / 3DES)', msnpd: m.latencyMs.p99, baseline: b.latencyMs.p99, target: `3DES p99 ${round(des.latencyMs.p99)} ms` });
    }
    if (scenarios.has('tlsflood')) {
      const mib = num('floodMib');
      log(`tls hello flood: up to ${mib} MiB of empty renegotiating hellos from a client that never reads`);
      const compact = async () => {
        msnpd.proc.kill('SIGUSR2');
        await new Promise((r) => setTimeout(r, 1000));
      };
      const f = await helloFloodScenario(msnpdHttps, msnpd.proc.pid!, mib, compact);
      results.tlsFlood = f;
      rows.push({ scenario: 'tls hello flood', metric: `msnpd RSS growth MiB (client sent ${round(f.sentBytes / 2 ** 20)} MiB)`, msnpd: f.rssGrowthBytes / 2 ** 20, target: '< 16 MiB, connection closed', ok: f.rssGrowthBytes < 16 * 2 ** 20 && f.serverClosed });
    }
    if (scenarios.has('p2p')) {
      const mib = num('p2pMib');
      log(`p2p: ${mib} MiB of P2P messages written at once into one switchboard connection, on a second msnpd with the default switchboard rate (200/s, burst 1000: paced)`);
      const paced = await startMsnpd(dir, { MSNPD_TLS_CERT: tlsFiles.cert, MSNPD_TLS_KEY: tlsFiles.key, ...legacyFiles, MSNPD_SB_COMMAND_RATE: '200', MSNPD_SB_COMMAND_BURST: '1000' }, [], o.msnpdCli);
      const compact = async () => {
        paced.proc.kill('SIGUSR2');
        await new Promise((r) => setTimeout(r, 1000));
      };
      const r = await p2pScenario(paced.ns, paced.proc.pid!, mib, take(2), compact).finally(() => paced.stop());
      results.p2p = r;
      rows.push({ scenario: 'p2p paced', metric: `KiB/s (${r.messages} messages, every byte in order: ${r.complete})`, msnpd: r.kibPerSecond, target: 'complete', ok: r.complete });
      rows.push({ scenario: 'p2p paced', metric: `msnpd RSS growth MiB (sender wrote ${mib} MiB at once)`, msnpd: r.rssGrowthBytes / 2 ** 20, target: '< 32 MiB (V8 grows its young generation to ~16 MiB under any steady allocation; the figure must not grow with the transfer)', ok: r.rssGrowthBytes < 32 * 2 ** 20 });
    }
    if (scenarios.has('stall')) {
      const n = num('imports');
      const s = num('storm');
      log(`stall: waves of ${s} sign-ins (with a REA each) while the CLI imports ${n} accounts`);
      const m = await stallScenario(msnpd, o.msnpdCli!, dir, n, s, take(s), o.importScryptN!);
      results.stall = { msnpd: m };
      const what = `${m.waves} waves, ${m.logins} sign-ins, import of ${m.imported} in ${round(m.importSeconds, 1)} s`;
      rows.push({ scenario: 'stall', metric: `worst event-loop delay ms, own (less run-queue wait) (${what})`, msnpd: m.loopDelay.ownMaxMs, target: '≤ 50 ms', ok: m.loopDelay.ownMaxMs <= 50 });
      rows.push({ scenario: 'stall', metric: 'p99 event-loop delay ms, own', msnpd: m.loopDelay.ownP99Ms, target: '' });
      rows.push({ scenario: 'stall', metric: 'worst / p99 event-loop delay ms, wall clock', msnpd: m.loopDelay.maxMs, target: `p99 ${m.loopDelay.p99Ms} ms` });
      for (const [name, d] of [['sign-in waves alone', m.stormOnly], ['import alone', m.importOnly]] as const) {
        rows.push({ scenario: 'stall', metric: `worst delay own / wall ms, ${name}`, msnpd: d.ownMaxMs, target: `wall ${d.maxMs} ms` });
      }
      rows.push({ scenario: 'stall', metric: 'failed commands during the import', msnpd: m.failures, target: '0', ok: m.failures === 0 });
      rows.push({ scenario: 'stall', metric: `worst delay own / wall ms, a wave while a CLI write holds the lock ${m.lockHoldMs} ms`, msnpd: m.lockHeld.ownMaxMs, target: `wall ${m.lockHeld.maxMs} ms` });
      rows.push({ scenario: 'stall', metric: 'failed commands in that wave', msnpd: m.lockHeldFailures, target: '0', ok: m.lockHeldFailures === 0 });
      rows.push({ scenario: 'stall', metric: 'sign-in p99 latency ms', msnpd: m.loginLatencyMs.p99, target: '' });
    }
    if (scenarios.has('idle')) {
      const c = num('idle');
      log(`idle: ${c} signed-in connections`);
      // RSS is read after a full collection (SIGUSR2), so garbage from the burst of sign-ins is not counted.
      setCompactor(async () => {
        msnpd.proc.kill('SIGUSR2');
        await new Promise((r) => setTimeout(r, 1000));
      });
      const { result, clients } = await idleScenario(msnpd.ns, c, () => rssBytes(msnpd.proc.pid!), 0);
      results.idle = { msnpd: result };
      rows.push({ scenario: 'idle', metric: `RSS per connection KB (${c / 2} → ${c})`, msnpd: result.bytesPerConnection / 1024, target: '≤ 5 KB', ok: result.bytesPerConnection <= 5 * 1024 });
      rows.push({ scenario: 'idle', metric: `RSS per connection KB (0 → ${c}, fixed costs included)`, msnpd: result.bytesPerConnectionInclusive / 1024, target: '' });
      for (const cl of clients) cl.conn.destroy();
    }
  } finally {
    await baseline.stop();
    await msnpd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  printTable();
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, memoryGiB: round(os.totalmem() / 2 ** 30, 1) },
    parameters: o,
    rows: rows.map((r) => ({ ...r, msnpd: round(r.msnpd), baseline: r.baseline === undefined ? undefined : round(r.baseline), ratio: r.ratio === undefined ? undefined : round(r.ratio, 3) })),
    results,
  };
  fs.mkdirSync(path.dirname(o.out!), { recursive: true });
  fs.writeFileSync(o.out!, JSON.stringify(out, null, 2) + '\n');
  log(`wrote ${o.out}`);
}

function printTable() {
  const head = ['scenario', 'metric', 'msnpd', 'baseline', 'ratio', 'target', ''];
  const body = rows.map((r) => [
    r.scenario, r.metric, String(round(r.msnpd)), r.baseline === undefined ? '' : String(round(r.baseline)),
    r.ratio === undefined ? '' : round(r.ratio, 3).toFixed(3), r.target, r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
