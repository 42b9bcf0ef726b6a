// MSNP8-12 error paths and list pushes (issue 5 review): the codes errors.md
// gives for ADD/ADC, PRP MFN, RMG, GCF and XFR; the pending list as MSNP8/9
// and MSNP10+ see it; the reverse-list push naming the adder; SYN on MSNP8
// with a current cache; challenges for a client that never sets a status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { lockAndKeyAnswer } from '../src/msnp/challenges.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { accountMaker, code } from './helpers/ns.js';

const nameOf = (e: string) => `Name%20${e.slice(1, e.indexOf('@'))}`;

describe('MSNP8-12 error codes and list pushes', () => {
  let t: TestServer;
  const users = accountMaker(() => t, 'e');
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('ADD/ADC: malformed address 201, unknown account 205 (8/9) or 208 (10+), duplicate 215, opposite list 219', async () => {
    const [a, b] = await users(2);
    for (const v of [8, 9]) {
      const c = await t.login(a!, v);
      for (const bad of ['no-at-sign', 'a@b', '@example.com', 'x@', 'two@@example.com']) await assert.rejects(c.conn.request('ADD', ['FL', bad, 'x', '0']), code(201), `MSNP${v} ${bad}`);
      await assert.rejects(c.conn.request('ADD', ['FL', 'nobody@example.com', 'x', '0']), code(205), `MSNP${v}`);
      await assert.rejects(c.conn.request('ADD', ['PL', b!, 'x']), code(201), `MSNP${v}: PL is not a list the client edits`);
    }
    for (const v of [10, 11, 12]) {
      const c = await t.login(a!, v);
      for (const list of ['FL', 'AL', 'BL']) {
        for (const bad of ['no-at-sign', 'a@b', '@example.com', '']) await assert.rejects(c.conn.request('ADC', [list, `N=${bad}`, ...(list === 'FL' ? ['F=x'] : [])]), code(201), `MSNP${v} ${list} ${bad}`);
        await assert.rejects(c.conn.request('ADC', [list, 'N=nobody@example.com', ...(list === 'FL' ? ['F=x'] : [])]), code(208), `MSNP${v} ${list}`);
      }
    }
    const c = await t.login(a!, 11);
    await c.conn.request('ADC', ['BL', `N=${b}`]);
    await assert.rejects(c.conn.request('ADC', ['BL', `N=${b}`]), code(215));
    await assert.rejects(c.conn.request('ADC', ['AL', `N=${b}`]), code(219));
    const c9 = await t.login(a!, 9);
    await assert.rejects(c9.conn.request('ADD', ['AL', b!, b!]), code(219));
    await assert.rejects(c9.conn.request('ADD', ['BL', b!, b!]), code(215));
  });

  test('a full forward list: ADD (MSNP9) and ADC (MSNP11) get 210', async () => {
    // 2000 forward entries (the limit), written straight to the store before the owner signs in.
    const [owner, extra] = await users(2);
    const store = t.server.core.store;
    const filler = Array.from({ length: 2000 }, (_, i) => ({ email: `full${i}@example.com`, friendlyName: `F${i}`, passwordHash: 'x', md5Salt: null, md5Verifier: null }));
    assert.deepEqual(await store.createAccounts(filler), []);
    const ownerId = (await store.getAccountByEmail(owner!))!.id;
    await store.withTransaction(async (tx) => {
      for (const f of filler) {
        const id = (await tx.getAccountByEmail(f.email))!.id;
        await tx.putContact(ownerId, { contactId: id, email: f.email, friendlyName: f.friendlyName, lists: 1, guid: randomUUID(), groups: [] });
      }
    });
    const c9 = await t.login(owner!, 9);
    await assert.rejects(c9.conn.request('ADD', ['FL', extra!, extra!, '0']), code(210), 'MSNP9');
    const c11 = await t.login(owner!, 11);
    await assert.rejects(c11.conn.request('ADC', ['FL', `N=${extra}`, `F=${extra}`]), code(210), 'MSNP11');
    // The other lists have their own limit.
    assert.equal((await c11.conn.request('ADC', ['AL', `N=${extra}`])).args[1], 'AL');
  });

  test('PRP MFN: too long or with a line break 209 on MSNP10-12; below MSNP10 it is 715', async () => {
    const [a] = await users(1);
    for (const v of [10, 11, 12]) {
      const c = await t.login(a!, v);
      await assert.rejects(c.conn.request('PRP', ['MFN', 'x'.repeat(388)]), code(209), `MSNP${v} 388 bytes`);
      await assert.rejects(c.conn.request('PRP', ['MFN', '%C3%A9'.repeat(65)]), code(209), `MSNP${v} 390 encoded bytes`);
      await assert.rejects(c.conn.request('PRP', ['MFN', 'a%0D%0Ab']), code(209), `MSNP${v} CR LF`);
      await assert.rejects(c.conn.request('PRP', ['MFN', 'a%00b']), code(209), `MSNP${v} NUL`);
      assert.equal((await c.conn.request('PRP', ['MFN', 'x'.repeat(387)])).args.slice(1).join(' '), `MFN ${'x'.repeat(387)}`);
    }
    for (const v of [8, 9]) {
      const c = await t.login(a!, v);
      await assert.rejects(c.conn.request('PRP', ['MFN', 'Me']), code(715), `MSNP${v}`);
    }
  });

  test('RMG: unknown group 224, group 0 230 (8/9) or 224 (10+); a group with contacts is removed, they stay on FL', async () => {
    const [a, b] = await users(2);
    for (const v of [8, 9]) {
      const c = await t.login(a!, v);
      await assert.rejects(c.conn.request('RMG', ['17']), code(224), `MSNP${v} unknown id`);
      await assert.rejects(c.conn.request('RMG', ['30']), code(224), `MSNP${v} out of range`);
      await assert.rejects(c.conn.request('RMG', ['0']), code(230), `MSNP${v} group 0`);
      await assert.rejects(c.conn.request('RMG', ['x']), code(201), `MSNP${v} not a number`);
      const g = (await c.conn.request('ADG', [`G${v}`, '0'])).args[3]!;
      await c.conn.request('ADD', ['FL', b!, b!, g]);
      const r = await c.conn.request('RMG', [g]);
      assert.equal(r.args[2], g, `MSNP${v}: RMG t version id`);
      const s = await c.sync(0);
      assert.equal(s.lines.find((l) => l.verb === 'LST')!.line, `LST ${b} ${nameOf(b!)} 1 0`, `MSNP${v}: still on FL, in no group`);
      await c.conn.request('REM', ['FL', b!]);
    }
    for (const v of [10, 11, 12]) {
      const c = await t.login(a!, v);
      await assert.rejects(c.conn.request('RMG', ['00000000-0000-0000-0000-000000000000']), code(224), `MSNP${v} unknown GUID`);
      await assert.rejects(c.conn.request('RMG', ['0']), code(224), `MSNP${v} group 0`);
      await assert.rejects(c.conn.request('RMG', ['No%20Such%20Group']), code(224), `MSNP${v} unknown name`);
      const g = (await c.conn.request('ADG', [`H${v}`])).args[2]!;
      const add = await c.conn.request('ADC', ['FL', `N=${b}`, `F=${b}`, g]);
      assert.equal(add.args.at(-1), g);
      assert.equal((await c.conn.request('RMG', [g])).args.slice(1).join(' '), g);
      const s = await c.sync();
      const lst = s.lines.find((l) => l.verb === 'LST')!;
      assert.equal(lst.args[0], `N=${b}`);
      assert.ok(!lst.args.includes(g), `MSNP${v}: the contact left the removed group`);
      assert.equal(s.lines.filter((l) => l.verb === 'LSG').length, 0);
      await c.conn.request('REM', ['FL', add.args[4]!.slice(2)]);
    }
  });

  test('GCF: only Shields.xml (201 for any other name); not before MSNP11', async () => {
    const [a] = await users(1);
    const c = await t.login(a!, 12);
    for (const name of ['shields.xml', 'Other.xml', '../Shields.xml', 'Shields.xml%00', 'Shields.xmlx']) await assert.rejects(c.conn.request('GCF', [name]), code(201), name);
    await assert.rejects(c.conn.request('GCF', []), code(201), 'no name');
    assert.equal((await c.conn.request('GCF', ['Shields.xml'])).args[1], 'Shields.xml', 'the session goes on');
    const c10 = await t.login(a!, 10);
    c10.conn.send('GCF', ['Shields.xml']);
    await c10.conn.closedByPeer();
  });

  test('XFR SB: 913 before the first CHG and while hidden, on MSNP8-12; 201 for another type', async () => {
    const [a] = await users(1);
    for (const v of [8, 9, 10, 11, 12]) {
      const c = await t.login(a!, v, { status: null });
      await assert.rejects(c.conn.request('XFR', ['SB']), code(913), `MSNP${v} before CHG`);
      await c.setStatus('HDN');
      await assert.rejects(c.conn.request('XFR', ['SB']), code(913), `MSNP${v} hidden`);
      await assert.rejects(c.conn.request('XFR', ['NS']), code(201), `MSNP${v} XFR NS`);
      await c.setStatus('NLN');
      assert.match((await c.conn.request('XFR', ['SB'])).line, /^XFR \d+ SB 127\.0\.0\.1:\d+ CKI \S+$/, `MSNP${v} online`);
      c.close();
    }
  });

  test('pending list: MSNP8/9 get ADD 0 RL and see RL only (no PL bit); MSNP10+ see PL; ADD AL settles it', async () => {
    const [a, b] = await users(2);
    const ca = await t.login(a!, 9);
    const cb = await t.login(b!, 12);
    await cb.conn.request('ADC', ['FL', `N=${a}`, `F=${a}`]);
    const push = await ca.conn.expect('ADD');
    assert.match(push.line, new RegExp(`^ADD 0 RL \\d+ ${b} ${nameOf(b!)}$`));
    const version = Number(push.args[2]);
    for (const v of [8, 9]) {
      const s = await (await t.login(a!, v, { sync: false, status: null })).sync(0);
      assert.equal(s.version, version, `MSNP${v}: the list version of the push`);
      assert.deepEqual(s.lines.filter((l) => l.verb === 'LST').map((l) => l.line), [`LST ${b} ${nameOf(b!)} 8`], `MSNP${v}`);
      assert.equal(s.head.args.slice(2).join(' '), '1 1', 'one user, group 0');
    }
    for (const v of [10, 12]) {
      const s = await (await t.login(a!, v, { sync: false, status: null })).sync();
      const lst = s.lines.find((l) => l.verb === 'LST')!;
      assert.equal(lst.args[0], `N=${b}`);
      assert.equal(lst.args[1], '24', `MSNP${v}: RL + PL`);
    }
    // MSNP8/9 cannot name PL; allowing the adder settles the pending entry.
    const c9 = await t.login(a!, 9);
    await assert.rejects(c9.conn.request('REM', ['PL', b!]), code(201));
    await c9.conn.request('ADD', ['AL', b!, b!]);
    const s = await (await t.login(a!, 12, { sync: false, status: null })).sync();
    assert.equal(s.lines.find((l) => l.verb === 'LST')!.args[1], '10', 'RL + AL, no longer pending');
  });

  test("the reverse-list push names the adder (as the adder last set it), on every version", async () => {
    for (const av of [9, 11]) {
      const [a, ...added] = await users(6);
      const cs = [];
      for (const [i, v] of [8, 9, 10, 11, 12].entries()) cs.push(await t.login(added[i]!, v));
      const ca = await t.login(a!, av);
      if (av >= 10) await ca.conn.request('PRP', ['MFN', 'The%20Adder']);
      else await ca.conn.request('REA', [a!, 'The%20Adder']);
      for (const c of cs) {
        await (av >= 10 ? ca.conn.request('ADC', ['FL', `N=${c.email}`, `F=${c.email}`]) : ca.conn.request('ADD', ['FL', c.email, c.email, '0']));
        const v = c.version;
        const push = await c.conn.expect(v >= 10 ? 'ADC' : 'ADD', 5000, (r) => r.args[0] === '0');
        if (v >= 10) assert.equal(push.line, `ADC 0 RL N=${a} F=The%20Adder`, `MSNP${av} -> MSNP${v}`);
        else assert.match(push.line, new RegExp(`^ADD 0 RL \\d+ ${a} The%20Adder$`), `MSNP${av} -> MSNP${v}`);
        assert.doesNotMatch(push.line, new RegExp(nameOf(c.email)), "not the added user's own name");
      }
    }
  });

  test('MSNP8 SYN with the current version still gets the full form with counts', async () => {
    const [a, b] = await users(2);
    const c = await t.login(a!, 8);
    await c.conn.request('ADD', ['FL', b!, b!, '0']);
    const first = await (await t.login(a!, 8, { sync: false, status: null })).sync(0);
    const again = await (await t.login(a!, 8, { sync: false, status: null })).sync(first.version);
    assert.deepEqual(again.head.args.slice(1), [String(first.version), '1', '1']);
    assert.deepEqual(again.lines.map((l) => l.line), first.lines.map((l) => l.line));
  });
});

describe('MSNP11 challenges without a status', () => {
  test('a client that never sends CHG is challenged; a wrong answer gets 540 and a close', async () => {
    const t = await startTestServer({ MSNPD_CHALLENGES: 'enforce', MSNPD_CHALLENGE_DELAY: '0', MSNPD_CHALLENGE_INTERVAL: '1' });
    try {
      await t.user('quiet@example.com');
      for (const v of [11, 12]) {
        const c = t.client(v);
        await c.connect();
        c.conn.intercept = undefined;
        await c.login('quiet@example.com', 'secret');
        await c.sync();
        const chl = await c.conn.expect('CHL');
        assert.match(chl.line, /^CHL 0 \d{20}$/);
        const wrong = lockAndKeyAnswer(chl.args[1]!, 'PROD0090YUAUV{2B', 'WRONGKEYWRONGKEY');
        await assert.rejects(c.conn.request('QRY', ['PROD0090YUAUV{2B'], wrong), code(540), `MSNP${v}`);
        await c.conn.closedByPeer();
        assert.deepEqual(c.conn.take((r) => r.verb === 'CHG' || r.verb === 'ILN'), [], 'no status was ever set');
      }
    } finally {
      await t.stop();
    }
  });
});
