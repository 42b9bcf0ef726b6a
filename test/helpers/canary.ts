// A canary for fuzzing a server process: two Passport-era users (MSN 7.5 on
// MSNP12, signed in through RST.srf, and MSN 7.0 on MSNP11 through
// login2.srf) in one conversation, talking all the time while the fuzzer
// works. Every message must arrive unchanged and acknowledged, and the
// notification connection must keep answering PNG.
import fs from 'node:fs';
import { NsClient } from '../../src/client/ns-client.js';
import type { SbClient } from '../../src/client/sb-client.js';
import { HOST, runCli, sharedTls, sleep, testEnv, type ServerProcess } from './server.js';

export interface Canary {
  failures: string[];
  /** Messages that went through so far. */
  readonly messages: number;
  stop(): Promise<void>;
}

/** A Passport client of this server process (login2.srf below MSNP12, RST.srf from it). */
export function passportClient(server: ServerProcess, version: number): NsClient {
  return new NsClient({
    host: HOST,
    port: server.ns,
    versions: [version],
    passport: { host: HOST, port: server.https!, ca: fs.readFileSync(sharedTls().ca), method: version >= 12 ? 'rst' : 'login2' },
  });
}

/** Creates the accounts (before the server starts) with the CLI. */
export async function addAccounts(dir: string, emails: string[]): Promise<void> {
  for (const e of emails) {
    const r = await runCli(['user', 'add', e, 'secret'], testEnv(dir));
    if (r.code !== 0) throw new Error(r.stderr);
  }
}

export const CANARY_ACCOUNTS = ['canary1@example.com', 'canary2@example.com'];

/** Signs the canary pair in (accounts from CANARY_ACCOUNTS), opens their conversation and starts talking. */
export async function startCanary(server: ServerProcess): Promise<Canary> {
  const [e1, e2] = CANARY_ACCOUNTS as [string, string];
  const c1 = passportClient(server, 12);
  const c2 = passportClient(server, 11);
  await c1.login(e1, 'secret');
  await c2.login(e2, 'secret');
  for (const [c, other] of [[c1, e2], [c2, e1]] as [NsClient, string][]) {
    await c.sync();
    await c.conn.request('ADC', ['FL', `N=${other}`, `F=${other}`]);
    await c.setStatus('NLN');
  }
  const s1 = await c1.openChat();
  await s1.call(e2);
  const { sb: s2 } = await c2.acceptInvitation();
  await s1.conn.expect('JOI');
  const failures: string[] = [];
  let running = true;
  let messages = 0;
  for (const c of [c1, c2, s1, s2]) c.conn.on('close', () => running && failures.push('a canary connection closed'));
  const talk = async (from: SbClient, to: SbClient, n: number) => {
    const body = Buffer.from(`canary message ${n} \u00e9\u4e2d`);
    const ok = from.sendAcked(body);
    const got = await to.receive(10000);
    if (!(await ok)) failures.push(`message ${n} not acknowledged`);
    if (!got.payload!.equals(body)) failures.push(`message ${n} changed in transit`);
  };
  const loop = (async () => {
    for (let n = 0; running; n++) {
      try {
        await talk(n % 2 ? s1 : s2, n % 2 ? s2 : s1, n);
        messages++;
        // The notification connections stay usable too (at a client's pace: the rate limit applies).
        if (n % 10 === 0) {
          for (const c of [c1, c2]) {
            c.conn.sendLine(['PNG']);
            await c.conn.expect('QNG', 10000);
          }
        }
      } catch (e) {
        if (running) failures.push(String(e));
      }
      await sleep(20);
    }
  })();
  return {
    failures,
    get messages() {
      return messages;
    },
    async stop() {
      running = false;
      await loop;
      for (const c of [c1, c2, s1, s2]) c.conn.destroy();
    },
  };
}

/** A fresh sign-in of `email` through login2.srf (MSNP11) and RST.srf (MSNP12): both must work. */
export async function freshSignIns(server: ServerProcess, email: string): Promise<void> {
  for (const v of [11, 12]) {
    const c = passportClient(server, v);
    await c.login(email, 'secret');
    await c.sync();
    c.conn.sendLine(['PNG']);
    await c.conn.expect('QNG');
    c.close();
  }
}
