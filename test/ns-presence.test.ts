// Presence: CHG and every status, ILN on the first CHG, NLN/FLN to watchers,
// HDN, and privacy (BLP, allow and block lists) deciding who sees what.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NsClient } from '../src/client/ns-client.js';
import { sleep, startTestServer, type TestServer } from './helpers/server.js';
import { code, quiet } from './helpers/ns.js';


/** Nothing arrives for `c` beyond what a PNG round trip shows. */

describe('presence', () => {
  let t: TestServer;
  let n = 0;
  /** Two fresh accounts with each other on FL (and AL), signed in with the given versions. */
  const pair = async (va: number, vb: number) => {
    const a = `p${++n}a@example.com`;
    const b = `p${n}b@example.com`;
    await t.user(a, 'secret', 'Ann');
    await t.user(b, 'secret', 'Ben');
    const ca = await t.login(a, va, { status: null });
    const cb = await t.login(b, vb, { status: null });
    for (const [c, other] of [[ca, b], [cb, a]] as [NsClient, string][]) {
      await c.conn.request('ADD', ['FL', other, other, ...(c.version >= 7 ? ['0'] : [])]);
      await c.conn.request('ADD', ['AL', other, other]);
    }
    await quiet(ca);
    await quiet(cb);
    return { a, b, ca, cb };
  };
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('the first CHG lists visible contacts with ILN (same trid); later CHGs do not', async () => {
    const { a, b, ca, cb } = await pair(2, 7);
    await cb.setStatus('BSY');
    const r = await ca.setStatus('NLN');
    const iln = await ca.conn.expect('ILN');
    assert.equal(iln.line, `ILN ${r.args[0]} BSY ${b} Ben`);
    assert.equal((await cb.conn.expect('NLN')).line, `NLN NLN ${a} Ann`);
    await ca.setStatus('AWY');
    assert.deepEqual(await quiet(ca), []);
    assert.equal((await cb.conn.expect('NLN')).line, `NLN AWY ${a} Ann`);
  });

  test('every status is settable and seen; FLN is not settable (201); nonsense is 201', async () => {
    const { a, ca, cb } = await pair(5, 3);
    await cb.setStatus('NLN');
    for (const s of ['NLN', 'BSY', 'IDL', 'BRB', 'AWY', 'PHN', 'LUN']) {
      assert.equal((await ca.setStatus(s)).args[1], s);
      assert.equal((await cb.conn.expect('NLN')).line, `NLN ${s} ${a} Ann`);
    }
    await assert.rejects(ca.setStatus('FLN'), code(201));
    await assert.rejects(ca.setStatus('xyz'), code(201));
  });

  test('HDN: watchers get FLN, the hidden user still sees others, and comes back with NLN', async () => {
    const { a, b, ca, cb } = await pair(7, 7);
    await cb.setStatus('NLN');
    await ca.setStatus('NLN');
    await cb.conn.expect('NLN');
    await ca.setStatus('HDN');
    assert.equal((await cb.conn.expect('FLN')).line, `FLN ${a}`);
    await cb.setStatus('BRB');
    assert.equal((await ca.conn.expect('NLN')).line, `NLN BRB ${b} Ben`);
    await ca.setStatus('NLN');
    assert.equal((await cb.conn.expect('NLN')).line, `NLN NLN ${a} Ann`);
  });

  test('a user who starts hidden never appears', async () => {
    const { ca, cb } = await pair(7, 7);
    await cb.setStatus('NLN');
    await ca.setStatus('HDN');
    assert.deepEqual(await quiet(cb), []);
    ca.close();
    await sleep(50);
    assert.deepEqual(await quiet(cb), [], 'no FLN either: it was never seen');
  });

  test('signing out sends FLN to watchers', async () => {
    const { a, ca, cb } = await pair(6, 2);
    await cb.setStatus('NLN');
    await ca.setStatus('NLN');
    await cb.conn.expect('NLN');
    ca.conn.sendLine(['OUT']);
    assert.equal((await cb.conn.expect('FLN')).line, `FLN ${a}`);
  });

  test('blocking: FLN at once; unblocking: NLN again; a block list entry hides everything', async () => {
    const { a, b, ca, cb } = await pair(7, 4);
    await ca.setStatus('NLN');
    await cb.setStatus('NLN');
    await cb.conn.expect('ILN');
    await ca.conn.request('REM', ['AL', b]);
    assert.deepEqual(await quiet(cb), [], 'BLP AL: still allowed');
    await ca.conn.request('ADD', ['BL', b, b]);
    assert.equal((await cb.conn.expect('FLN')).line, `FLN ${a}`);
    await ca.setStatus('BSY');
    await ca.conn.request('REA', [a, 'Secret%20Ann']);
    assert.deepEqual(await quiet(cb), [], 'nothing leaks while blocked');
    // The blocked user signing in again sees the blocker as offline.
    const again = await t.login(b, 4, { status: null });
    await again.setStatus('NLN');
    assert.deepEqual(await quiet(again), []);
    await ca.conn.request('REM', ['BL', b]);
    assert.equal((await again.conn.expect('NLN')).line, `NLN BSY ${a} Secret%20Ann`);
  });

  test('BLP BL: only the allow list sees me', async () => {
    const { a, b, ca, cb } = await pair(7, 7);
    await ca.setStatus('NLN');
    await cb.setStatus('NLN');
    await cb.conn.expect('ILN');
    await ca.conn.request('BLP', ['BL']);
    assert.deepEqual(await quiet(cb), [], 'on AL: still visible');
    await ca.conn.request('REM', ['AL', b]);
    assert.equal((await cb.conn.expect('FLN')).line, `FLN ${a}`);
    await ca.conn.request('BLP', ['AL']);
    assert.equal((await cb.conn.expect('NLN')).line, `NLN NLN ${a} Ann`);
    await ca.conn.request('BLP', ['BL']);
    assert.equal((await cb.conn.expect('FLN')).line, `FLN ${a}`);
    await ca.conn.request('ADD', ['AL', b, b]);
    assert.equal((await cb.conn.expect('NLN')).line, `NLN NLN ${a} Ann`);
  });

  test('adding a visible online contact answers ILN with the ADD\'s trid', async () => {
    const a = 'iln-a@example.com';
    const b = 'iln-b@example.com';
    await t.user(a);
    await t.user(b, 'secret', 'Bee');
    const ca = await t.login(a, 7);
    const cb = await t.login(b, 2);
    await cb.setStatus('LUN');
    const r = await ca.conn.request('ADD', ['FL', b, b, '0']);
    assert.equal((await ca.conn.expect('ILN')).line, `ILN ${r.args[0]} LUN ${b} Bee`);
  });

  test('presence before the first CHG is not sent', async () => {
    const { b, ca, cb } = await pair(7, 7);
    await cb.setStatus('NLN');
    assert.deepEqual(await quiet(ca), []);
    const r = await ca.setStatus('IDL');
    assert.equal((await ca.conn.expect('ILN')).line, `ILN ${r.args[0]} NLN ${b} Ben`);
  });
});
