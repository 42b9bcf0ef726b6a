// Small notification-server test helpers shared by the MSNP8-12 review tests.
import { ClientError } from '../../src/client/connection.js';
import type { NsClient } from '../../src/client/ns-client.js';
import type { TestServer } from './server.js';

/** For assert.rejects: a ClientError with this MSNP error code. */
export const code = (n: number) => (e: unknown) => e instanceof ClientError && e.code === n;

/** Everything that arrived for `c` up to a PNG round trip (and takes it from the inbox). */
export async function quiet(c: NsClient): Promise<string[]> {
  c.conn.sendLine(['PNG']);
  await c.conn.expect('QNG');
  return c.conn.take().map((r) => r.line);
}

/** A factory of fresh accounts `<prefix>N@example.com` named `Name N`. */
export function accountMaker(t: () => TestServer, prefix: string): (count: number) => Promise<string[]> {
  let n = 0;
  return async (count) => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const e = `${prefix}${++n}@example.com`;
      await t().user(e, 'secret', `Name ${n}`);
      out.push(e);
    }
    return out;
  };
}

/** `c` puts `email` on its forward list the way its version does (ADD before MSNP10, ADC from 10). */
export function addToFl(c: NsClient, email: string) {
  return c.version >= 10 ? c.conn.request('ADC', ['FL', `N=${email}`, `F=${email}`]) : c.conn.request('ADD', ['FL', email, email, ...(c.version >= 7 ? ['0'] : [])]);
}

/**
 * c@example.com signed in on MSNP7 with the client library's automatic CHL
 * answer switched off, once its first challenge has arrived (it will not answer).
 */
export async function challengedSilently(t: TestServer) {
  await t.user('c@example.com');
  const silent = t.client(7);
  await silent.connect();
  silent.conn.intercept = undefined;
  await silent.login('c@example.com', 'secret');
  await silent.sync(0);
  await silent.setStatus('NLN');
  await silent.conn.expect('CHL');
  return silent;
}
