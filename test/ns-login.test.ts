// Version negotiation and MD5 sign-in for MSNP2-7, dispatch redirect, and the
// errors around them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MsnpConnection, ClientError } from '../src/client/connection.js';
import { NsClient } from '../src/client/ns-client.js';
import { HOST, startTestServer, type TestServer } from './helpers/server.js';
import { md5Verifier } from '../src/core/passwords.js';

describe('sign-in', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.user('alice@example.com', 'secret', 'Alice A');
  });
  after(() => t.stop());

  for (const v of [2, 3, 4, 5, 6, 7]) {
    test(`MSNP${v}: VER, INF, USR MD5 I/S, profile`, async () => {
      const c = t.client(v);
      assert.equal(await c.connect(), v);
      const ok = await c.login('Alice@Example.com', 'secret');
      assert.equal(ok.line, v >= 6 ? `USR ${ok.args[0]} OK alice@example.com Alice%20A 1` : `USR ${ok.args[0]} OK alice@example.com Alice%20A`);
      const profile = await c.conn.expect('MSG');
      assert.deepEqual(profile.args.slice(0, 2), ['Hotmail', 'Hotmail']);
      const text = profile.payload!.toString();
      assert.match(text, /^MIME-Version: 1\.0\r\nContent-Type: text\/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: \d+\r\n/);
      assert.ok(text.endsWith('\r\n\r\n'));
      assert.equal(text.includes('MSPAuth'), v >= 3, 'Passport fields from MSNP3');
      c.close();
    });
  }

  test('the highest common version is chosen; CVR0 is ignored', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    assert.equal((await conn.request('VER', ['MSNP7', 'MSNP6', 'MSNP5', 'MSNP4', 'CVR0'])).line, 'VER 1 MSNP7');
    conn.destroy();
    const c2 = await MsnpConnection.connect(HOST, t.ns);
    assert.equal((await c2.request('VER', ['MSNP21', 'MSNP5', 'MSNP3'])).line, 'VER 1 MSNP5');
    c2.destroy();
  });

  test('no common version: VER t 0 and close', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    assert.equal((await conn.request('VER', ['MSNP99', 'CVR0'])).line, 'VER 1 0');
    await conn.closedByPeer();
  });

  test('a wrong password gets 911 and a close', async () => {
    const c = t.client(7);
    await c.connect();
    await assert.rejects(c.login('alice@example.com', 'wrong'), (e: unknown) => e instanceof ClientError && e.code === 911);
    await c.conn.closedByPeer();
  });

  test('an unknown account gets a salt like any other, then 911', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP7']);
    const r = await conn.request('USR', ['MD5', 'I', 'nobody@example.com']);
    assert.match(r.args[3]!, /^\d{10}\.\d{9}$/);
    const again = await MsnpConnection.connect(HOST, t.ns);
    await again.request('VER', ['MSNP7']);
    assert.equal((await again.request('USR', ['MD5', 'I', 'nobody@example.com'])).args[3], r.args[3], 'stable, so it cannot be told apart');
    again.destroy();
    await assert.rejects(conn.request('USR', ['MD5', 'S', md5Verifier(r.args[3]!, 'x')]), (e: unknown) => e instanceof ClientError && e.code === 911);
    await conn.closedByPeer();
  });

  test('anything before VER closes the connection', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    conn.send('USR', ['MD5', 'I', 'alice@example.com']);
    await conn.closedByPeer();
  });

  test('commands that need a sign-in get 302 and the session goes on', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP7']);
    for (const [verb, args] of [['SYN', ['0']], ['CHG', ['NLN']], ['ADD', ['FL', 'a@b.c', 'a']], ['XFR', ['SB']]] as [string, string[]][]) {
      await assert.rejects(conn.request(verb, args), (e: unknown) => e instanceof ClientError && e.code === 302, verb);
    }
    assert.equal((await conn.request('INF')).args[1], 'MD5');
    conn.destroy();
  });

  test('USR after sign-in: 207; VER after sign-in: 715', async () => {
    const c = await t.login('alice@example.com', 7);
    await assert.rejects(c.conn.request('USR', ['MD5', 'I', 'alice@example.com']), (e: unknown) => e instanceof ClientError && e.code === 207);
    await assert.rejects(c.conn.request('VER', ['MSNP7']), (e: unknown) => e instanceof ClientError && e.code === 715);
    c.close();
  });

  test('an unknown authentication package closes', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP7']);
    conn.send('USR', ['TWN', 'I', 'alice@example.com']);
    await conn.closedByPeer();
  });

  test('CVR: the client version is recommended, the minimum is below every client', async () => {
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP7']);
    const r = await conn.request('CVR', ['0x0409', 'win', '4.10', 'i386', 'MSMSGS', '4.7.0041', 'MSMSGS']);
    assert.deepEqual(r.args.slice(1, 4), ['4.7.0041', '4.7.0041', '1.0.0000']);
    assert.equal(r.args.length, 6);
    await assert.rejects(conn.request('CVR', ['0x0409']), (e: unknown) => e instanceof ClientError && e.code === 201);
    conn.destroy();
  });

  test('signing in elsewhere sends OUT OTH to the old connection', async () => {
    const first = await t.login('alice@example.com', 5);
    const second = await t.login('alice@example.com', 7);
    assert.equal((await first.conn.expect('OUT')).line, 'OUT OTH');
    await first.conn.closedByPeer();
    second.conn.sendLine(['PNG']);
    assert.equal((await second.conn.expect('QNG')).line, 'QNG');
    second.close();
  });

  test('OUT from the client: OUT back and a close', async () => {
    const c = await t.login('alice@example.com', 2);
    c.conn.sendLine(['OUT']);
    assert.equal((await c.conn.expect('OUT')).line, 'OUT');
    await c.conn.closedByPeer();
  });
});

