// GUIDs survive a restart: contacts and groups made by MSNP10+ clients keep
// their GUIDs, which the clients then use in REM, ADC and RMG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { NsClient } from '../src/client/ns-client.js';
import { HOST, runCli, sharedTls, spawnServer, tempDir, testEnv, type ServerProcess } from './helpers/server.js';

async function login(srv: ServerProcess, https: number, email: string, version: number): Promise<NsClient> {
  const c = new NsClient({ host: HOST, port: srv.ns, versions: [version], passport: { host: HOST, port: https, ca: fs.readFileSync(sharedTls().ca), method: 'rst' } });
  await c.login(email, 'secret');
  return c;
}

const httpsPort = (srv: ServerProcess) => Number(/https server listening on [^\s]+:(\d+)/.exec(srv.output())![1]);

test('contact and group GUIDs, names and memberships survive a restart', async () => {
  const dir = tempDir();
  for (const u of ['g1@example.com', 'g2@example.com']) assert.equal((await runCli(['user', 'add', u, 'secret'], testEnv(dir))).code, 0);
  let srv = await spawnServer(dir);
  let a = await login(srv, httpsPort(srv), 'g1@example.com', 11);
  await a.sync();
  const group = (await a.conn.request('ADG', ['Pals'])).args[2]!;
  const contact = (await a.conn.request('ADC', ['FL', 'N=g2@example.com', 'F=g2@example.com'])).args[4]!.slice(2);
  await a.conn.request('ADC', ['FL', `C=${contact}`, group]);
  await a.conn.request('PRP', ['MFN', 'Gee%20One']);
  const before = await (await login(srv, httpsPort(srv), 'g1@example.com', 12)).sync();
  assert.equal(await srv.stop(), 0);

  srv = await spawnServer(dir);
  a = await login(srv, httpsPort(srv), 'g1@example.com', 12);
  const after = await a.sync();
  assert.deepEqual(after.lines.map((l) => l.line), before.lines.map((l) => l.line));
  assert.equal(after.stamps, before.stamps, 'the cached timestamps stay valid');
  assert.ok(after.lines.some((l) => l.line === `LSG Pals ${group}`));
  assert.ok(after.lines.some((l) => l.line === `LST N=g2@example.com F=g2%40example.com C=${contact} 1 1 ${group}`));
  assert.ok(after.lines.some((l) => l.line === 'PRP MFN Gee%20One'));
  // The old GUIDs still work.
  assert.equal((await a.conn.request('REM', ['FL', contact, group])).args[2], contact);
  assert.equal((await a.conn.request('RMG', [group])).args[1], group);
  const short = await a.sync(before.stamps);
  assert.equal(short.lines.length > 0, true, 'changed since: a full download');
  a.close();
  assert.equal(await srv.stop(), 0);
});
