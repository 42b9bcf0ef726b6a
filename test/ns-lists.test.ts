// Lists over MSNP2-7: SYN, LST, ADD/REM on FL/AL/BL with list versions,
// reverse-list notifications, groups (MSNP7), phone numbers (MSNP5+), REA,
// GTC/BLP (MSNP2-12), and the error codes of each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NsClient } from '../src/client/ns-client.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { code } from './helpers/ns.js';


describe('lists', () => {
  let t: TestServer;
  let n = 0;
  /** Fresh accounts per test, so tests do not share list versions. */
  const users = async (count: number) => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const e = `u${++n}@example.com`;
      await t.user(e, 'secret', `User ${n}`);
      out.push(e);
    }
    return out;
  };
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('MSNP2 SYN of a new account: GTC, BLP and four empty lists at version 0', async () => {
    const [a] = await users(1);
    const c = await t.login(a!, 2, { sync: false, status: null });
    const s = await c.sync(0);
    assert.equal(s.version, 0);
    const tr = s.lines[0]!.args[0];
    assert.deepEqual(s.lines.map((l) => l.line), [
      `GTC ${tr} 0 A`, `BLP ${tr} 0 AL`, `LST ${tr} FL 0 0 0`, `LST ${tr} AL 0 0 0`, `LST ${tr} BL 0 0 0`, `LST ${tr} RL 0 0 0`,
    ]);
    c.close();
  });

  test('ADD FL: reply with the new version, ADD 0 RL to the contact, lists in SYN', async () => {
    const [a, b] = await users(2);
    const ca = await t.login(a!, 2);
    const cb = await t.login(b!, 4);
    const r = await ca.conn.request('ADD', ['FL', b!, b!]);
    assert.equal(r.line, `ADD ${r.args[0]} FL 1 ${b} ${b}`);
    const rl = await cb.conn.expect('ADD');
    assert.equal(rl.line, `ADD 0 RL 1 ${a} User%20${a!.slice(1, a!.indexOf('@'))}`);
    const r2 = await ca.conn.request('ADD', ['AL', b!, b!]);
    assert.equal(r2.args[2], '2');
    const s = await t.client(2);
    await s.connect();
    await s.login(a!, 'secret');
    const sync = await s.sync(0);
    assert.equal(sync.version, 2);
    const lst = sync.lines.filter((l) => l.verb === 'LST').map((l) => l.args.slice(1).join(' '));
    assert.deepEqual(lst, [`FL 2 1 1 ${b} User%20${b!.slice(1, b!.indexOf('@'))}`, `AL 2 1 1 ${b} User%20${b!.slice(1, b!.indexOf('@'))}`, 'BL 2 0 0', 'RL 2 0 0']);
    ca.close();
    cb.close();
    s.close();
  });

  test('SYN with the current version answers only the SYN line', async () => {
    const [a, b] = await users(2);
    const c = await t.login(a!, 7);
    await c.conn.request('ADD', ['FL', b!, b!, '0']);
    const s2 = await t.login(a!, 7, { sync: false, status: null });
    const r = await s2.sync(1);
    assert.deepEqual({ version: r.version, lines: r.lines }, { version: 1, lines: [] });
    s2.conn.sendLine(['PNG']);
    const next = await s2.conn.waitFor(() => true);
    assert.equal(next.verb, 'QNG', 'nothing but the SYN line came');
    s2.close();
  });

  test('REM FL: reply with the version, REM 0 RL to the contact', async () => {
    const [a, b] = await users(2);
    const ca = await t.login(a!, 3);
    const cb = await t.login(b!, 3);
    await ca.conn.request('ADD', ['FL', b!, b!]);
    await cb.conn.expect('ADD');
    const r = await ca.conn.request('REM', ['FL', b!]);
    assert.equal(r.line, `REM ${r.args[0]} FL 2 ${b}`);
    assert.equal((await cb.conn.expect('REM')).line, `REM 0 RL 2 ${a}`);
    ca.close();
    cb.close();
  });

  test('list errors: 201 205 215 216 219, and RL is not the client\'s', async () => {
    const [a, b] = await users(2);
    const c = await t.login(a!, 5);
    await assert.rejects(c.conn.request('ADD', ['FL', 'not-an-address', 'x']), code(201));
    await assert.rejects(c.conn.request('ADD', ['FL', 'a@b', 'x']), code(201));
    await assert.rejects(c.conn.request('ADD', ['FL', 'nobody@example.com', 'x']), code(205));
    await c.conn.request('ADD', ['FL', b!, b!]);
    await assert.rejects(c.conn.request('ADD', ['FL', b!, b!]), code(215));
    await c.conn.request('ADD', ['AL', b!, b!]);
    await assert.rejects(c.conn.request('ADD', ['BL', b!, b!]), code(219));
    await assert.rejects(c.conn.request('REM', ['BL', b!]), code(216));
    await assert.rejects(c.conn.request('ADD', ['RL', b!, b!]), code(201));
    await assert.rejects(c.conn.request('REM', ['RL', b!]), code(201));
    await assert.rejects(c.conn.request('ADD', ['FL', b!]), code(201));
    await c.conn.request('REM', ['AL', b!]);
    assert.equal((await c.conn.request('ADD', ['BL', b!, b!])).args[1], 'BL');
    c.close();
  });

  test('GTC and BLP: new version, the current value acknowledged (never 218), 201 for nonsense', async () => {
    const [a] = await users(1);
    const c = await t.login(a!, 7);
    assert.equal((await c.conn.request('GTC', ['N'])).args.slice(1).join(' '), '1 N');
    // The value already set: the normal reply, the list version unchanged.
    assert.equal((await c.conn.request('GTC', ['N'])).args.slice(1).join(' '), '1 N');
    await assert.rejects(c.conn.request('GTC', ['X']), code(201));
    assert.equal((await c.conn.request('BLP', ['BL'])).args.slice(1).join(' '), '2 BL');
    assert.equal((await c.conn.request('BLP', ['BL'])).args.slice(1).join(' '), '2 BL');
    await assert.rejects(c.conn.request('BLP', ['XL']), code(201));
    const s = await t.login(a!, 7, { sync: false, status: null });
    const sync = await s.sync(0);
    assert.deepEqual(sync.lines.slice(0, 2).map((l) => l.args.slice(1).join(' ')), ['2 N', '2 BL']);
    c.close();
    s.close();
  });

  // COMPAT: msn-pecan (MSNP12) sends `BLP t AL` right after every sign-in, on an
  // account that is already AL, and signs out on any error (client-quirks.md).
  for (const version of [2, 5, 7, 8, 9, 10, 11, 12]) {
    test(`MSNP${version}: BLP AL and GTC A on a new account get the normal reply and the session goes on`, async () => {
      const [a] = await users(1);
      const c = await t.login(a!, version);
      const blp = await c.conn.request('BLP', ['AL']);
      const gtc = await c.conn.request('GTC', ['A']);
      // MSNP2-9 carry the (unchanged) list version; MSNP10+ carry none.
      const expect = (v: string) => (version <= 9 ? `0 ${v}` : v);
      assert.equal(blp.args.slice(1).join(' '), expect('AL'));
      assert.equal(gtc.args.slice(1).join(' '), expect('A'));
      c.conn.sendLine(['PNG']);
      await c.conn.expect('QNG');
      assert.equal(c.conn.closed, false);
      c.close();
    });
  }

  test('REA: own name (watchers see it), a contact\'s name, errors', async () => {
    const [a, b] = await users(2);
    const ca = await t.login(a!, 6);
    const cb = await t.login(b!, 6);
    await ca.conn.request('ADD', ['FL', b!, b!]);
    await cb.conn.request('ADD', ['FL', a!, a!]);
    ca.conn.take();
    const r = await cb.conn.request('REA', [b!, 'Bob%20the%20Builder']);
    assert.equal(r.line, `REA ${r.args[0]} 3 ${b} Bob%20the%20Builder`);
    assert.equal((await ca.conn.expect('NLN')).line, `NLN NLN ${b} Bob%20the%20Builder`);
    const r2 = await ca.conn.request('REA', [b!, 'Bobby']);
    assert.equal(r2.line, `REA ${r2.args[0]} 3 ${b} Bobby`);
    await assert.rejects(ca.conn.request('REA', ['stranger@example.com', 'X']), code(216));
    await assert.rejects(ca.conn.request('REA', [a!, 'x'.repeat(400)]), code(209));
    const s = await t.client(6);
    await s.connect();
    await s.login(b!, 'secret');
    assert.equal(s.friendlyName, 'Bob the Builder', 'the name is stored');
    ca.close();
    cb.close();
    s.close();
  });

  test('LST t <list> on its own', async () => {
    const [a, b] = await users(2);
    const c = await t.login(a!, 7);
    await c.conn.request('ADD', ['FL', b!, b!, '0']);
    const tr = c.conn.send('LST', ['FL']);
    const l = await c.conn.waitFor((r) => r.args[0] === String(tr));
    assert.equal(l.line, `LST ${tr} FL 1 1 1 ${b} User%20${b!.slice(1, b!.indexOf('@'))} 0`);
    const tr2 = c.conn.send('LST', ['BL']);
    assert.equal((await c.conn.waitFor((r) => r.args[0] === String(tr2))).line, `LST ${tr2} BL 1 0 0`);
    await assert.rejects(c.conn.request('LST', ['XX']), code(201));
    c.close();
  });
});

