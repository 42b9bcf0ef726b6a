// Another process writing to the database (the CLI) must not freeze the
// service: a write that finds the database locked waits on a timer while
// every other connection carries on, completes once the lock is released and
// is acknowledged only then; past the deadline it fails cleanly with nothing
// written. PRP's fan-out to many watchers gives each the right version.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { SbClient } from '../src/client/sb-client.js';
import type { Logger } from '../src/log.js';
import { sleep, startTestServer, tempDir, type TestServer } from './helpers/server.js';
import { startCheckpointer } from '../src/store/sqlite/checkpointer.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { code } from './helpers/ns.js';
import { openPair } from './helpers/chat.js';

/** A logger whose lines a test can wait for. */
function watchedLog(): { log: Logger; seen: (text: string) => Promise<void> } {
  const lines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = chunk.toString();
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (line.includes(w.text)) w.resolve();
        else waiters.push(w);
      }
      done();
    },
  });
  return {
    log: pino({ level: 'debug' }, stream) as unknown as Logger,
    seen: (text) =>
      lines.some((l) => l.includes(text)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}

const LOCKED = 'locked by another process';

/** A second connection to the server's database holding the write lock, as a CLI write does. */
function holdWriteLock(t: TestServer): { release: () => void; released: () => boolean } {
  const db = new Database(path.join(t.config.dataDir, 'msnpd.sqlite'));
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO settings (key, value) VALUES ('cli-was-here', '1') ON CONFLICT (key) DO UPDATE SET value = '1'").run();
  let done = false;
  return {
    release: () => {
      done = true;
      db.exec('COMMIT');
      db.close();
    },
    released: () => done,
  };
}

function listVersion(t: TestServer, email: string): number {
  const db = new Database(path.join(t.config.dataDir, 'msnpd.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT list_version FROM accounts WHERE email = ?').get(email) as { list_version: number }).list_version;
  } finally {
    db.close();
  }
}

describe('a CLI write holding the database lock', () => {
  let t: TestServer;
  const watch = watchedLog();
  before(async () => {
    t = await startTestServer({}, undefined, { log: watch.log });
    for (const e of ['writer', 'pinger', 'chat1', 'chat2', 'target']) await t.user(`${e}@example.com`);
  });
  after(() => t.stop());

  test('does not block other clients; the blocked write completes after the lock is released and is acknowledged only then', async () => {
    const writer = await t.login('writer@example.com', 7);
    const pinger = await t.login('pinger@example.com', 9);
    const { sa, sb } = await openPair(await t.login('chat1@example.com', 7, { status: null }), await t.login('chat2@example.com', 7, { status: null }));
    const before = listVersion(t, 'writer@example.com');

    const lock = holdWriteLock(t);
    let answeredWhileLocked: boolean | undefined;
    const add = writer.conn.request('ADD', ['FL', 'target@example.com', 'target@example.com', '0'], undefined, 20_000).then((r) => {
      answeredWhileLocked = !lock.released();
      return r;
    });
    // The write has reached the database and found it locked...
    await watch.seen(LOCKED);
    // ...and meanwhile another client's PNG is answered and a switchboard relays a message both ways.
    pinger.conn.sendLine(['PNG']);
    await pinger.conn.expect('QNG');
    assert.equal(await sa.sendAcked(SbClient.text('while locked')), true);
    assert.match((await sb.receive()).payload!.toString(), /while locked/);
    sb.send(SbClient.text('and back'));
    assert.match((await sa.receive()).payload!.toString(), /and back/);
    assert.equal(answeredWhileLocked, undefined, 'the ADD was answered while the database was still locked');
    assert.equal(listVersion(t, 'writer@example.com'), before);

    lock.release();
    const r = await add;
    assert.equal(answeredWhileLocked, false);
    assert.equal(r.verb, 'ADD');
    assert.equal(Number(r.args[2]), before + 1);
    assert.equal(listVersion(t, 'writer@example.com'), before + 1);
    for (const c of [writer, pinger]) c.close();
  });
});

describe('a database locked beyond MSNPD_DB_BUSY_DEADLINE', () => {
  let t: TestServer;
  const watch = watchedLog();
  before(async () => {
    t = await startTestServer({ MSNPD_DB_BUSY_DEADLINE: '300' }, undefined, { log: watch.log });
    for (const e of ['owner', 'friend']) await t.user(`${e}@example.com`);
  });
  after(() => t.stop());

  test('the client gets 500, nothing is written, and the session and the CLI write both carry on', async () => {
    const owner = await t.login('owner@example.com', 7);
    const before = listVersion(t, 'owner@example.com');
    const lock = holdWriteLock(t);
    let failedWhileLocked = false;
    await assert.rejects(
      owner.conn.request('ADD', ['FL', 'friend@example.com', 'friend@example.com', '0'], undefined, 20_000).catch((e: unknown) => {
        failedWhileLocked = !lock.released();
        throw e;
      }),
      code(500),
    );
    assert.equal(failedWhileLocked, true);
    lock.release();
    // Nothing half-written: the version did not move and the entry is not there.
    assert.equal(listVersion(t, 'owner@example.com'), before);
    const s = await owner.sync(0);
    assert.equal(s.version, before);
    assert.ok(!s.lines.some((l) => l.line.includes('friend@example.com')));
    // The CLI's write committed; the same ADD now works.
    const db = new Database(path.join(t.config.dataDir, 'msnpd.sqlite'), { readonly: true });
    assert.deepEqual(db.prepare("SELECT value FROM settings WHERE key = 'cli-was-here'").get(), { value: '1' });
    db.close();
    const r = await owner.conn.request('ADD', ['FL', 'friend@example.com', 'friend@example.com', '0']);
    assert.equal(Number(r.args[2]), before + 1);
    owner.close();
  });

  test('a list download (SYN) does not need the write lock', async () => {
    const c = await t.login('friend@example.com', 7, { sync: false, status: null });
    const lock = holdWriteLock(t);
    try {
      const s = await c.sync(0);
      assert.ok(s.lines.some((l) => l.verb === 'LST'));
    } finally {
      lock.release();
    }
    c.close();
  });
});

