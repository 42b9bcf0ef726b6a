// ServiceTokens on its own, with an injected clock: the per-account cap, the
// expiry deadlines, revocation of one account only, and the proof key kept only for the
// messengerclear.live.com token. (Over HTTPS with a real server: sso-rst.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineHeap } from '../src/core/deadline-heap.js';
import { SERVICE, serviceOf, ServiceTokens, ticketPart } from '../src/core/service-tokens.js';

function tokens(ttlMs = 1000) {
  let now = 1_000_000;
  const timers = new DeadlineHeap();
  return { store: new ServiceTokens(ttlMs, () => now, timers), advance: (ms: number) => (now += ms), due: () => timers.runDue(now) };
}

const alice = { accountId: 1, email: 'alice@example.com' };
const bob = { accountId: 2, email: 'bob@example.com' };

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

test('a token passes for its service and account until it expires', () => {
  const { store, advance } = tokens(1000);
  const c = store.issue(alice, 'contacts.msn.com');
  assert.equal(c.expiresAt - c.createdAt, 1000);
  assert.deepEqual(store.check(`t=${c.t}&p=${c.p}`, 'contacts.msn.com'), alice);
  assert.equal(store.check(c.t, 'storage.msn.com'), undefined);
  assert.equal(store.check('t=nope&p=', 'contacts.msn.com'), undefined);
  assert.equal(store.proofKey(c.t), undefined, 'only messengerclear tokens have a proof key');
  advance(999);
  assert.ok(store.check(c.t, 'contacts'));
  advance(1);
  assert.equal(store.check(c.t, 'contacts'), undefined);
  assert.equal(store.size, 0, 'an expired token is forgotten when read');
});

test('the proof key stays with the messengerclear token', () => {
  const { store } = tokens();
  const key = Buffer.alloc(24, 9);
  const clear = store.issue(alice, SERVICE.messengerClear, { proofKey: key });
  assert.deepEqual(store.proofKey(clear.t), key);
  const other = store.issue(alice, SERVICE.contacts, { proofKey: key });
  assert.equal(store.proofKey(other.t), undefined, 'a key given to another service is not an SSO key');
});

test('revocation is per account; the deadline frees expired tokens; an account holds at most 128', () => {
  const { store, advance, due } = tokens(1000);
  const a = store.issue(alice, SERVICE.contacts);
  const b = store.issue(bob, SERVICE.contacts);
  store.revokeAccount(alice.accountId);
  assert.equal(store.check(a.t, SERVICE.contacts), undefined);
  assert.deepEqual(store.check(b.t, SERVICE.contacts), bob);

  const first = store.issue(alice, SERVICE.storage);
  for (let i = 0; i < 128; i++) store.issue(alice, SERVICE.storage);
  assert.equal(store.check(first.t, SERVICE.storage), undefined, 'the oldest went first');
  assert.equal(store.size, 129, "128 of alice's and bob's one");

  advance(999);
  due();
  assert.equal(store.size, 129, 'nothing due yet');
  advance(1);
  due();
  assert.equal(store.size, 0, 'the heap freed them all, unread');
});