describe('groups (MSNP7)', () => {
  let t: TestServer;
  let a: NsClient;
  const b = 'gb@example.com';
  const d = 'gd@example.com';
  before(async () => {
    t = await startTestServer();
    await t.user('ga@example.com');
    await t.user(b, 'secret', 'Bee');
    await t.user(d);
    a = await t.login('ga@example.com', 7);
  });
  after(() => t.stop());

  test('SYN lists group 0 "Other Contacts"', async () => {
    const s = await t.login('ga@example.com', 7, { sync: false, status: null });
    const sync = await s.sync(0);
    const lsg = sync.lines.filter((l) => l.verb === 'LSG').map((l) => l.args.slice(1).join(' '));
    assert.deepEqual(lsg, ['0 1 1 0 Other%20Contacts 0']);
    s.close();
    a = await t.login('ga@example.com', 7);
  });

  test('ADG, ADD into a group, copy into a second group, REM from one, REG, RMG', async () => {
    const g = await a.conn.request('ADG', ['Friends', '0']);
    assert.match(g.line, /^ADG \d+ 1 Friends 1 0$/);
    const g2 = await a.conn.request('ADG', ['Work%20Mates', '0']);
    assert.match(g2.line, /^ADG \d+ 2 Work%20Mates 2 0$/);
    assert.match((await a.conn.request('ADD', ['FL', b, b, '1'])).line, new RegExp(`^ADD \\d+ FL 3 ${b} ${b} 1$`));
    assert.match((await a.conn.request('ADD', ['FL', b, b, '2'])).line, new RegExp(`^ADD \\d+ FL 4 ${b} ${b} 2$`));
    await assert.rejects(a.conn.request('ADD', ['FL', b, b, '2']), code(215));
    let tr = a.conn.send('LST', ['FL']);
    assert.equal((await a.conn.waitFor((r) => r.args[0] === String(tr))).args.slice(-1)[0], '1,2');
    assert.match((await a.conn.request('REM', ['FL', b, '1'])).line, new RegExp(`^REM \\d+ FL 5 ${b} 1$`));
    await assert.rejects(a.conn.request('REM', ['FL', b, '1']), code(225));
    assert.match((await a.conn.request('REG', ['2', 'Colleagues', '0'])).line, /^REG \d+ 6 2 Colleagues 0$/);
    // Removing the last group leaves the contact on FL, in group 0.
    assert.match((await a.conn.request('RMG', ['2'])).line, /^RMG \d+ 7 2$/);
    tr = a.conn.send('LST', ['FL']);
    assert.equal((await a.conn.waitFor((r) => r.args[0] === String(tr))).args.slice(-1)[0], '0');
    const s = await t.login('ga@example.com', 7, { sync: false, status: null });
    const sync = await s.sync(0);
    assert.deepEqual(sync.lines.filter((l) => l.verb === 'LSG').map((l) => l.args.slice(2).join(' ')), ['1 2 0 Other%20Contacts 0', '2 2 1 Friends 0']);
    s.close();
    a = await t.login('ga@example.com', 7);
  });

  test('group errors: 224 223 228 229 230, and REM FL x 0 removes a group-0 contact', async () => {
    await assert.rejects(a.conn.request('ADD', ['FL', d, d, '17']), code(224));
    await assert.rejects(a.conn.request('ADD', ['FL', d, d, '30']), code(224));
    await assert.rejects(a.conn.request('RMG', ['17']), code(224));
    await assert.rejects(a.conn.request('RMG', ['0']), code(230));
    await assert.rejects(a.conn.request('REG', ['17', 'X', '0']), code(224));
    await assert.rejects(a.conn.request('ADG', ['Friends', '0']), code(228));
    await assert.rejects(a.conn.request('ADG', ['x'.repeat(62), '0']), code(229));
    await a.conn.request('ADD', ['FL', d, d, '0']);
    await a.conn.request('REM', ['FL', d, '0']);
    const tr = a.conn.send('LST', ['FL']);
    const lines = [await a.conn.waitFor((r) => r.args[0] === String(tr))];
    assert.ok(!lines.some((l) => l.line.includes(d)));
    let made = 0;
    try {
      for (let i = 0; i < 40; i++) {
        await a.conn.request('ADG', [`G${i}`, '0']);
        made++;
      }
      assert.fail('no limit');
    } catch (e) {
      assert.ok(code(223)(e), String(e));
    }
    assert.ok(made < 30);
  });
});

