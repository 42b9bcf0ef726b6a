// Data survives a restart of a real `msnpd serve` process: a clean stop
// (SIGTERM, with OUT SSD to signed-in clients) and a crash (SIGKILL) right
// after a burst of acknowledged list changes.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { NsClient } from '../src/client/ns-client.js';
import type { Received } from '../src/client/connection.js';
import { runCli, spawnServer, tempDir, testEnv, type ServerProcess } from './helpers/server.js';

const clients: NsClient[] = [];
const servers: ServerProcess[] = [];

after(async () => {
  for (const c of clients) c.conn?.destroy();
  for (const s of servers) await s.stop('SIGKILL');
});

async function serve(dir: string): Promise<ServerProcess> {
  const s = await spawnServer(dir);
  servers.push(s);
  return s;
}

async function addUser(dir: string, email: string, name: string): Promise<void> {
  const r = await runCli(['user', 'add', email, 'secret', '--name', name], testEnv(dir));
  assert.equal(r.code, 0, r.stderr);
}

/** Signed in, lists downloaded (SYN 0), online (CHG NLN); queued extras dropped. */
async function signIn(srv: ServerProcess, email: string, version: number): Promise<{ c: NsClient; syn: { version: number; lines: Received[] } }> {
  const c = new NsClient({ host: testEnv('').MSNPD_HOST!, port: srv.ns, versions: [version] });
  clients.push(c);
  await c.connect();
  await c.login(email, 'secret');
  const syn = await c.sync(0);
  await c.setStatus('NLN');
  c.conn.take((r) => r.verb === 'MSG' || r.verb === 'ILN');
  return { c, syn };
}

/** The SYN lines with transaction ids blanked, for comparing two downloads. */
function normalised(lines: Received[]): string[] {
  return lines.map((r) => (r.verb === 'BPR' ? r.line : [r.verb, 'T', ...r.args.slice(1)].join(' ')));
}

/** Sends PNG and waits for QNG: every line the server sent before it has arrived. */
async function drain(c: NsClient): Promise<Received[]> {
  c.conn.sendLine(['PNG']);
  await c.conn.expect('QNG');
  return c.conn.take();
}

/** `LST` lines of one list: email -> [name, groups]. */
function lst(lines: Received[], list: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of lines) if (r.verb === 'LST' && r.args[1] === list && r.args[5] !== undefined) m.set(r.args[5], r.args.slice(6));
  return m;
}

