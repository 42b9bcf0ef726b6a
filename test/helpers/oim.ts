// Offline messages over real HTTPS: service tokens from RST2.srf, OIM Store
// requests shaped as Pidgin 2.11 writes them (oim.h templates: LF line ends,
// Store2) or MSNPSharp 3.2.1 (CRLF), the lock-key round trip, and RSI calls
// as both clients send them. Work against an in-process or spawned server
// (only the HTTPS port is needed).
import fs from 'node:fs';
import { lockAndKeyAnswer, PRODUCT_KEYS } from '../../src/msnp/challenges.js';
import { httpsRequest, type RawResponse } from './https.js';
import { rst2For, rstTokensAt } from './sso.js';

/** The product id Pidgin 2.11 and WLM 8.5 present (MSNP15_WLM_PRODUCT_ID). */
export const WLM_APPID = 'PROD0119GSJUC$18';
export const RSI_NS = 'http://www.hotmail.msn.com/ws/2004/09/oim/rsi';
export const STORE2 = 'http://messenger.live.com/ws/2006/09/oim/Store2';

/** Every token the RST2 answer holds, by address (`t=…&p=…`). */
export async function rst2Tokens(https: number, email: string, password: string): Promise<Record<string, string>> {
  return Object.fromEntries((await rstTokensAt(https, rst2For(email, password))).map((x) => [x.address, x.ticket]));
}

const xesc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface StoreOptions {
  from: string;
  to: string;
  ticket: string;
  text?: string;
  lockkey?: string;
  appid?: string;
  seq?: number;
  runId?: string;
  /** The whole Content instead of one built from `text`. */
  content?: string;
  /** CRLF (MSNPSharp) instead of LF (Pidgin). */
  crlf?: boolean;
  action?: string;
}

/** The MIME message of a Store, base64 in 76-character lines. */
export function oimContent(text: string, runId: string, seq: number, crlf = false): string {
  const nl = crlf ? '\r\n' : '\n';
  const b64 = Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g)?.join(nl) ?? '';
  return ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', 'X-OIM-Message-Type: OfflineMessage', `X-OIM-Run-Id: {${runId}}`, `X-OIM-Sequence-Num: ${seq}`, '', b64].join(nl);
}

export function storeBody(o: StoreOptions): string {
  const seq = o.seq ?? 1;
  const content = o.content ?? oimContent(o.text ?? 'hello', o.runId ?? '3A8B2C1D-0000-4000-8000-00000000AB01', seq, o.crlf);
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>' +
    `<From memberName="${xesc(o.from)}" friendlyName="=?utf-8?B?QWxpY2U=?=" xml:lang="en-US" proxy="MSNMSGR" xmlns="http://messenger.msn.com/ws/2004/09/oim/" msnpVer="MSNP15" buildVer="8.5.1288"/>` +
    `<To memberName="${xesc(o.to)}" xmlns="http://messenger.msn.com/ws/2004/09/oim/"/>` +
    `<Ticket passport="${xesc(o.ticket)}" appid="${xesc(o.appid ?? WLM_APPID)}" lockkey="${xesc(o.lockkey ?? '')}" xmlns="http://messenger.msn.com/ws/2004/09/oim/"/>` +
    '<Sequence xmlns="http://schemas.xmlsoap.org/ws/2003/03/rm"><Identifier xmlns="http://schemas.xmlsoap.org/ws/2002/07/utility">http://messenger.msn.com</Identifier>' +
    `<MessageNumber>${seq}</MessageNumber></Sequence></soap:Header><soap:Body>` +
    '<MessageType xmlns="http://messenger.msn.com/ws/2004/09/oim/">text</MessageType>' +
    `<Content xmlns="http://messenger.msn.com/ws/2004/09/oim/">${xesc(content)}</Content></soap:Body></soap:Envelope>`
  );
}

export function post(https: number, host: string, path: string, action: string, body: string): Promise<RawResponse> {
  return httpsRequest(https, { host, method: 'POST', path, headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: action }, body });
}

export function oimStore(https: number, o: StoreOptions): Promise<RawResponse> {
  return post(https, 'ows.messenger.msn.com', '/OimWS/oim.asmx', o.action ?? STORE2, storeBody(o));
}

