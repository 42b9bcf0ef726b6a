// Client XML relayed to watchers (issue 5 review): UUX must be one <Data>
// document without a DTD, CHG's MSNObject one <msnobj/>; refused documents
// reach nobody. A cleared personal message reaches MSNP11+ watchers as an
// empty <Data>; personal messages go to nobody the user blocks, not while
// hidden, and never to MSNP10.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NsClient } from '../src/client/ns-client.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { accountMaker, addToFl, code, quiet } from './helpers/ns.js';

const CLEARED = '<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>';
const BOMB = '<?xml version="1.0"?><!DOCTYPE Data [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Data><PSM>&c;</PSM></Data>';

describe('MSNP8-12: client XML relayed to watchers', () => {
  let t: TestServer;
  const users = accountMaker(() => t, 'x');
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  /** `a` signed in with `va` and online; one online watcher per version in `vs`, each with `a` on its forward list, quiet. */
  async function watched(va: number, vs: number[]): Promise<{ a: string; ca: NsClient; watchers: NsClient[] }> {
    const [a, ...ws] = await users(1 + vs.length);
    const watchers: NsClient[] = [];
    for (let i = 0; i < vs.length; i++) {
      const c = await t.login(ws[i]!, vs[i]!, { status: null });
      await addToFl(c, a!);
      await c.setStatus('NLN');
      await quiet(c);
      watchers.push(c);
    }
    const ca = await t.login(a!, va);
    for (const w of watchers) await w.conn.expect('NLN');
    await quiet(ca);
    return { a: a!, ca, watchers };
  }

  for (const v of [11, 12]) {
    test(`MSNP${v} UUX: DTD, several roots, another root, over 4096 bytes: 201, relayed to nobody; a <Data> still goes out`, async () => {
      const { a, ca, watchers } = await watched(v, [11, 12]);
      const refused: [string, string][] = [
        ['entity bomb', BOMB],
        ['DOCTYPE without entities', '<!DOCTYPE Data><Data><PSM>x</PSM></Data>'],
        ['ENTITY in the body', '<Data><PSM>x</PSM><!ENTITY e "y"></Data>'],
        ['two roots', '<Data><PSM>a</PSM></Data><Data><PSM>b</PSM></Data>'],
        ['two different roots', '<Data><PSM>a</PSM></Data><Other/>'],
        ['another root', '<Other><PSM>x</PSM></Other>'],
        ['lower-case root', '<data><PSM>x</PSM></data>'],
        ['a processing instruction', '<?xml-stylesheet href="x"?><Data><PSM>x</PSM></Data>'],
        ['not well-formed', '<Data><PSM>x</Data>'],
        ['over 4096 bytes', `<Data><PSM>${'x'.repeat(4097 - 24)}</PSM></Data>`],
      ];
      assert.equal(Buffer.byteLength(refused.at(-1)![1]), 4097);
      for (const [what, doc] of refused) await assert.rejects(ca.conn.request('UUX', [], doc), code(201), what);
      for (const w of watchers) assert.deepEqual(await quiet(w), [], `MSNP${w.version} got nothing`);
      // The session goes on; a right document (with a declaration, at exactly 4096 bytes) is relayed as written.
      const head = '<?xml version="1.0" encoding="utf-8"?><Data><PSM>';
      const tail = '</PSM><CurrentMedia></CurrentMedia></Data>';
      const ok = head + 'y'.repeat(4096 - head.length - tail.length) + tail;
      assert.equal((await ca.conn.request('UUX', [], ok)).args[1], '0');
      for (const w of watchers) {
        const ubx = await w.conn.expect('UBX');
        assert.equal(ubx.line, `UBX ${a} 4096`);
        assert.equal(ubx.payload!.toString(), ok);
      }
    });
  }

  test('CHG: an MSNObject that is not one <msnobj/> is 201 on MSNP9-12 and reaches nobody; MSNP8 carries none', async () => {
    const good = '<msnobj Creator="x@example.com" Size="3" Type="3" Location="0" Friendly="AAA=" SHA1D="a" SHA1C="b"/>';
    const bad: [string, string][] = [
      ['DOCTYPE', `<!DOCTYPE msnobj [<!ENTITY e "x">]>${good}`],
      ['two elements', good + good],
      ['an element after it', `${good}<x/>`],
      ['another root', '<msnobject Creator="x"/>'],
      ['not XML', 'msnobj'],
    ];
    for (const v of [9, 10, 11, 12]) {
      const { ca, watchers } = await watched(v, [9, 12]);
      for (const [what, obj] of bad) await assert.rejects(ca.conn.request('CHG', ['BSY', '268435456', encodeURIComponent(obj)]), code(201), `MSNP${v}: ${what}`);
      for (const w of watchers) assert.deepEqual(await quiet(w), [], `MSNP${v} -> MSNP${w.version} watcher`);
      assert.equal((await ca.conn.request('CHG', ['BSY', '268435456', encodeURIComponent(good)])).args[1], 'BSY');
      for (const w of watchers) assert.equal((await w.conn.expect('NLN')).line.split(' ').at(-1), encodeURIComponent(good), `MSNP${v} -> MSNP${w.version}`);
    }
    // MSNP8 has no display pictures: the argument is not read, nor relayed.
    const { a, ca, watchers } = await watched(8, [9]);
    assert.equal((await ca.conn.request('CHG', ['BSY', '268435456', encodeURIComponent(bad[0]![1])])).args[1], 'BSY');
    assert.equal((await watchers[0]!.conn.expect('NLN')).line, `NLN BSY ${a} Name%20${a.slice(1, a.indexOf('@'))} 268435456`);
  });

  test('UUX t 0 clears the message: MSNP11/12 watchers get an empty <Data>, MSNP10 nothing', async () => {
    const { a, ca, watchers } = await watched(12, [10, 11, 12]);
    const psm = '<Data><PSM>hello</PSM><CurrentMedia></CurrentMedia></Data>';
    await ca.conn.request('UUX', [], psm);
    for (const w of watchers.slice(1)) assert.equal((await w.conn.expect('UBX')).payload!.toString(), psm);
    const r = await ca.conn.request('UUX', [], '');
    assert.equal(r.line, `UUX ${r.args[0]} 0`);
    for (const w of watchers.slice(1)) {
      const ubx = await w.conn.expect('UBX');
      assert.equal(ubx.line, `UBX ${a} ${CLEARED.length}`, `MSNP${w.version}`);
      assert.equal(ubx.payload!.toString(), CLEARED);
    }
    assert.deepEqual(await quiet(watchers[0]!), [], 'MSNP10 never gets UBX');
    // Clearing what is already clear says nothing again.
    await ca.conn.request('UUX', [], '');
    for (const w of watchers) assert.deepEqual(await quiet(w), [], `MSNP${w.version}`);
  });

  test('personal messages: not to a blocked watcher, not while hidden, never to MSNP10', async () => {
    const { a, ca, watchers } = await watched(11, [10, 11, 12]);
    const [w10, w11, w12] = watchers as [NsClient, NsClient, NsClient];
    const doc = (s: string) => `<Data><PSM>${s}</PSM><CurrentMedia></CurrentMedia></Data>`;
    // Blocking w11: it sees a go offline and hears no more of its messages.
    await ca.conn.request('ADC', ['BL', `N=${w11.email}`]);
    assert.equal((await w11.conn.expect('FLN')).line, `FLN ${a}`);
    await ca.conn.request('UUX', [], doc('one'));
    assert.equal((await w12.conn.expect('UBX')).payload!.toString(), doc('one'));
    assert.deepEqual(await quiet(w11), [], 'blocked');
    assert.deepEqual(await quiet(w10), [], 'MSNP10');
    // Hidden: nobody hears of a new message or of clearing it.
    await ca.setStatus('HDN');
    assert.equal((await w12.conn.expect('FLN')).line, `FLN ${a}`);
    await quiet(w10);
    await ca.conn.request('UUX', [], doc('two'));
    await ca.conn.request('UUX', [], '');
    await ca.conn.request('UUX', [], doc('three'));
    for (const w of watchers) assert.deepEqual(await quiet(w), [], `MSNP${w.version} while hidden`);
  });
});
