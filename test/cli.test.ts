// The `msnpd` command line, run as a real process: help, accounts (add, list,
// passwd, delete, import), and configuration errors. Password changes and
// deletions are checked against a running `msnpd serve` on the same data dir.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NsClient } from '../src/client/ns-client.js';
import { ClientError, type Received } from '../src/client/connection.js';
import { runCli, spawnServer, tempDir, testEnv, type ServerProcess } from './helpers/server.js';

/** Runs `msnpd ...args` on a data directory with the test environment. */
function msnpd(dir: string, args: string[], extra: Record<string, string> = {}, input?: string) {
  return runCli(args, testEnv(dir, extra), input);
}

/** Every client a test opened, destroyed at the end whatever happened. */
const clients: NsClient[] = [];
const servers: ServerProcess[] = [];

after(async () => {
  for (const c of clients) c.conn?.destroy();
  for (const s of servers) await s.stop('SIGKILL');
});

async function serve(dir: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
  const s = await spawnServer(dir, extra);
  servers.push(s);
  return s;
}

/** A connected, signed-in MSNP client (no SYN, no CHG). */
async function signIn(srv: ServerProcess, email: string, password: string, version = 7): Promise<NsClient> {
  const c = new NsClient({ host: testEnv('').MSNPD_HOST!, port: srv.ns, versions: [version] });
  clients.push(c);
  await c.connect();
  await c.login(email, password);
  c.conn.take((r) => r.verb === 'MSG');
  return c;
}

/** Asserts that MD5 sign-in is refused with 911 and the server hangs up. */
async function assertRefused(srv: ServerProcess, email: string, password: string, version = 7): Promise<void> {
  const c = new NsClient({ host: testEnv('').MSNPD_HOST!, port: srv.ns, versions: [version] });
  clients.push(c);
  await c.connect();
  await assert.rejects(c.login(email, password), (e: unknown) => {
    assert.ok(e instanceof ClientError, `expected a ClientError, got ${String(e)}`);
    assert.equal(e.code, 911, `expected 911, got ${e.message}`);
    return true;
  });
  await c.conn.closedByPeer();
}

/** Parses `user list` output: address -> the rest of its line. */
function listed(stdout: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const f = line.split('\t');
    if (f.length >= 3) m.set(f[0]!, f.slice(1));
  }
  return m;
}

function accountCount(stdout: string): number {
  const m = /^(\d+) accounts?$/m.exec(stdout);
  assert.ok(m, `no count line in:\n${stdout}`);
  return Number(m[1]);
}