describe('restart after SIGTERM', () => {
  test('lists, groups, privacy, names and phone numbers survive; SYN with the current version is short', async () => {
    const dir = tempDir();
    await addUser(dir, 'ada@example.com', 'Ada');
    await addUser(dir, 'bea@example.com', 'Bea');

    let srv = await serve(dir);
    let { c: ada } = await signIn(srv, 'ada@example.com', 7);
    let { c: bea } = await signIn(srv, 'bea@example.com', 2);
    assert.equal(ada.version, 7);
    assert.equal(bea.version, 2);

    // Ada (MSNP7): a group with Bea in it, Bea allowed, BLP BL, a new name, a phone number.
    const adg = await ada.conn.request('ADG', ['Work%20Friends', 0]);
    assert.equal(adg.args[2], 'Work%20Friends');
    assert.equal(adg.args[4], '0');
    const gid = adg.args[3]!;
    let r = await ada.conn.request('ADD', ['FL', 'bea@example.com', 'Bea', gid]);
    assert.equal(r.args[1], 'FL');
    assert.equal(r.args[5], gid);
    await ada.conn.request('ADD', ['AL', 'bea@example.com', 'Bea']);
    r = await ada.conn.request('BLP', ['BL']);
    assert.equal(r.args[2], 'BL');
    r = await ada.conn.request('REA', ['ada@example.com', 'Ada%20Lovelace']);
    assert.equal(r.args[3], 'Ada%20Lovelace');
    r = await ada.conn.request('PRP', ['PHH', '1%20555%200100']);
    assert.equal(r.args[2], 'PHH');
    assert.equal(r.args[3], '1%20555%200100');
    const adaVersion = Number(r.args[1]);

    // Bea (MSNP2): Ada on FL and AL, a new name.
    await bea.conn.request('ADD', ['FL', 'ada@example.com', 'Ada']);
    await bea.conn.request('ADD', ['AL', 'ada@example.com', 'Ada']);
    r = await bea.conn.request('REA', ['bea@example.com', 'Bea%20Two']);
    assert.equal(r.args[3], 'Bea%20Two');
    // Ada's list moved on when Bea added her (RL); Bea's when Ada did.
    await ada.conn.expect('ADD', 5000, (x) => x.args[1] === 'RL');
    await drain(ada);
    await drain(bea);

    // What each of them downloads now: the reference for after the restart.
    const adaBefore = await ada.sync(0);
    const beaBefore = await bea.sync(0);
    assert.ok(adaBefore.version >= adaVersion);
    await drain(ada);
    await drain(bea);

    // Sanity of the reference itself.
    assert.deepEqual(lst(adaBefore.lines, 'FL').get('bea@example.com'), ['Bea%20Two', gid]);
    assert.deepEqual(lst(beaBefore.lines, 'FL').get('ada@example.com'), ['Ada%20Lovelace']);

    // SIGTERM: both clients hear OUT SSD before the connection closes; exit code 0.
    const adaOut = ada.conn.expect('OUT', 10000);
    const beaOut = bea.conn.expect('OUT', 10000);
    const adaClosed = ada.conn.closedByPeer(10000);
    const beaClosed = bea.conn.closedByPeer(10000);
    assert.equal(await srv.stop('SIGTERM'), 0);
    assert.equal((await adaOut).line, 'OUT SSD');
    assert.equal((await beaOut).line, 'OUT SSD');
    await adaClosed;
    await beaClosed;

    srv = await serve(dir);
    const a2 = await signIn(srv, 'ada@example.com', 7);
    const b2 = await signIn(srv, 'bea@example.com', 2);
    ada = a2.c;
    bea = b2.c;
    assert.equal(ada.friendlyName, 'Ada Lovelace');
    assert.equal(bea.friendlyName, 'Bea Two');

    // The same download, line for line, at the same versions.
    assert.equal(a2.syn.version, adaBefore.version);
    assert.equal(b2.syn.version, beaBefore.version);
    assert.deepEqual(normalised(a2.syn.lines), normalised(adaBefore.lines));
    assert.deepEqual(normalised(b2.syn.lines), normalised(beaBefore.lines));

    // And explicitly: what Ada sees (MSNP7).
    const v = a2.syn.version;
    const adaLines = normalised(a2.syn.lines);
    assert.ok(adaLines.includes(`BLP T ${v} BL`), adaLines.join('\n'));
    assert.ok(adaLines.includes(`PRP T ${v} PHH 1%20555%200100`), adaLines.join('\n'));
    assert.ok(adaLines.some((l) => new RegExp(`^LSG T ${v} \\d+ \\d+ ${gid} Work%20Friends 0$`).test(l)), adaLines.join('\n'));
    assert.deepEqual(lst(a2.syn.lines, 'FL').get('bea@example.com'), ['Bea%20Two', gid]);
    assert.deepEqual(lst(a2.syn.lines, 'AL').get('bea@example.com'), ['Bea%20Two']);
    assert.deepEqual(lst(a2.syn.lines, 'RL').get('bea@example.com'), ['Bea%20Two']);
    assert.equal(lst(a2.syn.lines, 'BL').size, 0);
    for (const r of a2.syn.lines) if (r.verb !== 'BPR') assert.equal(r.args[r.verb === 'LST' ? 2 : 1], String(v), r.line);

    // What Bea sees (MSNP2: no PRP, no groups).
    const w = b2.syn.version;
    const beaLines = normalised(b2.syn.lines);
    assert.ok(beaLines.includes(`BLP T ${w} AL`), beaLines.join('\n'));
    assert.ok(!beaLines.some((l) => l.startsWith('PRP') || l.startsWith('LSG') || l.startsWith('BPR')), beaLines.join('\n'));
    assert.deepEqual(lst(b2.syn.lines, 'FL').get('ada@example.com'), ['Ada%20Lovelace']);
    assert.deepEqual(lst(b2.syn.lines, 'AL').get('ada@example.com'), ['Ada%20Lovelace']);
    assert.deepEqual(lst(b2.syn.lines, 'RL').get('ada@example.com'), ['Ada%20Lovelace']);

    // SYN with the current version: the SYN line and nothing else.
    for (const [c, version] of [
      [ada, v],
      [bea, w],
    ] as const) {
      await drain(c);
      const t = c.conn.send('SYN', [version]);
      const head = await c.conn.expect('SYN');
      assert.equal(head.line, `SYN ${t} ${version}`);
      const rest = await drain(c);
      assert.deepEqual(rest.map((x) => x.line), []);
    }

    assert.equal(await srv.stop('SIGTERM'), 0);
  });
});