/** The faultcode text and the detail's LockKeyChallenge, if the answer is a fault. */
export function oimFault(r: RawResponse): { code: string; challenge?: string; detail: string } | undefined {
  const b = r.body.toString('utf8');
  const code = /<faultcode>([^<]*)<\/faultcode>/.exec(b)?.[1];
  if (code === undefined) return undefined;
  const detail = /<detail>(.*)<\/detail>/s.exec(b)?.[1] ?? '';
  return { code, challenge: /<LockKeyChallenge[^>]*>([^<]*)</.exec(detail)?.[1], detail };
}

export function lockKeyFor(challenge: string, appid = WLM_APPID): string {
  return lockAndKeyAnswer(challenge, appid, PRODUCT_KEYS.get(appid)!);
}

/** A Store as Pidgin sends it: without a lock key first, then with the answer to the challenge. */
export async function storeWithChallenge(https: number, o: StoreOptions): Promise<{ res: RawResponse; lockkey: string }> {
  const first = await oimStore(https, { ...o, lockkey: o.lockkey ?? '' });
  const f = oimFault(first);
  if (!f) return { res: first, lockkey: o.lockkey ?? '' };
  if (f.code !== 'q0:AuthenticationFailed' || !f.challenge) return { res: first, lockkey: '' };
  const lockkey = lockKeyFor(f.challenge, o.appid);
  return { res: await oimStore(https, { ...o, lockkey }), lockkey };
}

/** An RSI request as Pidgin 2.11 / MSNPSharp write it (PassportCookie t and p). */
export function rsiBody(ticket: string, inner: string): string {
  const t = /(?:^|&)t=([^&]*)/.exec(ticket)?.[1] ?? ticket;
  const p = /&p=([^&]*)/.exec(ticket)?.[1] ?? '';
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Header>' +
    `<PassportCookie xmlns="${RSI_NS}"><t>${xesc(t)}</t><p>${xesc(p)}</p></PassportCookie></soap:Header><soap:Body>${inner}</soap:Body></soap:Envelope>`
  );
}

export function rsi(https: number, action: 'GetMetadata' | 'GetMessage' | 'DeleteMessages', ticket: string, inner?: string): Promise<RawResponse> {
  const body = inner ?? (action === 'GetMetadata' ? `<GetMetadata xmlns="${RSI_NS}" />` : '');
  return post(https, 'rsi.hotmail.com', '/rsi/rsi.asmx', `${RSI_NS}/${action}`, rsiBody(ticket, body));
}

export const getMessage = (id: string) => `<GetMessage xmlns="${RSI_NS}"><messageId>${id}</messageId><alsoMarkAsRead>false</alsoMarkAsRead></GetMessage>`;
export const deleteMessages = (...ids: string[]) => `<DeleteMessages xmlns="${RSI_NS}"><messageIds>${ids.map((i) => `<messageId>${i}</messageId>`).join('')}</messageIds></DeleteMessages>`;

/** The `<M>` entries of an MD document: id, sender, RT. */
export function mdEntries(xml: string): { id: string; sender: string; rt: string; n: string; sz: number }[] {
  return [...xml.matchAll(/<M>(.*?)<\/M>/g)].map((m) => ({
    id: /<I>([^<]*)<\/I>/.exec(m[1]!)![1]!,
    sender: /<E>([^<]*)<\/E>/.exec(m[1]!)![1]!,
    rt: /<RT>([^<]*)<\/RT>/.exec(m[1]!)![1]!,
    n: /<N>([^<]*)<\/N>/.exec(m[1]!)![1]!,
    sz: Number(/<SZ>([^<]*)<\/SZ>/.exec(m[1]!)![1]!),
  }));
}

/** The GetMessageResult text, unescaped. */
export function messageResult(r: RawResponse): string | undefined {
  const m = /<GetMessageResult>([^<]*)<\/GetMessageResult>/.exec(r.body.toString('utf8'));
  return m?.[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Captured OIM/RSI requests (test/fixtures/soap/offline-messages.jsonl). */
export function capturedOimRequests(file: string): { client: string; line: number; host: string; path: string; soapaction: string; 'content-type': string; body: string }[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
