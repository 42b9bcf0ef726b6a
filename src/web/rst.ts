// RST.srf: the WS-Trust sign-in MSN 7.5 (MSNP12) and later clients use
// instead of login2.srf. One response per requested token, in request order,
// numbered by the request's RSTn; the messenger.msn.com token is the ticket
// for `USR t TWN S`. Built to /work/notes/passport-rst.md §3 (prefixes as the
// real service had them, no whitespace between elements, faults directly
// under the envelope).
import { randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { Core } from '../core/core.js';
import type { Logger } from '../log.js';
import { hasDtd } from '../core/client-xml.js';
import { PASSPORT_TB, SERVICE, serviceOf, type TokenHolder } from '../core/service-tokens.js';
import { onlySecure, xml, type Router, type WebRequest, type WebResponse } from './router.js';
import { cidHex } from '../core/cid.js';

/** Largest RST.srf request read (clients send 2-5 KiB). */
export const MAX_RST_BODY = 16 * 1024;

export interface TokenRequest {
  /** n of `Id="RSTn"` (position when absent). */
  n: number;
  address: string;
  policy: string | undefined;
}

export interface RstRequest {
  username: string | undefined;
  password: string | undefined;
  tokens: TokenRequest[];
  /** The tokens came from a parsed envelope (not from the fallback search of an unparseable body). */
  parsed: boolean;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false, trimValues: false, processEntities: true });

type Node = Record<string, unknown>;

function children(n: unknown, name: string): unknown[] {
  if (!n || typeof n !== 'object') return [];
  const v = (n as Node)[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function child(n: unknown, ...path: string[]): unknown {
  let cur: unknown = n;
  for (const p of path) cur = children(cur, p)[0];
  return cur;
}

function textOf(n: unknown): string | undefined {
  if (n === undefined || n === null) return undefined;
  if (typeof n === 'string' || typeof n === 'number') return String(n);
  const t = (n as Node)['#text'];
  return t === undefined ? '' : String(t);
}

/**
 * A raw element's text, for clients that do not escape credentials (msn-pecan,
 * aMSN): from the first opening tag to the first closing tag after it. Linear
 * in the body (`[^<>]` stops each attempt at the next tag), so a body of
 * thousands of unclosed tags costs no more than reading it.
 */
function rawText(body: string, local: string): string | undefined {
  const open = new RegExp(`<(?:\\w{1,32}:)?${local}(?:\\s[^<>]*)?>`, 'g');
  const o = open.exec(body);
  if (!o) return undefined;
  const close = new RegExp(`</(?:\\w{1,32}:)?${local}>`, 'g');
  close.lastIndex = o.index + o[0].length;
  const c = close.exec(body);
  return c ? body.slice(o.index + o[0].length, c.index) : undefined;
}

/** Marks a credential whose escapes name no XML character (it cannot be anyone's name or password). */
const INVALID = Symbol('invalid credential');

/** Escaped text is unescaped; text with a bare `<` or `&` was sent raw and is kept. */
function credential(raw: string | undefined): string | undefined | typeof INVALID {
  if (raw === undefined) return undefined;
  const bare = /<|&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw);
  return bare ? raw : unescapeXml(raw);
}

/** A numeric character reference's character, if XML 1.0 allows it (§2.2 Char). */
function charRef(n: number): string | undefined {
  const ok = n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff);
  return ok ? String.fromCodePoint(n) : undefined;
}