describe('phone numbers (MSNP5+)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.user('pa@example.com');
    await t.user('pb@example.com');
  });
  after(() => t.stop());

  test('PRP sets and clears; contacts on my allow list get BPR; SYN carries both', async () => {
    const a = await t.login('pa@example.com', 5);
    const b = await t.login('pb@example.com', 7);
    await b.conn.request('ADD', ['FL', 'pa@example.com', 'pa@example.com', '0']);
    await a.conn.request('ADD', ['AL', 'pb@example.com', 'pb@example.com']);
    b.conn.take();
    const r = await a.conn.request('PRP', ['PHH', '555%201234']);
    assert.match(r.line, /^PRP \d+ 3 PHH 555%201234$/);
    const bpr = await b.conn.expect('BPR');
    assert.equal(bpr.line, 'BPR 2 pa@example.com PHH 555%201234');
    assert.match((await a.conn.request('PRP', ['PHW'])).line, /^PRP \d+ 4 PHW$/);
    assert.match((await a.conn.request('PRP', ['MOB', 'Y'])).line, /^PRP \d+ 5 MOB N$/, 'no mobile device enabled');
    await assert.rejects(a.conn.request('PRP', ['phh', '1']), code(715));
    await assert.rejects(a.conn.request('PRP', ['XYZ', '1']), code(715));
    await assert.rejects(a.conn.request('PRP', ['PHH', '1'.repeat(96)]), code(201));
    const s = await t.login('pa@example.com', 5, { sync: false, status: null });
    const own = (await s.sync(0)).lines.filter((l) => l.verb === 'PRP').map((l) => l.args.slice(2).join(' '));
    assert.deepEqual(own, ['PHH 555%201234', 'PHW', 'PHM', 'MOB N', 'MBE N']);
    const s2 = await t.login('pb@example.com', 7, { sync: false, status: null });
    const bprs = (await s2.sync(0)).lines.filter((l) => l.verb === 'BPR').map((l) => l.args.slice(1).join(' '));
    assert.deepEqual(bprs, ['pa@example.com PHH 555%201234', 'pa@example.com PHW', 'pa@example.com PHM', 'pa@example.com MOB N']);
    for (const c of [a, b, s, s2]) c.close();
  });

  test('PRP does not exist before MSNP5: the connection closes', async () => {
    const a = await t.login('pa@example.com', 4);
    a.conn.send('PRP', ['PHH', '1']);
    await a.conn.closedByPeer();
  });
});