describe('dispatch redirect mode', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_DISPATCH: 'redirect' });
    await t.user('alice@example.com');
  });
  after(() => t.stop());

  test('XFR NS has the trailing 0, and from MSNP7 the current server', async () => {
    const notify = t.server.ports.notify!;
    for (const [v, expected] of [
      [2, `NS ${HOST}:${notify} 0`],
      [5, `NS ${HOST}:${notify} 0`],
      [7, `NS ${HOST}:${notify} 0 ${HOST}:${t.ns}`],
    ] as [number, string][]) {
      const conn = await MsnpConnection.connect(HOST, t.ns);
      await conn.request('VER', [`MSNP${v}`]);
      const r = await conn.request('USR', ['MD5', 'I', 'alice@example.com']);
      assert.equal(r.line, `XFR ${r.args[0]} ${expected}`);
      await conn.closedByPeer();
    }
  });

  test('the client library follows the redirect and signs in', async () => {
    const c = new NsClient({ host: HOST, port: t.ns, versions: [7] });
    await c.login('alice@example.com', 'secret');
    assert.equal(c.address, `${HOST}:${t.server.ports.notify}`);
    c.close();
  });

  test('the notification port never redirects again', async () => {
    const conn = await MsnpConnection.connect(HOST, t.server.ports.notify!);
    await conn.request('VER', ['MSNP7']);
    assert.equal((await conn.request('USR', ['MD5', 'I', 'alice@example.com'])).args[1], 'MD5');
    conn.destroy();
  });
});

describe('MSNPD_PUBLIC_HOST', () => {
  test('is the address in XFR and RNG', async () => {
    const t = await startTestServer({ MSNPD_DISPATCH: 'redirect', MSNPD_PUBLIC_HOST: 'msn.example.org' });
    await t.user('alice@example.com');
    const conn = await MsnpConnection.connect(HOST, t.ns);
    await conn.request('VER', ['MSNP3']);
    const r = await conn.request('USR', ['MD5', 'I', 'alice@example.com']);
    assert.equal(r.args[2], `msn.example.org:${t.server.ports.notify}`);
    conn.destroy();
    await t.stop();
  });
});
