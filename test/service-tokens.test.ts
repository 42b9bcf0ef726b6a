// ServiceTokens on a real SQLite store with an injected clock: binding to
// account and service, expiry, the per-account cap, the cleanup deadline,
// revocation of one account only, what the database holds (no token, no
// usable proof key), and tokens outliving the process that issued them.
// (Over HTTPS with a real server: sso-rst.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import path from 'node:path';
import { DeadlineHeap } from '../src/core/deadline-heap.js';
import { SERVICE, serviceOf, ServiceTokens, ticketPart } from '../src/core/service-tokens.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { tempDir } from './helpers/server.js';

async function setup(ttlMs = 1000, dir = tempDir()) {
  let now = 1_000_000;
  const timers = new DeadlineHeap();
  const store = openSqliteStore(dir);
  const account = async (email: string) => (await store.getAccountByEmail(email))?.id ?? store.createAccount({ email, friendlyName: email, passwordHash: 'x', md5Salt: null, md5Verifier: null });
  const alice = { accountId: await account('alice@example.com'), email: 'alice@example.com' };
  const bob = { accountId: await account('bob@example.com'), email: 'bob@example.com' };
  return {
    dir,
    store,
    tokens: new ServiceTokens(store, ttlMs, () => now, timers),
    alice,
    bob,
    timers,
    advance: (ms: number) => (now += ms),
    due: () => timers.runDue(now),
  };
}

const rows = (store: Store, dir: string) => {
  void store;
  const db = new Database(path.join(dir, 'msnpd.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM service_tokens').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

test('addresses name services: case, spaces and aliases fold', () => {
  assert.equal(serviceOf(' Contacts.MSN.com '), SERVICE.contacts);
  assert.equal(serviceOf('storage.live.com'), SERVICE.storage);
  assert.equal(serviceOf('oim'), SERVICE.messengerSecure);
  assert.equal(serviceOf('rsi'), SERVICE.messengerWeb);
  assert.equal(serviceOf('a.example'), 'a.example');
  assert.equal(ticketPart('t=abc&p=def'), 'abc');
  assert.equal(ticketPart('p=def&t=abc'), 'abc');
  assert.equal(ticketPart('abc'), 'abc');
});

test('a token passes for its service and account until it expires', async () => {
  const { store, tokens, alice, advance } = await setup(1000);
  try {
    const c = await tokens.issue(alice, 'contacts.msn.com');
    assert.equal(c.expiresAt - c.createdAt, 1000);
    assert.deepEqual(await tokens.check(`t=${c.t}&p=${c.p}`, 'contacts.msn.com'), alice);
    assert.equal(await tokens.check(c.t, 'storage.msn.com'), undefined);
    assert.equal(await tokens.check('t=nope&p=', 'contacts.msn.com'), undefined);
    assert.equal(await tokens.check('', 'contacts.msn.com'), undefined);
    assert.equal(await tokens.proofKey(c.t), undefined, 'only messengerclear tokens have a proof key');
    advance(999);
    assert.ok(await tokens.check(c.t, 'contacts'));
    advance(1);
    assert.equal(await tokens.check(c.t, 'contacts'), undefined);
  } finally {
    await store.close();
  }
});

test('the database holds a hash of each token and a sealed proof key; the token unseals it', async () => {
  const { store, dir, tokens, alice } = await setup();
  try {
    const key = Buffer.alloc(24, 9);
    const clear = await tokens.issue(alice, SERVICE.messengerClear, { proofKey: key });
    assert.deepEqual(await tokens.proofKey(clear.t), key);
    const other = await tokens.issue(alice, SERVICE.contacts, { proofKey: key });
    assert.equal(await tokens.proofKey(other.t), undefined, 'a key given to another service is not an SSO key');
    const stored = JSON.stringify(rows(store, dir));
    assert.ok(!stored.includes(clear.t) && !stored.includes(other.t), 'no token in the database');
    assert.ok(!stored.includes(key.toString('base64')) && !stored.includes(key.toString('hex')), 'no proof key in the database');
  } finally {
    await store.close();
  }
});

test('revocation is per account; an account holds at most 128; the cleanup deadline deletes expired rows', async () => {
  const { store, dir, tokens, alice, bob, timers, advance, due } = await setup(1000);
  try {
    const a = await tokens.issue(alice, SERVICE.contacts);
    const b = await tokens.issue(bob, SERVICE.contacts);
    await tokens.revokeAccount(alice.accountId);
    assert.equal(await tokens.check(a.t, SERVICE.contacts), undefined);
    assert.deepEqual(await tokens.check(b.t, SERVICE.contacts), bob);

    const first = await tokens.issue(alice, SERVICE.storage);
    for (let i = 0; i < 128; i++) await tokens.issue(alice, SERVICE.storage);
    assert.equal(await tokens.check(first.t, SERVICE.storage), undefined, 'the oldest went first');
    assert.equal(rows(store, dir).length, 129, "128 of alice's and bob's one");

    advance(999);
    due();
    await store.deleteServiceToken('none');
    assert.equal(rows(store, dir).length, 129, 'nothing expired yet');
    advance(1);
    due();
    // The cleanup is a write on the store's queue: a write after it waits for it.
    await store.deleteServiceToken('none');
    assert.equal(rows(store, dir).length, 0, 'every row deleted');
    assert.equal(timers.size, 0, 'no cleanup left on the heap once every token has expired');
  } finally {
    await store.close();
  }
});

test('tokens outlive the process: a new store on the same file still checks them; deleting the account deletes them', async () => {
  const dir = tempDir();
  const first = await setup(60_000, dir);
  const c = await first.tokens.issue(first.alice, SERVICE.messengerClear, { proofKey: Buffer.alloc(24, 3) });
  await first.store.close();
  const again = await setup(60_000, dir);
  try {
    assert.deepEqual(await again.tokens.check(c.t, SERVICE.messengerClear), again.alice);
    assert.deepEqual(await again.tokens.proofKey(c.t), Buffer.alloc(24, 3));
    await again.store.deleteAccount(again.alice.accountId);
    assert.equal(await again.tokens.check(c.t, SERVICE.messengerClear), undefined);
  } finally {
    await again.store.close();
  }
});
