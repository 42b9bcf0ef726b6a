// kill -9 in the middle of a pipelined burst of list changes: after a restart
// every change the server acknowledged is there, and the lists are consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NsClient } from '../src/client/ns-client.js';
import { HOST, runCli, spawnServer, tempDir, testEnv } from './helpers/server.js';

test('kill -9 during a burst: every acknowledged ADD survives, nothing half-written', async () => {
  const dir = tempDir();
  const n = 1500;
  const file = path.join(dir, 'users.txt');
  fs.writeFileSync(file, ['owner@example.com:secret', ...Array.from({ length: n }, (_, i) => `c${i}@example.com:secret`)].join('\n'));
  assert.equal((await runCli(['user', 'import', file], testEnv(dir))).code, 0);

  let srv = await spawnServer(dir, { MSNPD_NS_COMMAND_BURST: '100000' });
  const owner = new NsClient({ host: HOST, port: srv.ns, versions: [7] });
  await owner.login('owner@example.com', 'secret');
  await owner.sync(0);
  let burst = '';
  for (let i = 0; i < n; i++) burst += `ADD ${100 + i} FL c${i}@example.com c${i} 0\r\n`;
  const acked: { email: string; version: number }[] = [];
  const killed = new Promise<void>((resolve) => {
    owner.conn.on('line', (r) => {
      if (r.verb !== 'ADD') return;
      acked.push({ email: r.args[3]!, version: Number(r.args[2]) });
      if (acked.length === 50) {
        srv.proc.kill('SIGKILL');
        resolve();
      }
    });
  });
  owner.conn.keepInbox = false;
  owner.conn.raw(burst);
  await killed;
  await owner.conn.closedByPeer(10000);
  assert.ok(acked.length >= 50 && acked.length < n, `killed mid-burst (${acked.length} of ${n} acknowledged)`);

  srv = await spawnServer(dir);
  const again = new NsClient({ host: HOST, port: srv.ns, versions: [7] });
  await again.login('owner@example.com', 'secret');
  const s = await again.sync(0);
  const fl = new Set(s.lines.filter((l) => l.verb === 'LST' && l.args[1] === 'FL').map((l) => l.args[5]));
  for (const a of acked) assert.ok(fl.has(a.email), `${a.email} was acknowledged (version ${a.version}) but is gone`);
  assert.ok(s.version >= acked[acked.length - 1]!.version, 'the list version did not go back');
  assert.equal(s.version, fl.size, 'one version per stored change: nothing half-applied');
  // Each stored forward entry has its reverse entry.
  for (const email of [...fl].slice(0, 5).concat([...fl].slice(-5))) {
    const c = new NsClient({ host: HOST, port: srv.ns, versions: [2] });
    await c.login(email!, 'secret');
    const cs = await c.sync(0);
    assert.ok(cs.lines.some((l) => l.verb === 'LST' && l.args[1] === 'RL' && l.args[5] === 'owner@example.com'), `${email} lacks its RL entry`);
    c.close();
  }
  again.close();
  assert.equal(await srv.stop(), 0);
});
