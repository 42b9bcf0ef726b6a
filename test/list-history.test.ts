// The store's address-book history (migration 5) on real SQLite files: the
// per-account change time is strictly increasing even when the wall clock is
// behind it (a clock set back, a restored copy), and survives reopening;
// tombstones per list, cleared when the entry comes back; an old entry's GUID
// keeps its forward-list tombstone when the contact returns as a new entry;
// accounts that existed before migration 5 start their history at the
// migration, so an older delta asks for a full sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LIST_BITS, type Contact } from '../src/core/model.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { tempDir } from './helpers/server.js';

const account = (email: string) => ({ email, friendlyName: email, passwordHash: 'x', md5Salt: null, md5Verifier: null });
const DAY_TICKS = 24n * 3600n * 1000n * 10_000n;

test('the change time moves on by at least one tick per change, also when the clock is behind it, and survives reopening', async () => {
  const dir = tempDir();
  let store = openSqliteStore(dir);
  const a = await store.createAccount(account('h1@example.com'));
  await store.close();
  // A time a day ahead of the clock, as a clock set back would leave it.
  const ahead = BigInt(Date.now()) * 10_000n + DAY_TICKS;
  const db = new Database(path.join(dir, 'msnpd.sqlite'));
  db.prepare('UPDATE accounts SET lists_changed_at = ? WHERE id = ?').run(ahead, a);
  db.close();
  store = openSqliteStore(dir);
  try {
    assert.equal((await store.getListHistory(a, 0n)).changedAt, ahead);
    await store.bumpListVersion(a);
    assert.equal((await store.getListHistory(a, 0n)).changedAt, ahead + 1n);
    await store.withTransaction(async (tx) => {
      await tx.setPrivacy(a, 'BL');
      await tx.bumpListVersion(a);
      await tx.bumpListVersion(a);
    });
    assert.equal((await store.getListHistory(a, 0n)).changedAt, ahead + 3n);
  } finally {
    await store.close();
  }
});

test('tombstones: one per list left, gone when the entry is back on that list; a new entry keeps the old GUID\'s forward-list tombstone', async () => {
  const store = openSqliteStore(tempDir());
  try {
    const a = await store.createAccount(account('h2@example.com'));
    const b = await store.createAccount(account('h3@example.com'));
    const entry = (lists: number, guid: string): Contact => ({ contactId: b, email: 'h3@example.com', friendlyName: '', lists, guid, groups: [] });
    const FL = LIST_BITS.FL;
    const AL = LIST_BITS.AL;
    await store.putContact(a, entry(FL | AL, 'g-old'));
    const t0 = (await store.getListHistory(a, 0n)).changedAt;
    await store.putContact(a, entry(AL, 'g-old'));
    let h = await store.getListHistory(a, t0);
    assert.deepEqual(h.removedContacts.map((r) => [r.guid, r.lists]), [['g-old', FL]]);
    assert.ok(h.removedContacts[0]!.at > t0 && h.removedContacts[0]!.at <= h.changedAt);
    assert.ok(h.contactTimes.get(b)! > t0, 'the entry itself changed');
    // Back on the forward list as the same entry: no longer a removal.
    await store.putContact(a, entry(FL | AL, 'g-old'));
    assert.deepEqual((await store.getListHistory(a, t0)).removedContacts, []);
    // Gone from every list, then back as a new entry (a new GUID): the old GUID stays removed, the allow list does not.
    await store.putContact(a, entry(0, 'g-old'));
    h = await store.getListHistory(a, t0);
    assert.deepEqual(h.removedContacts.map((r) => [r.guid, r.lists]).sort(), [['g-old', FL], ['g-old', AL]]);
    await store.putContact(a, entry(FL | AL, 'g-new'));
    h = await store.getListHistory(a, t0);
    assert.deepEqual(h.removedContacts.map((r) => [r.guid, r.lists]), [['g-old', FL]]);
    // Nothing after the newest time.
    assert.deepEqual((await store.getListHistory(a, h.changedAt)).removedContacts, []);
  } finally {
    await store.close();
  }
});

test('accounts from before migration 5: their history starts at the migration (changed and pruned then)', async () => {
  const dir = tempDir();
  const db = new Database(path.join(dir, 'msnpd.sqlite'));
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version < 5)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, 0);
  }
  db.prepare("INSERT INTO accounts (email, friendly_name, password_hash, guid, created_at) VALUES ('old@example.com', 'old', 'x', 'g', 1000)").run();
  db.close();
  const before = BigInt(Date.now()) * 10_000n;
  const store = openSqliteStore(dir);
  try {
    const id = (await store.getAccountByEmail('old@example.com'))!.id;
    const h = await store.getListHistory(id, 0n);
    assert.ok(h.changedAt >= before, 'changed at the migration');
    assert.equal(h.prunedAt, h.changedAt, 'nothing before the migration is known');
    // A new account has no forgotten history.
    const n = await store.createAccount(account('new@example.com'));
    assert.equal((await store.getListHistory(n, 0n)).prunedAt, 0n);
  } finally {
    await store.close();
  }
});

test('tombstones are capped per owner and kind: past the cap the oldest go, and a delta from before them must sync in full', async () => {
  const store = openSqliteStore(tempDir(), { maxTombstones: 3 });
  try {
    const a = await store.createAccount(account('h9@example.com'));
    const b = await store.createAccount(account('h10@example.com'));
    const t0 = (await store.getListHistory(a, 0n)).changedAt;
    // A client adding and deleting groups in a loop: each deletion leaves a tombstone under a new GUID.
    const times: bigint[] = [];
    for (let i = 1; i <= 6; i++) {
      await store.putGroup(a, { id: i, guid: `grp-${i}`, name: `g${i}` });
      await store.deleteGroup(a, i);
      times.push((await store.getListHistory(a, 0n)).changedAt);
    }
    let h = await store.getListHistory(a, t0);
    assert.deepEqual(h.removedGroups.map((r) => r.guid), ['grp-4', 'grp-5', 'grp-6']);
    // The newest forgotten removal is the history's start: a delta from before it gets "Full sync required".
    assert.equal(h.prunedAt, times[2]);
    // The same for entries: the forward list of a contact re-added under new GUIDs.
    for (let i = 1; i <= 5; i++) {
      await store.putContact(a, { contactId: b, email: 'h10@example.com', friendlyName: '', lists: LIST_BITS.FL, guid: `c-${i}`, groups: [] });
      await store.putContact(a, { contactId: b, email: 'h10@example.com', friendlyName: '', lists: 0, guid: `c-${i}`, groups: [] });
    }
    h = await store.getListHistory(a, t0);
    assert.deepEqual(h.removedContacts.map((r) => r.guid), ['c-3', 'c-4', 'c-5']);
    assert.ok(h.prunedAt > times[5]!, 'the entries pruned are newer than every group removal');
    assert.ok(h.prunedAt < h.removedContacts[0]!.at);
  } finally {
    await store.close();
  }
});
