// Fuzzing a real server process: random and mutated command lines, payload
// length lies, truncated payloads, invalid UTF-8, huge numbers and megabyte
// lines at the notification server and the switchboard, before and after
// sign-in, while a canary pair keeps chatting. The process must stay up, the
// canary must never notice, memory must stay bounded, and every answer a
// fuzzing connection gets must be a well-formed server line or error code.
// The seed is printed; FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> sizes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { MsnpConnection, type Received } from '../src/client/connection.js';
import { NsClient } from '../src/client/ns-client.js';
import { HOST, spawnServer, runCli, tempDir, testEnv, sleep, type ServerProcess } from './helpers/server.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

/** Lines a server may send (either server), and error codes. */
const SERVER_VERBS = new Set(
  'VER INF CVR USR XFR SYN GTC BLP PRP LSG LST BPR ADD REM REA CHG ILN NLN FLN ADG RMG REG QNG URL FND SND SDC IMS QRY CHL OUT MSG RNG ACK NAK IRO JOI BYE CAL ANS'.split(' '),
);
function wellFormed(r: Received): boolean {
  if (/^\d{3}$/.test(r.verb)) return r.args.length <= 1 && (r.args.length === 0 || /^\d+$/.test(r.args[0]!));
  return SERVER_VERBS.has(r.verb);
}

const VERBS = [...SERVER_VERBS, 'PNG', 'LSG', 'XYZ', 'msg', 'VE', 'USRR', ''];
const token = fc.oneof(
  fc.constantFrom('1', '0', '-1', '4294967296', '99999999999999999999', 'MSNP7', 'MSNP2', 'CVR0', 'MD5', 'I', 'S', 'FL', 'AL', 'BL', 'RL', 'NLN', 'HDN', 'SB', 'NS', 'A', 'N', 'U', 'D', 'fuzz@example.com', 'canary1@example.com', '%', '%zz', '@@', '\u00ff\u00fe'),
  fc.string({ maxLength: 20 }).map((s) => s.replace(/[\s]/g, '')),
  fc.nat().map(String),
);
const line = fc.tuple(fc.constantFrom(...VERBS), fc.array(token, { maxLength: 8 })).map(([v, a]) => Buffer.from([v, ...a].join(' ') + '\r\n'));
const payloadCommand = fc
  .tuple(fc.constantFrom('MSG', 'QRY', 'PAG', 'SDC', 'UUX'), fc.nat(40), fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: -50, max: 50 }), fc.boolean())
  .map(([verb, t, body, lie, truncate]) => {
    const claimed = Math.max(0, body.length + lie);
    const head = Buffer.from(`${verb} ${t} ${verb === 'MSG' ? 'A' : 'x'} ${claimed}\r\n`);
    const bytes = Buffer.from(body);
    return Buffer.concat([head, truncate ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes]);
  });
const garbage = fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((a) => Buffer.from(a));
const invalidUtf8 = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.concat([Buffer.from('REA 5 fuzz@example.com '), Buffer.from(a.map((b) => b | 0x80)), Buffer.from('\r\n')]));
const huge = fc.constantFrom(Buffer.alloc(1 << 20, 0x41), Buffer.concat([Buffer.from('MSG 1 A 999999999\r\n')]), Buffer.from('VER 1 ' + 'MSNP7 '.repeat(5000) + '\r\n'));
const chunk = fc.oneof({ weight: 6, arbitrary: line }, { weight: 3, arbitrary: payloadCommand }, { weight: 2, arbitrary: garbage }, { weight: 2, arbitrary: invalidUtf8 }, { weight: 1, arbitrary: huge });
const target = fc.constantFrom('ns-new', 'ns-online', 'sb-new', 'sb-chat');

