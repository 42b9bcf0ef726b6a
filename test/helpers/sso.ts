// SSO for MSNP15 tests: a messengerclear.live.com token and its proof key from
// this server's RST2.srf, asked with MSNPSharp 3.2.1's captured request
// (test/fixtures/sso), for any account.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpsRequest } from './https.js';
import type { TestServer } from './server.js';

export interface CapturedRst {
  client: string;
  user: string;
  password: string;
  path: string;
  'content-type': string;
  body: string;
}

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/sso/rst-requests.jsonl');

export const CAPTURED_RST: CapturedRst[] = fs
  .readFileSync(FIXTURES, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as CapturedRst);

/** MSNPSharp 3.2.1's RST2.srf requests, one per account (user3101, user3102). */
export const MSNPSHARP_RST2 = CAPTURED_RST.filter((c) => c.client === 'msnpsharp-3.2.1' && c.path === '/RST2.srf').filter(
  (c, i, all) => all.findIndex((x) => x.user === c.user) === i,
);

/** Every token of the RST/RST2 answer to a captured request: its address, `t=…&p=…` text and proof key (if any). */
export function rstTokens(t: TestServer, c: CapturedRst): Promise<{ address: string; ticket: string; secret?: Buffer }[]> {
  return rstTokensAt(t.server.ports.https!, c);
}

/** The same, from the server whose HTTPS port is `https` (a spawned one, too). */
export async function rstTokensAt(https: number, c: CapturedRst): Promise<{ address: string; ticket: string; secret?: Buffer }[]> {
  const r = await httpsRequest(https, {
    host: 'login.live.com', method: 'POST', path: c.path, headers: { 'Content-Type': c['content-type'] }, body: c.body,
  });
  const body = r.body.toString('utf8');
  const out = [];
  for (const m of body.matchAll(/<wst:RequestSecurityTokenResponse>(.*?)<\/wst:RequestSecurityTokenResponse>/g)) {
    const x = m[1]!;
    const ticket = /<wsse:BinarySecurityToken [^>]*>([^<]*)</.exec(x)?.[1];
    if (ticket === undefined) continue;
    const secret = /<wst:BinarySecret>([^<]*)</.exec(x)?.[1];
    out.push({ address: /<wsa:Address>([^<]*)<\/wsa:Address>/.exec(x)?.[1] ?? '', ticket: ticket.replace(/&amp;/g, '&'), secret: secret === undefined ? undefined : Buffer.from(secret, 'base64') });
  }
  if (out.length === 0) throw new Error(`no tokens in ${body.slice(0, 300)}`);
  return out;
}

/** The `t=…&p=…` token the answer to a captured request carries for `address` (e.g. `sup.live.com`). */
export async function serviceTokenFor(t: TestServer, c: CapturedRst, address: string): Promise<string> {
  const hit = (await rstTokens(t, c)).find((x) => x.address === address);
  if (!hit) throw new Error(`no ${address} token`);
  return hit.ticket;
}

/** The messengerclear.live.com ticket and proof key of the RST2 answer to a captured request. */
export async function ssoToken(t: TestServer, c: CapturedRst): Promise<{ ticket: string; secret: Buffer }> {
  const hit = (await rstTokens(t, c)).find((x) => x.address === 'messengerclear.live.com' && x.secret);
  if (!hit) throw new Error('no messengerclear.live.com token');
  return { ticket: hit.ticket, secret: hit.secret! };
}

/** The same request for another account: the captured one with its address and password replaced. */
export function rst2For(email: string, password: string): CapturedRst {
  const c = MSNPSHARP_RST2[0]!;
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return { ...c, user: email, password, body: c.body.split(c.user).join(escape(email)).split(c.password).join(escape(password)) };
}

/**
 * WLM 8.5's RST.srf request (Pidgin 2.11 sends the same one: messengerclear.live.com
 * with MBI_KEY_OLD, messenger.msn.com, contacts.msn.com, messengersecure.live.com,
 * storage.live.com, sup.live.com) for another account.
 */
export function rstFor(email: string, password: string): CapturedRst {
  const c = CAPTURED_RST.find((x) => x.client === 'pidgin-2.11' && x.path === '/RST.srf')!;
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return { ...c, user: email, password, body: c.body.split(c.user).join(escape(email)).split(c.password).join(escape(password)) };
}

/** Every token of the RST2 answer to a captured request, by its address (`t=…&p=…`). */
export async function rst2Tokens(t: TestServer, c: CapturedRst): Promise<Map<string, string>> {
  return new Map((await rstTokens(t, c)).map((x) => [x.address, x.ticket]));
}
