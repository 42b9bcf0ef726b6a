// WS-Trust sign-in for MSNP15-18: the RST2.srf request MSNPSharp 3.2.1 really
// sent (test/fixtures/sso), for n accounts at once, each answered with seven
// stored service tokens. The password check (scrypt) dominates, as in the
// Passport (login2.srf) sign-in of the login scenario.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PASSWORD } from './scenarios.js';
import { distribution, type Distribution } from './stats.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/sso/rst-requests.jsonl');

export interface SsoSignInResult {
  signIns: number;
  perSecond: number;
  latencyMs: Distribution;
}

function post(port: number, ca: Buffer, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: 'login.live.com', method: 'POST', path: '/RST2.srf', ca, agent: false, headers: { Host: 'login.live.com', 'Content-Type': 'application/soap+xml; charset=utf-8' } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** n RST2.srf sign-ins at once for accountName(0..n-1); every answer must carry the messengerclear token. */
export async function ssoSignInScenario(httpsPort: number, ca: Buffer, n: number, accountName: (i: number) => string): Promise<SsoSignInResult> {
  const captured = fs
    .readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { path: string; user: string; password: string; body: string })
    .find((r) => r.path === '/RST2.srf')!;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const body = captured.body
        .replace(`<wsse:Username>${captured.user}</wsse:Username>`, `<wsse:Username>${accountName(i)}</wsse:Username>`)
        .replace(`<wsse:Password>${captured.password}</wsse:Password>`, `<wsse:Password>${PASSWORD}</wsse:Password>`);
      const s = performance.now();
      const answer = await post(httpsPort, ca, body);
      lat.push(performance.now() - s);
      if (!answer.includes('<wsa:Address>messengerclear.live.com</wsa:Address>') || !answer.includes('<wst:BinarySecret>')) throw new Error(`RST2.srf refused ${accountName(i)}: ${answer.slice(0, 200)}`);
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { signIns: n, perSecond: n / elapsed, latencyMs: distribution(lat) };
}