describe(`fuzzing a running server (FUZZ_SEED=${SEED})`, () => {
  let server: ServerProcess;
  let dir: string;
  let canaryFailures: string[] = [];
  let canaryMessages = 0;
  let stopCanary = () => undefined as void;
  let fuzzer: NsClient;

  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))![1]) * 1024;

  before(async () => {
    dir = tempDir();
    const env = testEnv(dir);
    for (const u of ['canary1', 'canary2', 'fuzz', 'fuzz2']) {
      const r = await runCli(['user', 'add', `${u}@example.com`, 'secret'], env);
      assert.equal(r.code, 0, r.stderr);
    }
    server = await spawnServer(dir, { MSNPD_MAX_CONNECTIONS_PER_IP: '0', MSNPD_LOGIN_FAILURES_PER_IP: '1000000', MSNPD_LOG_LEVEL: 'error' });
    // The canary pair: MSNP7 and MSNP2, friends, in one conversation, talking all the time.
    const c1 = new NsClient({ host: HOST, port: server.ns, versions: [7] });
    const c2 = new NsClient({ host: HOST, port: server.ns, versions: [2] });
    await c1.login('canary1@example.com', 'secret');
    await c2.login('canary2@example.com', 'secret');
    for (const [c, other] of [[c1, 'canary2@example.com'], [c2, 'canary1@example.com']] as [NsClient, string][]) {
      await c.sync(0);
      await c.conn.request('ADD', ['FL', other, 'x', ...(c.version >= 7 ? ['0'] : [])]);
      await c.conn.request('ADD', ['AL', other, 'x']);
      await c.setStatus('NLN');
    }
    const s1 = await c1.openChat();
    await s1.call('canary2@example.com');
    const { sb: s2 } = await c2.acceptInvitation();
    await s1.conn.expect('JOI');
    for (const c of [c1, c2, s1, s2]) c.conn.on('close', () => canaryFailures.push('a canary connection closed'));
    let running = true;
    const loop = async () => {
      let n = 0;
      while (running) {
        const body = Buffer.from(`canary message ${n++} \u00e9\u4e2d`);
        const [from, to] = n % 2 ? [s1, s2] : [s2, s1];
        try {
          const ok = from.sendAcked(body);
          const got = await to.receive(5000);
          if (!(await ok)) canaryFailures.push(`message ${n} not acknowledged`);
          if (!got.payload!.equals(body)) canaryFailures.push(`message ${n} changed in transit`);
          canaryMessages++;
          // Its notification connection stays usable too (at a client's pace: the rate limit applies).
          if (n % 10 === 0) {
            c1.conn.sendLine(['PNG']);
            await c1.conn.expect('QNG', 5000);
          }
        } catch (e) {
          canaryFailures.push(String(e));
        }
        await sleep(20);
      }
    };
    const done = loop();
    stopCanary = () => {
      running = false;
      void done;
    };
    fuzzer = new NsClient({ host: HOST, port: server.ns, versions: [7] });
    await fuzzer.login('fuzz@example.com', 'secret');
    await fuzzer.sync(0);
    await fuzzer.setStatus('NLN');
  });

  after(async () => {
    stopCanary();
    await sleep(100);
    await server.stop();
  });

  test(`${RUNS} random and mutated inputs`, async () => {
    const before = rss();
    let answers = 0;
    await fc.assert(
      fc.asyncProperty(target, fc.array(chunk, { minLength: 1, maxLength: 6 }), (where, chunks) => fuzzOnce(where, chunks).catch((e: unknown) => {
        process.stderr.write(`fuzz case failed: ${e instanceof Error ? e.message : String(e)}\n`);
        throw e;
      })),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, verbose: 1 },
    );
    await sleep(300);
    assert.equal(server.proc.exitCode, null, 'the server process is still running');
    assert.deepEqual(canaryFailures, [], 'the canary pair never noticed');
    assert.ok(canaryMessages > 20, `the canary kept talking (${canaryMessages} messages)`);
    const grown = rss() - before;
    assert.ok(grown < 150 * 1024 * 1024, `memory stayed bounded (grew ${Math.round(grown / 1048576)} MB)`);
    assert.ok(answers > 0);

    async function fuzzOnce(where: string, chunks: Buffer[]): Promise<void> {
        let conn: MsnpConnection;
        if (where === 'ns-online') {
          // Another account than `fuzzer`'s, whose sign-in would be replaced.
          const c = new NsClient({ host: HOST, port: server.ns, versions: [7] });
          await c.login('fuzz2@example.com', 'secret');
          conn = c.conn;
        } else if (where === 'sb-chat') {
          conn = (await fuzzer.openChat()).conn;
        } else {
          conn = await MsnpConnection.connect(HOST, where.startsWith('ns') ? server.ns : server.sb);
          if (where === 'ns-new') conn.sendLine(['VER', '1', 'MSNP7']);
        }
        conn.take();
        for (const c of chunks) conn.raw(c);
        conn.sendLine(['PNG']);
        await sleep(30);
        const got = conn.take();
        conn.destroy();
        answers += got.length;
        for (const r of got) assert.ok(wellFormed(r), `not a server line: ${JSON.stringify(r.line).slice(0, 200)}`);
        assert.equal(server.proc.exitCode, null, 'the server process is still running');
    }
  });
});