describe('PRP with many watchers', () => {
  let t: TestServer;
  const WATCHERS = 400;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('every watcher (on my reverse and allow lists) gets the next list version and, if online, BPR; nobody else moves', async () => {
    const core = t.server.core;
    const ownerId = await t.user('star@example.com');
    const watchers: string[] = [];
    for (let i = 0; i < WATCHERS; i++) {
      const e = `fan${i}@example.com`;
      const id = await t.user(e);
      await core.contacts.add(id, 'FL', 'star@example.com');
      await core.contacts.add(ownerId, 'AL', e);
      watchers.push(e);
    }
    // On my reverse list but blocked (not on AL): sees no phone numbers.
    const blockedId = await t.user('blocked@example.com');
    await core.contacts.add(blockedId, 'FL', 'star@example.com');
    await core.contacts.add(ownerId, 'BL', 'blocked@example.com');
    // On my allow list without having me on theirs.
    await t.user('bystander@example.com');
    await core.contacts.add(ownerId, 'AL', 'bystander@example.com');

    const online = [watchers[0]!, watchers[WATCHERS / 2]!, watchers[WATCHERS - 1]!];
    const clients = [];
    for (const e of online) clients.push(await t.login(e, 7));
    const before = new Map([...watchers, 'blocked@example.com', 'bystander@example.com'].map((e) => [e, listVersion(t, e)]));
    const star = await t.login('star@example.com', 7);
    const ownBefore = listVersion(t, 'star@example.com');

    const r = await star.conn.request('PRP', ['PHH', '555%201234']);
    assert.equal(r.line, `PRP ${r.args[0]} ${ownBefore + 1} PHH 555%201234`);
    for (const [i, c] of clients.entries()) {
      const bpr = await c.conn.expect('BPR');
      assert.equal(bpr.line, `BPR ${before.get(online[i]!)! + 1} star@example.com PHH 555%201234`);
    }
    for (const e of watchers) assert.equal(listVersion(t, e), before.get(e)! + 1, e);
    assert.equal(listVersion(t, 'blocked@example.com'), before.get('blocked@example.com'));
    assert.equal(listVersion(t, 'bystander@example.com'), before.get('bystander@example.com'));
    // An online watcher's next SYN is current at the pushed version.
    const again = await clients[0]!.sync(before.get(online[0]!)! + 1);
    assert.equal(again.version, before.get(online[0]!)! + 1);
    for (const c of [...clients, star]) c.close();
  });
});

describe('WAL checkpoints', () => {
  test('run in the background (a worker thread): what the service commits reaches the database file without its own thread checkpointing', async () => {
    const t = await startTestServer();
    const file = path.join(t.config.dataDir, 'msnpd.sqlite');
    const before = fs.statSync(file).size;
    for (let i = 0; i < 100; i++) await t.user(`ck${i}@example.com`);
    // Far below SQLite's automatic checkpoint (1,000 pages), which the service's connection has off anyway.
    let grown = false;
    for (let i = 0; i < 500 && !grown; i++) {
      grown = fs.statSync(file).size > before;
      if (!grown) await sleep(20);
    }
    assert.ok(grown, 'the database file never received the committed pages');
    await t.stop();
  });
});

describe('a failed checkpoint worker', () => {
  test('is reported to its owner (who turns automatic checkpoints back on); a requested stop is not a failure', async () => {
    // A worker that cannot open its database fails at once.
    // (The worker does not keep the process alive: the test does, while it waits.)
    const alive = setInterval(() => undefined, 50);
    const failure = await new Promise<unknown>((resolve) => startCheckpointer(path.join(tempDir(), 'missing', 'x.sqlite'), 50, resolve)).finally(() => clearInterval(alive));
    assert.ok(failure instanceof Error);
    const dir = tempDir();
    const errors: unknown[] = [];
    const store = openSqliteStore(dir, { backgroundCheckpointMs: 50, onCheckpointFailure: (e) => errors.push(e) });
    await store.createAccount({ email: 'w@example.com', friendlyName: 'w', passwordHash: 'x', md5Salt: null, md5Verifier: null });
    await sleep(120);
    await store.close();
    assert.deepEqual(errors, [], 'a requested stop is no failure');
  });
});

describe('a backlog of storage operations', () => {
  test('does not run in one turn of the event loop: other work gets a turn before it is through', async () => {
    const store = openSqliteStore(tempDir());
    const id = await store.createAccount({ email: 'b@example.com', friendlyName: 'b', passwordHash: 'x', md5Salt: null, md5Verifier: null });
    const N = 20_000;
    let done = 0;
    let doneAtOtherTurn = -1;
    setImmediate(() => (doneAtOtherTurn = done));
    await Promise.all(Array.from({ length: N }, () => store.getAccountById(id).then(() => done++)));
    assert.ok(doneAtOtherTurn >= 0 && doneAtOtherTurn < N, `another turn ran after ${doneAtOtherTurn} of ${N} operations`);
    await store.close();
  });
});
