// Offline messages over SOAP: senders store OIMs (Store2 with the lock-key
// challenge, as Pidgin 2.11 writes it) with the messengersecure token from
// RST2.srf; then each recipient fetches what waits as a client does after
// sign-in: RSI GetMetadata, GetMessage per message, DeleteMessages. Each
// request is its own HTTPS connection (msnpd answers with Connection: close).
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { lockAndKeyAnswer, PRODUCT_KEYS } from '../src/msnp/challenges.js';
import { PASSWORD } from './scenarios.js';
import { distribution, pool, type Distribution } from './stats.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/sso/rst-requests.jsonl');
const APPID = 'PROD0119GSJUC$18';
const RSI = 'http://www.hotmail.msn.com/ws/2004/09/oim/rsi';

export interface OimResult {
  messages: number;
  storesPerSecond: number;
  storeMs: Distribution;
  fetchesPerSecond: number;
  getMessageMs: Distribution;
  /** GetMetadata + every GetMessage + DeleteMessages of one recipient. */
  recipientFetchMs: Distribution;
}

function post(port: number, ca: Buffer, host: string, p: string, action: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: host, method: 'POST', path: p, ca, agent: false, headers: { Host: host, 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: action } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const xesc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

async function tokens(port: number, ca: Buffer, email: string): Promise<{ oim: string; rsi: string }> {
  const c = fs.readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { path: string; user: string; password: string; body: string; 'content-type': string }).find((r) => r.path === '/RST2.srf')!;
  const body = c.body.split(c.user).join(email).split(`<wsse:Password>${c.password}<`).join(`<wsse:Password>${PASSWORD}<`);
  const r = await post(port, ca, 'login.live.com', '/RST2.srf', '', body);
  const get = (addr: string) => {
    for (const m of r.text.matchAll(/<wst:RequestSecurityTokenResponse>(.*?)<\/wst:RequestSecurityTokenResponse>/g)) {
      if (m[1]!.includes(`<wsa:Address>${addr}</wsa:Address>`)) return /<wsse:BinarySecurityToken [^>]*>([^<]*)</.exec(m[1]!)![1]!.replace(/&amp;/g, '&');
    }
    throw new Error(`no ${addr} token for ${email}: ${r.text.slice(0, 200)}`);
  };
  return { oim: get('messengersecure.live.com'), rsi: get('messenger.msn.com') };
}

function storeBody(from: string, to: string, ticket: string, lockkey: string, seq: number, text: string): string {
  const content = `MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\nX-OIM-Message-Type: OfflineMessage\nX-OIM-Run-Id: {5E1D6C8A-0B1B-4B8E-9A53-0000000000AA}\nX-OIM-Sequence-Num: ${seq}\n\n${Buffer.from(text).toString('base64')}`;
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>' +
    `<From memberName="${from}" friendlyName="=?utf-8?B?QQ==?=" xml:lang="en-US" proxy="MSNMSGR" xmlns="http://messenger.msn.com/ws/2004/09/oim/" msnpVer="MSNP15" buildVer="8.5.1288"/>` +
    `<To memberName="${to}" xmlns="http://messenger.msn.com/ws/2004/09/oim/"/><Ticket passport="${xesc(ticket)}" appid="${xesc(APPID)}" lockkey="${lockkey}" xmlns="http://messenger.msn.com/ws/2004/09/oim/"/>` +
    `<Sequence xmlns="http://schemas.xmlsoap.org/ws/2003/03/rm"><Identifier xmlns="http://schemas.xmlsoap.org/ws/2002/07/utility">http://messenger.msn.com</Identifier><MessageNumber>${seq}</MessageNumber></Sequence></soap:Header>` +
    `<soap:Body><MessageType xmlns="http://messenger.msn.com/ws/2004/09/oim/">text</MessageType><Content xmlns="http://messenger.msn.com/ws/2004/09/oim/">${xesc(content)}</Content></soap:Body></soap:Envelope>`
  );
}

