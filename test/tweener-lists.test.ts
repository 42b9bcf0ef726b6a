// Lists and presence for MSNP8-12: the list downloads of each era, ADC and
// friends by GUID, the pending list, capabilities and display pictures,
// personal messages, and one account seen from clients of every version.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NsClient } from '../src/client/ns-client.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { code, quiet } from './helpers/ns.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


describe('MSNP8-12 lists and presence', () => {
  let t: TestServer;
  let n = 0;
  const users = async (count: number) => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const e = `w${++n}@example.com`;
      await t.user(e, 'secret', `Name ${n}`);
      out.push(e);
    }
    return out;
  };
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('MSNP8/9 SYN: counts, group 0, lines without trids, list bits, group ids; full even when current', async () => {
    const [a, b, c] = await users(3);
    const ca = await t.login(a!, 7);
    await ca.conn.request('ADG', ['Friends', '0']);
    await ca.conn.request('ADD', ['FL', b!, b!, '1']);
    await ca.conn.request('ADD', ['AL', b!, b!]);
    await ca.conn.request('ADD', ['BL', c!, c!]);
    await ca.conn.request('PRP', ['PHH', '555%201234']);
    for (const v of [8, 9]) {
      const s = await (await t.login(a!, v, { sync: false, status: null })).sync(0);
      assert.equal(s.head.args.slice(1).join(' '), '5 2 2');
      assert.deepEqual(s.lines.map((l) => l.line), [
        'GTC A', 'BLP AL', 'PRP PHH 555%201234', 'LSG 0 Other%20Contacts 0', 'LSG 1 Friends 0',
        `LST ${b} Name%20${b!.slice(1, b!.indexOf('@'))} 3 1`, `LST ${c} Name%20${c!.slice(1, c!.indexOf('@'))} 4`,
      ]);
    }
    // A current cache still gets the whole list (client-quirks.md "SYN for MSNP8+").
    const again = await t.login(a!, 9, { sync: false, status: null });
    const current = await again.sync(5);
    assert.equal(current.head.args.slice(1).join(' '), '5 2 2');
    assert.equal(current.lines.filter((l) => l.verb === 'LST').length, 2);
  });

  test('MSNP10-12 SYN: timestamps, PRP MFN, LSG by GUID, LST N= F= C=, no group 0, network id on 12', async () => {
    const [a, b, c] = await users(3);
    const ca = await t.login(a!, 7);
    await ca.conn.request('ADG', ['Work', '0']);
    await ca.conn.request('ADD', ['FL', b!, b!, '1']);
    await ca.conn.request('ADD', ['FL', c!, c!, '0']);
    await ca.conn.request('ADD', ['BL', c!, c!]);
    for (const v of [10, 11, 12]) {
      const s = await (await t.login(a!, v, { sync: false, status: null })).sync();
      const [, ts1, ts2, nc, ng] = s.head.args;
      assert.match(ts1!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}-00:00$/);
      assert.equal(ts1, ts2);
      assert.deepEqual([nc, ng], ['2', '1']);
      const lines = s.lines.map((l) => l.line);
      assert.deepEqual(lines.slice(0, 5), ['GTC A', 'BLP AL', `PRP MFN Name%20${a!.slice(1, a!.indexOf('@'))}`, 'PRP MBE N', 'PRP WWE 0']);
      const lsg = s.lines.find((l) => l.verb === 'LSG')!;
      assert.equal(lsg.args[0], 'Work');
      assert.match(lsg.args[1]!, GUID);
      const net = v >= 12 ? ['1'] : [];
      const lb = s.lines.find((l) => l.verb === 'LST' && l.args[0] === `N=${b}`)!;
      assert.deepEqual([lb.args[1], ...lb.args.slice(3)], [`F=Name%20${b!.slice(1, b!.indexOf('@'))}`, '1', ...net, lsg.args[1]]);
      assert.match(lb.args[2]!, new RegExp('^C=' + GUID.source.slice(1)));
      const lc = s.lines.find((l) => l.verb === 'LST' && l.args[0] === `N=${c}`)!;
      assert.deepEqual(lc.args.slice(3), ['5', ...net], 'FL+BL, in no group: no group field');
      assert.equal(lc.args[2]!.startsWith('C='), true);
      const c2 = await t.login(a!, v, { sync: false, status: null });
      const current = await c2.sync(`${ts1} ${ts2}`);
      assert.deepEqual(current.head.args.slice(1), [ts1, ts2, '2', '1'], 'a current cache still gets the full form');
      assert.equal(current.lines.filter((l) => l.verb === 'LST').length, 2);
    }
  });

  test('ADC, REM by GUID, groups by GUID, SBP; the RL push and the pending list', async () => {
    const [a, b] = await users(2);
    const ca = await t.login(a!, 11);
    const cb = await t.login(b!, 12);
    const add = await ca.conn.request('ADC', ['FL', `N=${b}`, `F=${b}`]);
    assert.equal(add.args.slice(1, 4).join(' '), `FL N=${b} F=${b}`);
    const guid = add.args[4]!.slice(2);
    assert.match(guid, GUID);
    assert.equal((await cb.conn.expect('ADC')).line, `ADC 0 RL N=${a} F=Name%20${a!.slice(1, a!.indexOf('@'))}`);
    // The new adder is pending for b until allowed or blocked.
    let s = await (await t.login(b!, 12, { sync: false, status: null })).sync();
    assert.equal(s.lines.find((l) => l.verb === 'LST')!.line, `LST N=${a} 24 1`);
    const cb2 = await t.login(b!, 12);
    assert.equal((await cb2.conn.request('ADC', ['AL', `N=${a}`])).args.slice(1).join(' '), `AL N=${a}`);
    assert.equal((await cb2.conn.request('ADC', ['RL', `N=${a}`])).args.slice(1).join(' '), `RL N=${a}`);
    assert.equal((await cb2.conn.request('REM', ['PL', a!])).args.slice(1).join(' '), `PL ${a}`);
    s = await (await t.login(b!, 12, { sync: false, status: null })).sync();
    assert.equal(s.lines.find((l) => l.verb === 'LST')!.line, `LST N=${a} 10 1`);
    // Groups.
    const ca2 = await t.login(a!, 11);
    const adg = await ca2.conn.request('ADG', ['Pals']);
    assert.equal(adg.args.length, 3, 'ADG t name guid, no more');
    const g = adg.args[2]!;
    assert.equal((await ca2.conn.request('ADC', ['FL', `C=${guid}`, g])).args.slice(1).join(' '), `FL C=${guid} ${g}`);
    await assert.rejects(ca2.conn.request('ADC', ['FL', `C=${guid}`, g]), code(215));
    assert.equal((await ca2.conn.request('REG', [g, 'Old%20Pals'])).args.slice(1).join(' '), `${g} Old%20Pals`);
    assert.equal((await ca2.conn.request('SBP', [guid, 'MFN', 'Bobby'])).args.slice(1).join(' '), `${guid} MFN Bobby`);
    assert.equal((await ca2.conn.request('REM', ['FL', guid, g])).args.slice(1).join(' '), `FL ${guid} ${g}`);
    await assert.rejects(ca2.conn.request('REM', ['FL', guid, g]), code(225));
    assert.equal((await ca2.conn.request('RMG', [g])).args.slice(1).join(' '), g);
    await assert.rejects(ca2.conn.request('RMG', [g]), code(224));
    await assert.rejects(ca2.conn.request('ADC', ['FL', 'N=nobody@example.com', 'F=x']), code(208));
    await assert.rejects(ca2.conn.request('ADC', ['FL', `N=${b}`, 'F=x']), code(215));
    await assert.rejects(ca2.conn.request('ADC', ['PL', `N=${b}`]), code(201));
    assert.equal((await ca2.conn.request('REM', ['FL', guid])).args.slice(1).join(' '), `FL ${guid}`);
    await assert.rejects(ca2.conn.request('REM', ['FL', guid]), code(216));
    assert.equal((await ca2.conn.request('BLP', ['BL'])).args.slice(1).join(' '), 'BL', 'no version from MSNP10');
    assert.equal((await ca2.conn.request('PRP', ['MFN', 'New%20Me'])).args.slice(1).join(' '), 'MFN New%20Me');
  });

  test('commands of other versions close the connection (ADD on 10+, ADC before 10, REA on 10+, UUX before 11)', async () => {
    const [a] = await users(1);
    for (const [v, verb, args] of [[10, 'ADD', ['FL', 'x@y.z', 'x']], [9, 'ADC', ['FL', 'N=x@y.z']], [11, 'REA', ['x@y.z', 'x']], [10, 'UUX', ['0']], [9, 'LST', ['FL']]] as [number, string, string[]][]) {
      const c = await t.login(a!, v);
      c.conn.send(verb, args);
      await c.conn.closedByPeer();
    }
  });

  test('presence across versions: caps from MSNP8, MSNObject from MSNP9, personal messages only to MSNP11+', async () => {
    const [a, b2, b8, b9, b11, b12] = await users(6);
    const watchers: [string, number][] = [[b2!, 2], [b8!, 8], [b9!, 9], [b11!, 11], [b12!, 12]];
    const clients: NsClient[] = [];
    for (const [e, v] of watchers) {
      const c = await t.login(e, v, { status: null });
      await c.conn.request(v >= 10 ? 'ADC' : 'ADD', v >= 10 ? ['FL', `N=${a}`, `F=${a}`] : ['FL', a!, a!, ...(v >= 7 ? ['0'] : [])]);
      await c.setStatus('NLN');
      await quiet(c);
      clients.push(c);
    }
    const ca = await t.login(a!, 12, { status: null });
    const msnobj = '<msnobj Creator="x" Size="3" Type="3" Location="0" Friendly="AAA=" SHA1D="a" SHA1C="b"/>';
    await ca.conn.request('CHG', ['BSY', '1342177312', encodeURIComponent(msnobj)]);
    const name = `Name%20${a!.slice(1, a!.indexOf('@'))}`;
    const expected = [
      `NLN BSY ${a} ${name}`,
      `NLN BSY ${a} ${name} 1342177312`,
      `NLN BSY ${a} ${name} 1342177312 ${encodeURIComponent(msnobj)}`,
      `NLN BSY ${a} ${name} 1342177312 ${encodeURIComponent(msnobj)}`,
      `NLN BSY ${a} ${name} 1342177312 ${encodeURIComponent(msnobj)}`,
    ];
    for (let i = 0; i < clients.length; i++) assert.equal((await clients[i]!.conn.expect('NLN')).line, expected[i], `MSNP${watchers[i]![1]}`);
    const psm = '<Data><PSM>gone fishing &amp; back</PSM><CurrentMedia></CurrentMedia></Data>';
    assert.equal((await ca.conn.request('UUX', [], psm)).args[1], '0');
    for (const c of clients.slice(3)) {
      const ubx = await c.conn.expect('UBX');
      assert.equal(ubx.line, `UBX ${a} ${Buffer.byteLength(psm)}`);
      assert.equal(ubx.payload!.toString(), psm);
    }
    for (const c of clients.slice(0, 3)) assert.deepEqual(await quiet(c), [], `nothing for MSNP${c.version}`);
    await assert.rejects(ca.conn.request('UUX', [], '<Data><PSM>broken'), code(201));
    // A new watcher signing in gets ILN then the personal message.
    const late = await t.login(b11!, 11, { status: null });
    const r = await late.setStatus('NLN');
    assert.equal((await late.conn.expect('ILN')).line, `ILN ${r.args[0]} BSY ${a} ${name} 1342177312 ${encodeURIComponent(msnobj)}`);
    assert.equal((await late.conn.expect('UBX')).payload!.toString(), psm);
    // And the mail summary MSNP11+ expect after the first presence burst.
    assert.match((await late.conn.expect('MSG')).payload!.toString(), /text\/x-msmsgsinitialmdatanotification/);
  });

  test('MSNP11+ extras: GCF Shields.xml, QNG with seconds, GSB', async () => {
    const [a] = await users(1);
    const c = await t.login(a!, 11);
    const g = await c.conn.request('GCF', ['Shields.xml']);
    assert.match(g.payload!.toString(), /^<\?xml version="1\.0" encoding="utf-8" \?><config>/);
    c.conn.sendLine(['PNG']);
    assert.equal((await c.conn.expect('QNG')).line, `QNG ${t.config.pingInterval}`);
    assert.equal((await c.conn.request('GSB')).args[1], 'null');
    const c8 = await t.login(a!, 8);
    c8.conn.sendLine(['PNG']);
    assert.equal((await c8.conn.expect('QNG')).line, 'QNG');
    await assert.rejects(c8.conn.request('FND', ['fname=a', 'lname=b']), code(502));
  });

  test('one account, every version: contacts added by MSNP2-7 appear to MSNP8-12 and back', async () => {
    const [a, b, c] = await users(3);
    const old = await t.login(a!, 5);
    await old.conn.request('ADD', ['FL', b!, b!]);
    const modern = await t.login(a!, 12);
    const add = await modern.conn.request('ADC', ['FL', `N=${c}`, `F=${c}`]);
    assert.equal(add.args[1], 'FL');
    const s12 = await (await t.login(a!, 12, { sync: false, status: null })).sync();
    assert.deepEqual(s12.lines.filter((l) => l.verb === 'LST').map((l) => l.args[0]).sort(), [`N=${b}`, `N=${c}`].sort());
    const s2 = await (await t.login(a!, 2, { sync: false, status: null })).sync(0);
    assert.deepEqual(s2.lines.filter((l) => l.verb === 'LST' && l.args[1] === 'FL').map((l) => l.args[5]).sort(), [b, c].sort());
    const s9 = await (await t.login(a!, 9, { sync: false, status: null })).sync(0);
    assert.deepEqual(s9.lines.filter((l) => l.verb === 'LST').map((l) => `${l.args[0]} ${l.args[2]} ${l.args[3]}`).sort(), [`${b} 1 0`, `${c} 1 0`].sort());
  });
});
