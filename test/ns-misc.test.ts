// The remaining notification-server commands, unknown and out-of-version
// verbs, and challenges (CHL/QRY) under each policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MsnpConnection } from '../src/client/connection.js';
import { md5Answer } from '../src/msnp/challenges.js';
import { HOST, sleep, startTestServer, type TestServer } from './helpers/server.js';
import { challengedSilently, code } from './helpers/ns.js';


describe('other commands', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_URL_BASE: 'http://msn.example.org/pages' });
    await t.user('m@example.com');
  });
  after(() => t.stop());

  test('PNG gets QNG without an interval', async () => {
    const c = await t.login('m@example.com', 7);
    c.conn.sendLine(['PNG']);
    assert.equal((await c.conn.expect('QNG')).line, 'QNG');
    c.close();
  });

  test('URL: a page under MSNPD_URL_BASE, the site id from MSNP3', async () => {
    const c2 = await t.login('m@example.com', 2);
    const r2 = await c2.conn.request('URL', ['INBOX']);
    assert.equal(r2.line, `URL ${r2.args[0]} http://msn.example.org/pages/inbox http://msn.example.org/pages/login`);
    const c7 = await t.login('m@example.com', 7);
    const r7 = await c7.conn.request('URL', ['PROFILE', '0x0409']);
    assert.equal(r7.line, `URL ${r7.args[0]} http://msn.example.org/pages/profile http://msn.example.org/pages/login 2`);
    await assert.rejects(c7.conn.request('URL', []), code(201));
    c7.close();
  });

  test('FND finds nobody; SND and SDC are acknowledged; PAG is refused with 220', async () => {
    const c = await t.login('m@example.com', 7);
    const f = await c.conn.request('FND', ['fname=Bob', 'lname=Smith', 'city=*', 'state=*', 'country=US']);
    assert.equal(f.line, `FND ${f.args[0]} 0 0`);
    const s = await c.conn.request('SND', ['friend@example.com', '0x0409', 'MSMSGS', 'MSMSGS']);
    assert.equal(s.line, `SND ${s.args[0]} OK`);
    await assert.rejects(c.conn.request('SND', ['not-an-address']), code(201));
    const d = await c.conn.request('SDC', ['friend@example.com', '0x0409', 'MSMSGS', 'WindowsMessenger', 'X', 'X', 'Me'], 'Join me!');
    assert.equal(d.line, `SDC ${d.args[0]} OK`);
    await assert.rejects(c.conn.request('PAG', ['friend@example.com'], '<TEXT xml:space="preserve">hi</TEXT>'), code(220));
    c.close();
  });

  test('an unknown verb gets 200 and the session goes on', async () => {
    const c = await t.login('m@example.com', 7);
    await assert.rejects(c.conn.request('ZZZ', ['1']), code(200));
    await assert.rejects(c.conn.request('HELLO'), code(200));
    c.conn.sendLine(['PNG']);
    assert.equal((await c.conn.expect('QNG')).verb, 'QNG');
    c.close();
  });

  test('a verb of another version closes the connection', async () => {
    for (const [v, verb, args] of [
      [2, 'LSG', []],
      [6, 'ADG', ['x', '0']],
      [2, 'IMS', ['ON']],
      [5, 'QRY', ['msmsgs@msnmsgr.com', '0']],
      [7, 'ADC', ['FL', 'N=a@b.c']],
      [7, 'ILN', ['NLN']],
    ] as [number, string, string[]][]) {
      const c = await t.login('m@example.com', v);
      c.conn.send(verb, args);
      await c.conn.closedByPeer();
    }
  });

  test('a client MSG on the notification server closes it', async () => {
    const c = await t.login('m@example.com', 7);
    c.conn.send('MSG', ['N'], 'hello');
    await c.conn.closedByPeer();
  });

  test('missing or non-numeric transaction ids get 201', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP7']);
    conn.sendLine(['INF', 'x']);
    assert.equal((await conn.waitFor(() => true)).line, '201');
    conn.destroy();
  });
});

describe('challenges', () => {
  test('enforce: CHL after the first CHG, a right answer gets QRY t, a wrong one 540 and a close', async () => {
    const t = await startTestServer({ MSNPD_CHALLENGES: 'enforce', MSNPD_CHALLENGE_DELAY: '0', MSNPD_CHALLENGE_INTERVAL: '1' });
    await t.user('c@example.com');
    const c = t.client(6);
    // Answer by hand (the library would do it automatically).
    await c.connect();
    c.conn.intercept = undefined;
    await c.login('c@example.com', 'secret');
    await c.sync(0);
    await c.setStatus('NLN');
    const chl = await c.conn.expect('CHL');
    assert.match(chl.line, /^CHL 0 \d{20}$/);
    const q = await c.conn.request('QRY', ['msmsgs@msnmsgr.com'], md5Answer(chl.args[1]!, 'Q1P7W2E4J9R8U3S5'));
    assert.equal(q.line, `QRY ${q.args[0]}`);
    const chl2 = await c.conn.expect('CHL', 4000);
    await assert.rejects(c.conn.request('QRY', ['msmsgs@msnmsgr.com'], md5Answer(chl2.args[1]!, 'wrong-key')), code(540));
    await c.conn.closedByPeer();
    // An unknown product id counts as wrong.
    const d = t.client(7);
    await d.connect();
    d.conn.intercept = undefined;
    await d.login('c@example.com', 'secret');
    await d.sync(0);
    await d.setStatus('NLN');
    const chl3 = await d.conn.expect('CHL');
    await assert.rejects(d.conn.request('QRY', ['PROD9999XXXXXXXX'], md5Answer(chl3.args[1]!, 'Q1P7W2E4J9R8U3S5')), code(540));
    await d.conn.closedByPeer();
    await t.stop();
  });

  test('enforce: no answer in time gets 540 and a close; the library answers and stays', async () => {
    const t = await startTestServer({ MSNPD_CHALLENGES: 'enforce', MSNPD_CHALLENGE_DELAY: '0', MSNPD_CHALLENGE_TIMEOUT: '1', MSNPD_CHALLENGE_INTERVAL: '1' });
    const silent = await challengedSilently(t);
    assert.equal((await silent.conn.expect('540', 4000)).line, '540 0');
    await silent.conn.closedByPeer();
    const good = await t.login('c@example.com', 7);
    await sleep(2500);
    good.conn.sendLine(['PNG']);
    assert.equal((await good.conn.expect('QNG')).verb, 'QNG', 'answered every challenge and is still connected');
    await t.stop();
  });

  test('log: a wrong answer is accepted (and logged); MSNP2-5 are never challenged', async () => {
    const t = await startTestServer({ MSNPD_CHALLENGES: 'log', MSNPD_CHALLENGE_DELAY: '0' });
    await t.user('c@example.com');
    const c = t.client(7);
    await c.connect();
    c.conn.intercept = undefined;
    await c.login('c@example.com', 'secret');
    await c.sync(0);
    await c.setStatus('NLN');
    await c.conn.expect('CHL');
    const q = await c.conn.request('QRY', ['msmsgs@msnmsgr.com'], '0'.repeat(32));
    assert.equal(q.verb, 'QRY');
    const old = await t.login('c@example.com', 5);
    await sleep(600);
    old.conn.sendLine(['PNG']);
    await old.conn.expect('QNG');
    assert.ok(!old.conn.take().some((r) => r.verb === 'CHL'));
    await t.stop();
  });
});