const rsiBody = (ticket: string, inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><PassportCookie xmlns="${RSI}"><t>${xesc(/t=([^&]*)/.exec(ticket)![1]!)}</t><p>${xesc(/&p=([^&]*)/.exec(ticket)?.[1] ?? '')}</p></PassportCookie></soap:Header><soap:Body>${inner}</soap:Body></soap:Envelope>`;

/**
 * `senders` accounts each send `perSender` messages, spread over `recipients`
 * accounts (account names senderName(i) / recipientName(j)); `concurrency`
 * requests in flight. Then every recipient fetches and deletes its messages.
 */
export async function oimScenario(port: number, ca: Buffer, senderName: (i: number) => string, senders: number, recipientName: (j: number) => string, recipients: number, perSender: number, concurrency: number): Promise<OimResult> {
  const sTok = await pool(Array.from({ length: senders }, (_, i) => senderName(i)), 8, (e) => tokens(port, ca, e));
  const rTok = await pool(Array.from({ length: recipients }, (_, j) => recipientName(j)), 8, (e) => tokens(port, ca, e));
  // Each sender's lock key, from its first challenge (not timed: once per sign-in).
  const lockkeys = await pool(sTok, 8, async (tk, i) => {
    const r = await post(port, ca, 'ows.messenger.msn.com', '/OimWS/oim.asmx', 'http://messenger.live.com/ws/2006/09/oim/Store2', storeBody(senderName(i), recipientName(0), tk.oim, '', 0, 'x'));
    const ch = /<LockKeyChallenge[^>]*>(\d+)</.exec(r.text)?.[1];
    if (!ch) throw new Error(`no lock-key challenge: ${r.text.slice(0, 200)}`);
    return lockAndKeyAnswer(ch, APPID, PRODUCT_KEYS.get(APPID)!);
  });
  const jobs = Array.from({ length: senders * perSender }, (_, k) => ({ s: k % senders, seq: Math.floor(k / senders) + 1, to: k % recipients }));
  const storeLat: number[] = [];
  const t0 = performance.now();
  await pool(jobs, concurrency, async (j) => {
    const s = performance.now();
    const r = await post(port, ca, 'ows.messenger.msn.com', '/OimWS/oim.asmx', 'http://messenger.live.com/ws/2006/09/oim/Store2', storeBody(senderName(j.s), recipientName(j.to), sTok[j.s]!.oim, lockkeys[j.s]!, j.seq, `offline message ${j.seq} from ${j.s}: see you tomorrow`));
    storeLat.push(performance.now() - s);
    if (r.status !== 200) throw new Error(`Store answered ${r.status}: ${r.text.slice(0, 300)}`);
  });
  const storeSecs = (performance.now() - t0) / 1000;
  const getLat: number[] = [];
  const recLat: number[] = [];
  let fetched = 0;
  const f0 = performance.now();
  await pool(rTok, Math.max(1, Math.floor(concurrency / 4)), async (tk) => {
    const s = performance.now();
    const md = await post(port, ca, 'rsi.hotmail.com', '/rsi/rsi.asmx', `${RSI}/GetMetadata`, rsiBody(tk.rsi, `<GetMetadata xmlns="${RSI}" />`));
    const ids = [...md.text.matchAll(/<M>.*?<I>([^<]*)<\/I>/g)].map((m) => m[1]!);
    await pool(ids, 4, async (id) => {
      const g0 = performance.now();
      const r = await post(port, ca, 'rsi.hotmail.com', '/rsi/rsi.asmx', `${RSI}/GetMessage`, rsiBody(tk.rsi, `<GetMessage xmlns="${RSI}"><messageId>${id}</messageId><alsoMarkAsRead>false</alsoMarkAsRead></GetMessage>`));
      getLat.push(performance.now() - g0);
      if (r.status !== 200) throw new Error(`GetMessage answered ${r.status}`);
      fetched++;
    });
    const d = await post(port, ca, 'rsi.hotmail.com', '/rsi/rsi.asmx', `${RSI}/DeleteMessages`, rsiBody(tk.rsi, `<DeleteMessages xmlns="${RSI}"><messageIds>${ids.map((i) => `<messageId>${i}</messageId>`).join('')}</messageIds></DeleteMessages>`));
    if (d.status !== 200) throw new Error(`DeleteMessages answered ${d.status}`);
    recLat.push(performance.now() - s);
  });
  const fetchSecs = (performance.now() - f0) / 1000;
  if (fetched !== jobs.length) throw new Error(`stored ${jobs.length}, fetched ${fetched}`);
  return {
    messages: jobs.length,
    storesPerSecond: jobs.length / storeSecs,
    storeMs: distribution(storeLat),
    fetchesPerSecond: fetched / fetchSecs,
    getMessageMs: distribution(getLat),
    recipientFetchMs: distribution(recLat),
  };
}
