// kill -9 while offline messages are being stored through the OIM SOAP
// service of a real `msnpd serve` process: after a restart every Store that
// was answered with success is there, once, whole (accepted = committed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, spawnServer, tempDir, testEnv } from './helpers/server.js';
import { getMessage, mdEntries, messageResult, oimStore, rsi, rst2Tokens, storeWithChallenge } from './helpers/oim.js';

const ENV = { MSNPD_EXPERIMENTAL_MSNP13: 'on', MSNPD_SOAP_REQUEST_RATE: '0', MSNPD_OIM_MAX_PER_SENDER: '100000', MSNPD_OIM_MAX_PER_RECIPIENT: '100000' };

test('kill -9 during a stream of OIM Stores: every acknowledged message survives, once and whole', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'users.txt');
  fs.writeFileSync(file, 'ka@example.com:secret\nkb@example.com:secret\n');
  assert.equal((await runCli(['user', 'import', file], testEnv(dir))).code, 0);

  let srv = await spawnServer(dir, ENV);
  const https = srv.https!;
  const ticket = (await rst2Tokens(https, 'ka@example.com', 'secret'))['messengersecure.live.com']!;
  const base = { from: 'ka@example.com', to: 'kb@example.com', ticket };
  const first = await storeWithChallenge(https, { ...base, seq: 0, text: 'm0' });
  assert.equal(first.res.status, 200);
  const acked: number[] = [0];
  let next = 1;
  let killed = false;
  // Eight clients storing at once; the server is killed when 60 have been acknowledged.
  const worker = async () => {
    while (!killed) {
      const seq = next++;
      try {
        const r = await oimStore(https, { ...base, seq, text: `m${seq}`, lockkey: first.lockkey });
        if (r.status === 200) acked.push(seq);
        else assert.fail(`store ${seq}: ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
      } catch (e) {
        if (!killed) throw e;
        return;
      }
      if (acked.length >= 60 && !killed) {
        killed = true;
        srv.proc.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  assert.equal(await srv.stop(), null, 'killed, not exited');

  srv = await spawnServer(dir, ENV);
  try {
    const b = (await rst2Tokens(srv.https!, 'kb@example.com', 'secret'))['messenger.msn.com']!;
    const entries = mdEntries((await rsi(srv.https!, 'GetMetadata', b)).body.toString('utf8'));
    const seen = new Map<number, number>();
    for (const e of entries) {
      const text = messageResult(await rsi(srv.https!, 'GetMessage', b, getMessage(e.id)))!;
      const seq = Number(/^X-OIM-Sequence-Num: (\d+)$/m.exec(text)![1]);
      assert.equal(Buffer.from(text.split('\n\n')[1]!, 'base64').toString('utf8'), `m${seq}`, 'whole');
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
    }
    for (const seq of acked) assert.equal(seen.get(seq), 1, `message ${seq} was acknowledged: stored once`);
    assert.ok(entries.length >= acked.length && entries.length < next, `${entries.length} stored, ${acked.length} acknowledged, ${next} sent`);
  } finally {
    assert.equal(await srv.stop(), 0);
  }
});