describe('restart after SIGKILL', () => {
  test('every acknowledged change of a burst survives kill -9', async () => {
    const dir = tempDir();
    await addUser(dir, 'owner@example.com', 'Owner');
    const targets = Array.from({ length: 8 }, (_, i) => `t${i}@example.com`);
    for (const t of targets) await addUser(dir, t, `T${t.slice(1, 2)}`);

    let srv = await serve(dir);
    const { c: owner, syn } = await signIn(srv, 'owner@example.com', 7);

    // A model of the owner's FL/AL/BL, driven by a fixed pseudo-random sequence.
    const seed = 20240601;
    let state = seed;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const model = new Map<string, Set<string>>(targets.map((t) => [t, new Set<string>()]));
    let version = syn.version;
    const log: string[] = [];
    for (let i = 0; i < 50; i++) {
      const email = targets[rand(targets.length)]!;
      let list = ['FL', 'AL', 'BL'][rand(3)]!;
      const on = model.get(email)!;
      // AL and BL exclude each other: take it off the other one instead.
      if (list === 'AL' && on.has('BL')) list = 'BL';
      else if (list === 'BL' && on.has('AL')) list = 'AL';
      const verb = on.has(list) ? 'REM' : 'ADD';
      const args = verb === 'ADD' ? [list, email, email] : [list, email];
      const r = await owner.conn.request(verb, args).catch((e: Error) => {
        throw new Error(`seed ${seed}, step ${i} (${verb} ${args.join(' ')}): ${e.message}\n${log.join('\n')}`);
      });
      log.push(r.line);
      assert.equal(r.verb, verb);
      assert.equal(r.args[1], list);
      assert.equal(r.args[3], email);
      const v = Number(r.args[2]);
      assert.ok(v > version, `seed ${seed}: version went from ${version} to ${v} at step ${i}`);
      version = v;
      if (verb === 'ADD') on.add(list);
      else on.delete(list);
    }

    // Crash right after the last acknowledgement.
    const code = await srv.stop('SIGKILL');
    assert.equal(code, null);
    assert.equal(srv.proc.signalCode, 'SIGKILL');
    await owner.conn.closedByPeer(10000);

    srv = await serve(dir);
    const again = await signIn(srv, 'owner@example.com', 7);
    assert.equal(again.syn.version, version, `seed ${seed}: list version after restart`);
    for (const list of ['FL', 'AL', 'BL']) {
      const expected = targets.filter((t) => model.get(t)!.has(list)).sort();
      const actual = [...lst(again.syn.lines, list).keys()].sort();
      assert.deepEqual(actual, expected, `seed ${seed}: ${list} after restart\n${log.join('\n')}`);
    }
    // Forward-list entries added without a group are in group 0.
    for (const [email, rest] of lst(again.syn.lines, 'FL')) assert.deepEqual(rest, [`T${email.slice(1, 2)}`, '0']);
    // A target who was left on the owner's FL sees the owner on their RL.
    const onFl = targets.filter((t) => model.get(t)!.has('FL'));
    const offFl = targets.filter((t) => !model.get(t)!.has('FL'));
    if (onFl.length > 0) {
      const t = await signIn(srv, onFl[0]!, 2);
      assert.ok(lst(t.syn.lines, 'RL').has('owner@example.com'));
    }
    if (offFl.length > 0) {
      const t = await signIn(srv, offFl[0]!, 2);
      assert.ok(!lst(t.syn.lines, 'RL').has('owner@example.com'));
    }

    assert.equal(await srv.stop('SIGTERM'), 0);
  });
});