function unescapeXml(s: string): string | typeof INVALID {
  let bad = false;
  const ref = (n: number) => charRef(n) ?? ((bad = true), '');
  const out = s
    .replace(/&#(\d{1,10});|&#\d{11,};/g, (m, d: string | undefined) => (d === undefined ? ref(-1) : ref(Number(d))))
    .replace(/&#x([0-9a-fA-F]{1,8});|&#x[0-9a-fA-F]{9,};/g, (m, h: string | undefined) => (h === undefined ? ref(-1) : ref(parseInt(h, 16))))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
  return bad ? INVALID : out;
}

/** A credential from the raw text, else from the parsed tree; an invalid one counts as none. */
function pick(raw: string | undefined | typeof INVALID, parsed: () => string | undefined): string | undefined {
  if (raw === INVALID) return undefined;
  return raw ?? parsed();
}

/** Reads an RST request by local names, tolerating unescaped credentials. */
export function parseRst(body: string): RstRequest {
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch {
    doc = undefined;
  }
  const env = child(doc, 'Envelope');
  // Credentials come from the raw text: msn-pecan and aMSN do not escape them
  // (passport-rst.md §3.2), and a lenient parser would cut them short.
  const username = pick(credential(rawText(body, 'Username')), () => textOf(child(env, 'Header', 'Security', 'UsernameToken', 'Username')));
  const password = pick(credential(rawText(body, 'Password')), () => textOf(child(env, 'Header', 'Security', 'UsernameToken', 'Password')));
  const bodyNode = child(env, 'Body');
  const multi = child(bodyNode, 'RequestMultipleSecurityTokens');
  const rsts = [...children(multi, 'RequestSecurityToken'), ...children(bodyNode, 'RequestSecurityToken')];
  const tokens: TokenRequest[] = [];
  if (rsts.length > 0) {
    rsts.forEach((r, i) => {
      const id = (r as Node)['@Id'];
      const m = /(\d+)$/.exec(typeof id === 'string' ? id : '');
      const addrNode = child(r, 'AppliesTo', 'EndpointReference');
      const address = (textOf(child(addrNode, 'Address')) ?? textOf(child(addrNode, 'ServiceName')) ?? '').trim();
      const pol = child(r, 'PolicyReference') as Node | undefined;
      tokens.push({ n: m ? Number(m[1]) : i, address, policy: typeof pol?.['@URI'] === 'string' ? (pol['@URI'] as string) : undefined });
    });
  } else {
    // Not parseable as XML: find the addresses in order.
    const re = /<(?:\w+:)?Address>([^<]*)<\/(?:\w+:)?Address>/g;
    let m: RegExpExecArray | null;
    let i = 0;
    while ((m = re.exec(body))) tokens.push({ n: i++, address: m[1]!.trim(), policy: undefined });
  }
  return { username: username?.trim(), password, tokens, parsed: rsts.length > 0 };
}

const NS = {
  S: 'http://schemas.xmlsoap.org/soap/envelope/',
  wst: 'http://schemas.xmlsoap.org/ws/2004/04/trust',
  wsse: 'http://schemas.xmlsoap.org/ws/2003/06/secext',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  saml: 'urn:oasis:names:tc:SAML:1.0:assertion',
  wsp: 'http://schemas.xmlsoap.org/ws/2002/12/policy',
  psf: 'http://schemas.microsoft.com/Passport/SoapServices/SOAPFault',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/03/addressing',
};

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `YYYY-MM-DDTHH:MM:SSZ`, no fractions (COMPAT: MSNPSharp, msn-pecan parse it strictly). */
export function soapTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function ppHeader(ok: boolean, puid: string, cid: string, email: string, now: number): string {
  const info = `<psf:serverInfo Path="Live1" RollingUpgradeState="ExclusiveNew" LocVersion="0" ServerTime="${soapTime(now)}">msnpd</psf:serverInfo>`;
  if (!ok) {
    return `<psf:pp xmlns:psf="${NS.psf}"><psf:serverVersion>1</psf:serverVersion><psf:authstate>0x80048800</psf:authstate><psf:reqstatus>0x80048821</psf:reqstatus>${info}<psf:cookies/><psf:response/></psf:pp>`;
  }
  return (
    `<psf:pp xmlns:psf="${NS.psf}"><psf:serverVersion>1</psf:serverVersion><psf:PUID>${puid}</psf:PUID>` +
    `<psf:configVersion>3.0.869.0</psf:configVersion><psf:uiVersion>3.0.869.0</psf:uiVersion>` +
    `<psf:authstate>0x48803</psf:authstate><psf:reqstatus>0x0</psf:reqstatus>${info}<psf:cookies/>` +
    `<psf:credProperties><psf:credProperty Name="MainBrandID">MSFT</psf:credProperty><psf:credProperty Name="BrandIDList"></psf:credProperty>` +
    `<psf:credProperty Name="IsWinLiveUser">true</psf:credProperty><psf:credProperty Name="CID">${cid}</psf:credProperty>` +
    `<psf:credProperty Name="AuthMembername">${escapeXml(email)}</psf:credProperty><psf:credProperty Name="Country">US</psf:credProperty>` +
    `<psf:credProperty Name="Language">1033</psf:credProperty></psf:credProperties><psf:extProperties></psf:extProperties><psf:response/></psf:pp>`
  );
}

/** What one requested token is answered with. */
export interface IssuedToken {
  req: TokenRequest;
  /** The legacy `http://Passport.NET/tb` token (no `t=`/`p=`: an opaque blob). */
  legacy: boolean;
  t: string;
  p: string;
  createdAt: number;
  expiresAt: number;
  /** The BinarySecret to show (messengerclear.live.com and the tb token). */
  proofKey: Buffer | undefined;
}

/**
 * One token per request, each bound to the account and its address's service.
 * messenger.msn.com, and any address asked with a Passport-style policy
 * (`?id=507`, the TWN challenge of MSNP12-14), gets a Passport ticket (it signs
 * in once through `USR TWN S`, then serves web use) also recorded as that
 * service's token; messengerclear.live.com gets the SSO proof key, which the tb
 * token shows too (one key per sign-in, whichever a client reads). Every token
 * is stored before the answer goes out.
 */
export async function issueTokens(core: Core, holder: TokenHolder, requests: TokenRequest[]): Promise<IssuedToken[]> {
  const now = core.clock.now();
  const proofKey = randomBytes(24);
  const clearAsked = requests.some((r) => serviceOf(r.address) === SERVICE.messengerClear);
  const plans = requests.map((req) => {
    const service = serviceOf(req.address);
    if (service === PASSPORT_TB) return { req, item: undefined, ticket: undefined };
    if (service !== SERVICE.messengerClear && (service === SERVICE.messengerWeb || req.policy?.startsWith('?'))) {
      const ticket = core.tickets.issue(holder.accountId, holder.email);
      return { req, item: { address: service, t: ticket.t, expiresAt: ticket.expiresAt }, ticket };
    }
    return { req, item: { address: service, proofKey: service === SERVICE.messengerClear ? proofKey : undefined }, ticket: undefined };
  });
  // Every token of the answer in one transaction, committed before the answer goes out.
  const stored = await core.serviceTokens.issueAll(holder, plans.flatMap((p) => (p.item ? [p.item] : [])));
  let next = 0;
  return plans.map(({ req, item, ticket }): IssuedToken => {
    if (!item) return { req, legacy: true, t: '', p: '', createdAt: now, expiresAt: now + core.serviceTokens.ttlMs, proofKey: clearAsked ? proofKey : randomBytes(24) };
    const token = stored[next++]!;
    if (ticket) return { req, legacy: false, t: ticket.t, p: ticket.p, createdAt: ticket.createdAt, expiresAt: ticket.expiresAt, proofKey: undefined };
    return { req, legacy: false, t: token.t, p: token.p, createdAt: token.createdAt, expiresAt: token.expiresAt, proofKey: token.proofKey };
  });
}

/** One RequestSecurityTokenResponse. */
function tokenResponse(issued: IssuedToken): string {
  const { req } = issued;
  const lifetime = `<wst:LifeTime><wsu:Created>${soapTime(issued.createdAt)}</wsu:Created><wsu:Expires>${soapTime(issued.expiresAt)}</wsu:Expires></wst:LifeTime>`;
  const appliesTo = `<wsp:AppliesTo xmlns:wsa="${NS.wsa}"><wsa:EndpointReference><wsa:Address>${escapeXml(req.address)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`;
  if (issued.legacy) {
    // Nothing in MSNP8-12 decrypts the legacy token; Pidgin 2.5+ keeps it for renewals.
    return (
      `<wst:RequestSecurityTokenResponse><wst:TokenType>urn:passport:legacy</wst:TokenType>${appliesTo}${lifetime}` +
      `<wst:RequestedSecurityToken><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#" Id="BinaryDAToken${req.n}" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
      `<EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#tripledes-cbc"></EncryptionMethod><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
      `<ds:KeyName>http://Passport.NET/STS</ds:KeyName></ds:KeyInfo><CipherData><CipherValue>${randomBytes(96).toString('base64')}</CipherValue></CipherData></EncryptedData></wst:RequestedSecurityToken>` +
      `<wst:RequestedTokenReference><wsse:KeyIdentifier ValueType="urn:passport"></wsse:KeyIdentifier><wsse:Reference URI="#BinaryDAToken${req.n}"></wsse:Reference></wst:RequestedTokenReference>` +
      `<wst:RequestedProofToken><wst:BinarySecret>${issued.proofKey!.toString('base64')}</wst:BinarySecret></wst:RequestedProofToken></wst:RequestSecurityTokenResponse>`
    );
  }
  // COMPAT: the real service named the messenger.msn.com token PPToken<n>
  // (emesene, Gaim's MSNP13 branch find only PPToken1); others Compact<n>.
  const id = `${req.address.toLowerCase() === 'messenger.msn.com' ? 'PPToken' : 'Compact'}${req.n}`;
  return (
    `<wst:RequestSecurityTokenResponse><wst:TokenType>urn:passport:compact</wst:TokenType>${appliesTo}${lifetime}` +
    `<wst:RequestedSecurityToken><wsse:BinarySecurityToken Id="${id}">t=${issued.t}&amp;p=${issued.p}</wsse:BinarySecurityToken></wst:RequestedSecurityToken>` +
    `<wst:RequestedTokenReference><wsse:KeyIdentifier ValueType="urn:passport:compact"></wsse:KeyIdentifier><wsse:Reference URI="#${id}"></wsse:Reference></wst:RequestedTokenReference>` +
    (issued.proofKey ? `<wst:RequestedProofToken><wst:BinarySecret>${issued.proofKey.toString('base64')}</wst:BinarySecret></wst:RequestedProofToken>` : '') +
    `</wst:RequestSecurityTokenResponse>`
  );
}

export function rstFault(now: number): string {
  // COMPAT: Pidgin finds the fault only as Envelope's child right after Header (passport-rst.md §3.6).
  return (
    `<?xml version="1.0" encoding="utf-8"?><S:Envelope xmlns:S="${NS.S}" xmlns:wsse="${NS.wsse}" xmlns:psf="${NS.psf}"><S:Header>${ppHeader(false, '', '', '', now)}</S:Header>` +
    `<S:Fault><faultcode>wsse:FailedAuthentication</faultcode><faultstring>Authentication Failure</faultstring></S:Fault></S:Envelope>`
  );
}

export function rstRoutes(router: Router, core: Core, log: Logger): void {
  const handle = async (req: WebRequest): Promise<WebResponse> => {
    const now = core.clock.now();
    const text = req.body.toString('utf8');
    // A sign-in request is 2-5 KiB; DTDs (entity expansion) are never needed.
    if (req.body.length > MAX_RST_BODY || hasDtd(text)) {
      log.info({ remote: req.remoteAddress, bytes: req.body.length }, 'RST request refused: too large or with a DTD');
      return xml(rstFault(now));
    }
    const r = parseRst(text);
    const outcome = r.username && r.password !== undefined ? await core.tickets.login(r.username, r.password, req.remoteAddress) : undefined;
    if (!outcome || !outcome.ok) {
      log.info({ email: r.username, remote: req.remoteAddress, reason: outcome?.reason ?? 'no credentials' }, 'RST sign-in refused');
      // 200, as the 2006-07 service answered faults (Miranda reads only 200s).
      return xml(rstFault(now));
    }
    const puid = outcome.accountId.toString(16).toUpperCase().padStart(16, '0');
    const tokens = r.tokens.length > 0 ? r.tokens : [{ n: 1, address: 'messenger.msn.com', policy: undefined }];
    const body =
      `<?xml version="1.0" encoding="utf-8"?><S:Envelope xmlns:S="${NS.S}"><S:Header>${ppHeader(true, puid, cidHex(outcome.accountId), outcome.email, now)}</S:Header>` +
      `<S:Body><wst:RequestSecurityTokenResponseCollection xmlns:S="${NS.S}" xmlns:wst="${NS.wst}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" xmlns:saml="${NS.saml}" xmlns:wsp="${NS.wsp}" xmlns:psf="${NS.psf}">` +
      (await issueTokens(core, outcome, tokens)).map(tokenResponse).join('') +
      `</wst:RequestSecurityTokenResponseCollection></S:Body></S:Envelope>`;
    return xml(body);
  };
  for (const path of ['/RST.srf', '/pp550/RST.srf', '/pp1100/RST.srf']) router.on('POST', path, onlySecure(handle));
}
