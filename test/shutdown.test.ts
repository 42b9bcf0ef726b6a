// Graceful shutdown: on SIGINT or SIGTERM the server stops accepting, tells
// signed-in clients it is going down (OUT SSD), closes switchboards, exits 0.
import { openPair } from './helpers/chat.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsnpConnection } from '../src/client/connection.js';
import { NsClient } from '../src/client/ns-client.js';
import { HOST, runCli, spawnServer, tempDir, testEnv } from './helpers/server.js';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal}: OUT SSD, switchboards closed, listeners gone, exit 0`, async () => {
    const dir = tempDir();
    for (const u of ['s1@example.com', 's2@example.com']) assert.equal((await runCli(['user', 'add', u, 'secret'], testEnv(dir))).code, 0);
    const srv = await spawnServer(dir);
    const a = new NsClient({ host: HOST, port: srv.ns, versions: [7] });
    const b = new NsClient({ host: HOST, port: srv.ns, versions: [2] });
    await a.login('s1@example.com', 'secret');
    await b.login('s2@example.com', 'secret');
    const { sa, sb } = await openPair(a, b);
    const pending = await MsnpConnection.connect(HOST, srv.ns);
    const outA = a.conn.expect('OUT', 10000);
    const outB = b.conn.expect('OUT', 10000);
    assert.equal(await srv.stop(signal), 0);
    assert.equal((await outA).line, 'OUT SSD');
    assert.equal((await outB).line, 'OUT SSD');
    await Promise.all([a.conn.closedByPeer(), b.conn.closedByPeer(), sa.conn.closedByPeer(), sb.conn.closedByPeer(), pending.closedByPeer()]);
    await assert.rejects(MsnpConnection.connect(HOST, srv.ns), /ECONNREFUSED/);
    assert.match(srv.output(), /shutting down/);
  });
}