describe('msnpd --help', () => {
  test('top-level help names the commands and the MSNPD_ variables', async () => {
    const r = await msnpd(tempDir(), ['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\bserve\b/);
    assert.match(r.stdout, /\buser\b/);
    for (const v of ['MSNPD_DATA', 'MSNPD_NS_PORT', 'MSNPD_SB_PORT', 'MSNPD_DISPATCH', 'MSNPD_LEGACY_MD5', 'MSNPD_SCRYPT_N', 'MSNPD_CHALLENGES']) {
      assert.ok(r.stdout.includes(v), `--help does not mention ${v}`);
    }
    // What the MD5 verifier costs if the database leaks, and the way out, in plain words.
    const md5 = r.stdout.slice(r.stdout.indexOf('MSNPD_LEGACY_MD5')).replace(/\s+/g, ' ');
    assert.match(md5, /^MSNPD_LEGACY_MD5 .*copies the database.*recovers short passwords quickly; off = not stored/);
    assert.ok(r.stdout.includes('MSNPD_IPV6_PREFIX'));
  });

  test('user --help lists add, list, passwd, delete and import', async () => {
    const r = await msnpd(tempDir(), ['user', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ['add', 'list', 'passwd', 'delete', 'import']) assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), `user --help does not list ${c}`);
  });
});

describe('user add / list', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });

  test('creates accounts; list shows the friendly name (default: the address)', async () => {
    let r = await msnpd(dir, ['user', 'add', 'alice@example.com', 'secret', '--name', 'Alice Liddell']);
    assert.equal(r.code, 0, r.stderr);
    r = await msnpd(dir, ['user', 'add', 'Bob@Example.com', 'hunter2']);
    assert.equal(r.code, 0, r.stderr);
    r = await msnpd(dir, ['user', 'list']);
    assert.equal(r.code, 0, r.stderr);
    const users = listed(r.stdout);
    assert.equal(accountCount(r.stdout), 2);
    assert.equal(users.get('alice@example.com')?.[0], 'Alice Liddell');
    // Addresses are stored in lower case; the default name is the address.
    assert.equal(users.get('bob@example.com')?.[0], 'bob@example.com');
  });

  test('a duplicate address is refused with exit code 1', async () => {
    const r = await msnpd(dir, ['user', 'add', 'ALICE@example.com', 'other']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /alice@example\.com/);
    assert.match(r.stderr, /already exists/);
    const l = await msnpd(dir, ['user', 'list']);
    assert.equal(accountCount(l.stdout), 2);
    assert.equal(listed(l.stdout).get('alice@example.com')?.[0], 'Alice Liddell');
  });

  test('an address without @ is refused', async () => {
    const r = await msnpd(dir, ['user', 'add', 'carol.example.com', 'secret']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no @/);
  });

  test('an address without a domain is refused', async () => {
    for (const a of ['carol@', 'carol@example']) {
      const r = await msnpd(dir, ['user', 'add', a, 'secret']);
      assert.equal(r.code, 1, `${a} was accepted`);
      assert.match(r.stderr, /domain/, `message for ${a}: ${r.stderr}`);
    }
  });

  test('an address with a space is refused, and the message says so', async () => {
    const r = await msnpd(dir, ['user', 'add', 'carol smith@example.com', 'secret']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /carol smith@example\.com/);
    // The problem is the space (MSNP tokens cannot hold one): the message should name it.
    assert.match(r.stderr, /space/i, `message does not name the space: ${r.stderr.trim()}`);
  });

  test('a password over 16 characters is refused; exactly 16 is fine', async () => {
    let r = await msnpd(dir, ['user', 'add', 'dave@example.com', 'a'.repeat(17)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /16/);
    assert.match(r.stderr, /password/);
    r = await msnpd(dir, ['user', 'add', 'dave@example.com', 'a'.repeat(16)]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('an empty password is refused', async () => {
    const r = await msnpd(dir, ['user', 'add', 'erin@example.com', '']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /password/);
    assert.match(r.stderr, /empty/);
    const l = await msnpd(dir, ['user', 'list']);
    assert.ok(!listed(l.stdout).has('erin@example.com'));
    assert.equal(accountCount(l.stdout), 3);
  });
});

describe('user passwd while the service runs', () => {
  let dir: string;
  let srv: ServerProcess;
  before(async () => {
    dir = tempDir();
    const r = await msnpd(dir, ['user', 'add', 'pat@example.com', 'oldpass']);
    assert.equal(r.code, 0, r.stderr);
    srv = await serve(dir);
  });
  after(async () => {
    assert.equal(await srv.stop(), 0);
  });

  test('old password refused afterwards, new one works, existing session stays', async () => {
    const early = await signIn(srv, 'pat@example.com', 'oldpass', 2);
    await early.sync(0);

    const r = await msnpd(dir, ['user', 'passwd', 'pat@example.com', 'newpass']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pat@example\.com/);

    await assertRefused(srv, 'pat@example.com', 'oldpass', 5);

    // The session signed in before the change is still there and answers.
    early.conn.sendLine(['PNG']);
    await early.conn.expect('QNG');
    assert.equal(early.conn.closed, false);

    const later = await signIn(srv, 'pat@example.com', 'newpass', 7);
    assert.equal(later.email, 'pat@example.com');
    // (signing in again replaces the earlier session, with OUT OTH: the usual rule)
    const oth = await early.conn.expect('OUT');
    assert.equal(oth.line, 'OUT OTH');
  });

  test('passwd refuses bad passwords and unknown accounts', async () => {
    let r = await msnpd(dir, ['user', 'passwd', 'pat@example.com', 'x'.repeat(17)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /16/);
    r = await msnpd(dir, ['user', 'passwd', 'pat@example.com', '']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /empty/);
    r = await msnpd(dir, ['user', 'passwd', 'nobody@example.com', 'whatever']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nobody@example\.com/);
    // The refused changes left the password as it was.
    await signIn(srv, 'pat@example.com', 'newpass', 3);
  });
});

describe('user delete while the service runs', () => {
  let dir: string;
  let srv: ServerProcess;
  before(async () => {
    dir = tempDir();
    for (const [e, n] of [
      ['doomed@example.com', 'Doomed'],
      ['friend@example.com', 'Friend'],
      ['bystander@example.com', 'Bystander'],
    ]) {
      const r = await msnpd(dir, ['user', 'add', e!, 'secret', '--name', n!]);
      assert.equal(r.code, 0, r.stderr);
    }
    srv = await serve(dir);
  });
  after(async () => {
    assert.equal(await srv.stop(), 0);
  });

  test('the account is signed out, and vanishes from its contacts\' lists', async () => {
    const doomed = await signIn(srv, 'doomed@example.com', 'secret', 7);
    await doomed.sync(0);
    await doomed.setStatus('NLN');
    const friend = await signIn(srv, 'friend@example.com', 'secret', 5);
    await friend.sync(0);
    await friend.setStatus('NLN');
    const bystander = await signIn(srv, 'bystander@example.com', 'secret', 2);
    await bystander.sync(0);

    // friend: doomed on FL and AL; doomed adds friend, so doomed is on friend's RL too.
    await friend.conn.request('ADD', ['FL', 'doomed@example.com', 'Doomed']);
    await friend.conn.request('ADD', ['AL', 'doomed@example.com', 'Doomed']);
    await doomed.conn.request('ADD', ['FL', 'friend@example.com', 'Friend', 0]);
    await doomed.conn.request('ADD', ['AL', 'friend@example.com', 'Friend']);
    const rl = await friend.conn.expect('ADD', 5000, (r) => r.args[1] === 'RL');
    assert.equal(rl.args[3], 'doomed@example.com');
    const before = await friend.sync(0);
    const onFriendsLists = before.lines.filter((l) => l.verb === 'LST' && l.args[5] === 'doomed@example.com').map((l) => l.args[1]).sort();
    assert.deepEqual(onFriendsLists, ['AL', 'FL', 'RL']);
    friend.conn.take();

    const r = await msnpd(dir, ['user', 'delete', 'doomed@example.com']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /doomed@example\.com/);

    // The deleted account's own connection: OUT, then closed.
    const out = await doomed.conn.expect('OUT', 10000);
    assert.equal(out.line, 'OUT');
    await doomed.conn.closedByPeer();

    // The contact: one REM per list the deleted account was on, all at one new version.
    const rems: Received[] = [];
    for (let i = 0; i < 3; i++) rems.push(await friend.conn.expect('REM', 10000));
    for (const rem of rems) {
      assert.equal(rem.args[0], '0', rem.line);
      assert.equal(rem.args[3], 'doomed@example.com', rem.line);
    }
    assert.deepEqual(rems.map((x) => x.args[1]).sort(), ['AL', 'FL', 'RL']);
    const versions = new Set(rems.map((x) => Number(x.args[2])));
    assert.equal(versions.size, 1, `REM versions differ: ${rems.map((x) => x.line).join(' | ')}`);
    const newVersion = [...versions][0]!;
    assert.ok(newVersion > before.version, `REM version ${newVersion} not above ${before.version}`);
    assert.ok(rems.some((x) => x.line === `REM 0 FL ${newVersion} doomed@example.com`));

    // A later full SYN no longer lists the deleted account; its version is the REMs'.
    const after = await friend.sync(0);
    assert.equal(after.version, newVersion);
    assert.deepEqual(after.lines.filter((l) => l.line.includes('doomed@example.com')).map((l) => l.line), []);
    // ...and a SYN with that version is answered with the SYN line only.
    const current = await friend.sync(newVersion);
    assert.equal(current.version, newVersion);

    // Someone who never had the account on a list hears nothing of it.
    bystander.conn.sendLine(['PNG']);
    await bystander.conn.expect('QNG');
    assert.deepEqual(bystander.conn.take((l) => l.line.includes('doomed@example.com')).map((l) => l.line), []);

    // The account is gone: no sign-in, not listed.
    await assertRefused(srv, 'doomed@example.com', 'secret', 7);
    const l = await msnpd(dir, ['user', 'list']);
    assert.ok(!listed(l.stdout).has('doomed@example.com'));
    assert.equal(accountCount(l.stdout), 2);
  });

  test('deleting an unknown address exits 1', async () => {
    const r = await msnpd(dir, ['user', 'delete', 'ghost@example.com']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ghost@example\.com/);
    assert.match(r.stderr, /no such account/);
  });
});

describe('user import', () => {
  test('several thousand lines: good ones imported, bad ones reported by line number', async () => {
    const dir = tempDir();
    let r = await msnpd(dir, ['user', 'add', 'existing@example.com', 'secret']);
    assert.equal(r.code, 0, r.stderr);

    const N = 3000;
    const lines: string[] = ['# accounts for the test'];
    for (let i = 1; i <= N; i++) lines.push(`user${i}@example.com:pw${i}:Name ${i}`);
    // Bad lines at known places (line numbers are 1-based).
    lines.splice(10, 0, 'no-colon-here@example.com');
    lines.splice(1500, 0, 'not an address:pw');
    lines.splice(2000, 0, 'toolong@example.com:12345678901234567');
    lines.splice(2500, 0, 'user42@example.com:again:Duplicate');
    lines.splice(2600, 0, 'existing@example.com:whatever');
    lines.splice(2700, 0, ''); // blank lines are skipped silently
    const expected: Record<string, RegExp> = {
      'no-colon-here@example.com': /email:password/,
      'not an address:pw': /not an address|not of the form/,
      'toolong@example.com:12345678901234567': /16/,
      'user42@example.com:again:Duplicate': /user42@example\.com.*earlier/,
      'existing@example.com:whatever': /existing@example\.com.*already exists/,
    };
    const bad = lines.flatMap((text, i) => (expected[text] ? [{ at: i + 1, text, what: expected[text]! }] : []));
    assert.equal(bad.length, 5);
    const file = path.join(dir, 'accounts.txt');
    fs.writeFileSync(file, lines.join('\n') + '\n');

    r = await msnpd(dir, ['user', 'import', file]);
    assert.equal(r.code, 1, `exit code ${r.code}; stderr:\n${r.stderr.slice(-2000)}`);
    // A summary line on stdout.
    assert.match(r.stdout, new RegExp(`imported ${N} accounts`));

    const l = await msnpd(dir, ['user', 'list']);
    assert.equal(accountCount(l.stdout), N + 1);
    const users = listed(l.stdout);
    assert.equal(users.get('user1@example.com')?.[0], 'Name 1');
    assert.equal(users.get(`user${N}@example.com`)?.[0], `Name ${N}`);
    assert.equal(users.get('user42@example.com')?.[0], 'Name 42', 'the first of two lines for an address wins');
    assert.ok(!users.has('toolong@example.com'));

    // Each bad line is reported with its line number (the address that already
    // existed included: it is a line the operator has to look at).
    const errLines = r.stderr.split('\n');
    const problems: string[] = [];
    for (const b of bad) {
      const hit = errLines.find((e) => new RegExp(`\\bline ${b.at}\\b`).test(e));
      if (!hit) problems.push(`line ${b.at} (${b.text}) not reported with its line number`);
      else if (!b.what.test(hit)) problems.push(`line ${b.at} reported as "${hit}"`);
    }
    assert.deepEqual(problems, [], `stderr was:\n${errLines.filter((e) => !e.startsWith('importing')).join('\n')}`);
  });

  test('imported accounts sign in over MSNP with their passwords', async () => {
    const dir = tempDir();
    const text = ['ann@example.com:pw-ann:Ann A', 'ben@example.com:pw-ben', 'cy@example.com:pw:with:colons'].join('\n');
    const file = path.join(dir, 'in.txt');
    fs.writeFileSync(file, text);
    const r = await msnpd(dir, ['user', 'import', file]);
    assert.equal(r.code, 0, r.stderr);
    const users = listed((await msnpd(dir, ['user', 'list'])).stdout);
    assert.equal(users.get('ann@example.com')?.[0], 'Ann A');
    assert.equal(users.get('ben@example.com')?.[0], 'ben@example.com');
    assert.equal(users.get('cy@example.com')?.[0], 'with:colons');

    const srv = await serve(dir);
    try {
      const ann = await signIn(srv, 'ann@example.com', 'pw-ann', 7);
      assert.equal(ann.friendlyName, 'Ann A');
      await signIn(srv, 'ben@example.com', 'pw-ben', 2);
      await signIn(srv, 'cy@example.com', 'pw', 4);
      await assertRefused(srv, 'ann@example.com', 'pw-ben', 7);
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });

  test('a clean file exits 0 with a summary line', async () => {
    const dir = tempDir();
    const text = Array.from({ length: 50 }, (_, i) => `clean${i}@example.com:pw${i}:Clean ${i}`).join('\r\n') + '\r\n';
    const file = path.join(dir, 'clean.txt');
    fs.writeFileSync(file, text);
    const r = await msnpd(dir, ['user', 'import', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 50 accounts/);
    assert.doesNotMatch(r.stderr, /^line \d+/m);
    assert.equal(accountCount((await msnpd(dir, ['user', 'list'])).stdout), 50);
  });

  test('"-" reads standard input', async () => {
    const dir = tempDir();
    const text = Array.from({ length: 20 }, (_, i) => `stdin${i}@example.com:pw${i}`).join('\n') + '\nbroken-line\n';
    const r = await msnpd(dir, ['user', 'import', '-'], {}, text);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /imported 20 accounts/);
    assert.match(r.stderr, /\bline 21\b/);
    const l = await msnpd(dir, ['user', 'list']);
    assert.equal(accountCount(l.stdout), 20);
    assert.equal(listed(l.stdout).get('stdin7@example.com')?.[0], 'stdin7@example.com');

    const clean = await msnpd(dir, ['user', 'import', '-'], {}, 'more@example.com:pw\n');
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(accountCount((await msnpd(dir, ['user', 'list'])).stdout), 21);
  });

  test('an unreadable file exits non-zero with a message', async () => {
    const dir = tempDir();
    const r = await msnpd(dir, ['user', 'import', path.join(dir, 'does-not-exist.txt')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does-not-exist\.txt/);
  });
});

describe('bad configuration', () => {
  for (const [variable, value] of [
    ['MSNPD_NS_PORT', 'abc'],
    ['MSNPD_DISPATCH', 'sideways'],
    ['MSNPD_LEGACY_MD5', 'maybe'],
  ] as const) {
    test(`serve with ${variable}=${value} exits 2 with a one-line message`, { timeout: 20000 }, async () => {
      const r = await msnpd(tempDir(), ['serve'], { [variable]: value });
      assert.equal(r.code, 2, `exit code ${r.code}; stdout: ${r.stdout}; stderr: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `stderr: ${r.stderr}`);
      assert.ok(lines[0]!.includes(variable), `stderr does not name ${variable}: ${lines[0]}`);
      assert.ok(lines[0]!.includes(value), `stderr does not quote the value: ${lines[0]}`);
      assert.doesNotMatch(r.stdout, /listening/);
    });
  }
});

describe('MSNPD_LEGACY_MD5=off', () => {
  test('accounts made with it off have no MD5 verifier and cannot sign in over MD5', async () => {
    const dir = tempDir();
    let r = await msnpd(dir, ['user', 'add', 'modern@example.com', 'secret'], { MSNPD_LEGACY_MD5: 'off' });
    assert.equal(r.code, 0, r.stderr);
    r = await msnpd(dir, ['user', 'add', 'legacy@example.com', 'secret']);
    assert.equal(r.code, 0, r.stderr);

    const l = await msnpd(dir, ['user', 'list']);
    const users = listed(l.stdout);
    // The last column says which accounts hold a verifier, and a line counts them with its cost.
    assert.equal(users.get('modern@example.com')!.at(-1), 'no MD5 verifier');
    assert.equal(users.get('legacy@example.com')!.at(-1), 'MD5 verifier');
    assert.match(l.stdout, /^1 hold an MD5 verifier .*recover short passwords.*MSNPD_LEGACY_MD5=off/m);

    // A service with MD5 on: the account without a verifier is refused, the other is not.
    let srv = await serve(dir);
    try {
      await assertRefused(srv, 'modern@example.com', 'secret', 7);
      await assertRefused(srv, 'modern@example.com', 'secret', 2);
      await signIn(srv, 'legacy@example.com', 'secret', 7);
    } finally {
      assert.equal(await srv.stop(), 0);
    }
    // A service with MD5 off refuses MD5 sign-in even for an account that has a verifier.
    srv = await serve(dir, { MSNPD_LEGACY_MD5: 'off' });
    try {
      await assertRefused(srv, 'legacy@example.com', 'secret', 7);
      await assertRefused(srv, 'modern@example.com', 'secret', 7);
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });

  test('passwd with it off drops the verifier', async () => {
    const dir = tempDir();
    let r = await msnpd(dir, ['user', 'add', 'switch@example.com', 'secret']);
    assert.equal(r.code, 0, r.stderr);
    r = await msnpd(dir, ['user', 'passwd', 'switch@example.com', 'another'], { MSNPD_LEGACY_MD5: 'off' });
    assert.equal(r.code, 0, r.stderr);
    const users = listed((await msnpd(dir, ['user', 'list'])).stdout);
    assert.equal(users.get('switch@example.com')!.at(-1), 'no MD5 verifier');
    const srv = await serve(dir);
    try {
      await assertRefused(srv, 'switch@example.com', 'another', 7);
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
});
