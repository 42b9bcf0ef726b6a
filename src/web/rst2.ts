// RST2.srf: the WS-Trust sign-in of WLM 2009 and MSNPSharp (MSNP18+), the
// SOAP 1.2 / WS-Trust 2005/02 sibling of RST.srf. Same request (read by
// parseRst), same tokens (issueTokens); the response is shaped after the
// security token service schema the clients' proxies were generated from
// (msnp-sharp MSNWS.MSNSecurityTokenService: ps.wsdl, ws-trust.xsd,
// ps-fault.xsd) and client-quirks.md "RST and RST2".
import { randomBytes } from 'node:crypto';
import type { Core } from '../core/core.js';
import type { Logger } from '../log.js';
import { hasDtd } from '../core/client-xml.js';
import { escapeXml, issueTokens, MAX_RST_BODY, parseRst, soapTime, type IssuedToken } from './rst.js';
import { onlySecure, type Router, type WebRequest, type WebResponse } from './router.js';
import { cidHex } from '../core/cid.js';

const NS = {
  S: 'http://www.w3.org/2003/05/soap-envelope',
  wst: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsp: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  wsa: 'http://www.w3.org/2005/08/addressing',
  psf: 'http://schemas.microsoft.com/Passport/SoapServices/SOAPFault',
};

/** The namespaces every response declares on its envelope. */
const ENVELOPE_NS = `xmlns:S="${NS.S}" xmlns:wst="${NS.wst}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" xmlns:wsp="${NS.wsp}" xmlns:wsa="${NS.wsa}" xmlns:psf="${NS.psf}"`;

function serverInfo(now: number): string {
  return `<psf:serverInfo Path="Live1" RollingUpgradeState="ExclusiveNew" LocVersion="0" ServerTime="${soapTime(now)}">msnpd</psf:serverInfo>`;
}

/** psf:pp in ps-fault.xsd's element order. */
function ppHeader(now: number, ok: { puid: string; cid: string; email: string } | undefined): string {
  if (!ok) {
    // COMPAT: MSNPSharp 3.2.1 parses reqstatus as hex after cutting a leading `0x` (client-quirks.md).
    return (
      `<psf:pp><psf:serverVersion>1</psf:serverVersion><psf:authstate>0x80048800</psf:authstate><psf:reqstatus>0x80048821</psf:reqstatus>` +
      `${serverInfo(now)}<psf:cookies/><psf:response/></psf:pp>`
    );
  }
  return (
    `<psf:pp><psf:serverVersion>1</psf:serverVersion><psf:PUID>${ok.puid}</psf:PUID><psf:configVersion>16.000.26889.00</psf:configVersion>` +
    `<psf:uiVersion>3.100.2179.0</psf:uiVersion><psf:authstate>0x48803</psf:authstate><psf:reqstatus>0x0</psf:reqstatus>${serverInfo(now)}` +
    `<psf:cookies/><psf:browserCookies></psf:browserCookies><psf:credProperties>` +
    `<psf:credProperty Name="MainBrandID">MSFT</psf:credProperty><psf:credProperty Name="BrandIDList"></psf:credProperty>` +
    `<psf:credProperty Name="IsWinLiveUser">true</psf:credProperty>` +
    // COMPAT: MSNPSharp 3.2.1 reads the CID as bare hex (no 0x) (client-quirks.md).
    `<psf:credProperty Name="CID">${ok.cid}</psf:credProperty><psf:credProperty Name="AuthMembername">${escapeXml(ok.email)}</psf:credProperty>` +
    `<psf:credProperty Name="Country">US</psf:credProperty><psf:credProperty Name="Language">1033</psf:credProperty></psf:credProperties>` +
    `<psf:extProperties></psf:extProperties><psf:response/></psf:pp>`
  );
}

/** One RequestSecurityTokenResponse in ws-trust.xsd's element order. */
function tokenResponse(issued: IssuedToken): string {
  const n = issued.req.n;
  const appliesTo = `<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>${escapeXml(issued.req.address)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`;
  const lifetime = `<wst:Lifetime><wsu:Created>${soapTime(issued.createdAt)}</wsu:Created><wsu:Expires>${soapTime(issued.expiresAt)}</wsu:Expires></wst:Lifetime>`;
  const proof = issued.proofKey ? `<wst:RequestedProofToken><wst:BinarySecret>${issued.proofKey.toString('base64')}</wst:BinarySecret></wst:RequestedProofToken>` : '';
  const refs = (id: string) =>
    `<wst:RequestedAttachedReference><wsse:SecurityTokenReference><wsse:Reference URI="#${id}"></wsse:Reference></wsse:SecurityTokenReference></wst:RequestedAttachedReference>` +
    `<wst:RequestedUnattachedReference><wsse:SecurityTokenReference><wsse:Reference URI="#${id}"></wsse:Reference></wsse:SecurityTokenReference></wst:RequestedUnattachedReference>`;
  if (issued.legacy) {
    // Nothing decrypts the legacy token; clients keep it (and its BinarySecret) for renewals.
    const id = `BinaryDAToken${n}`;
    return (
      `<wst:RequestSecurityTokenResponse><wst:TokenType>urn:passport:legacy</wst:TokenType>${appliesTo}${lifetime}` +
      `<wst:RequestedSecurityToken><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#" Id="${id}" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
      `<EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#tripledes-cbc"></EncryptionMethod><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
      `<ds:KeyName>http://Passport.NET/STS</ds:KeyName></ds:KeyInfo><CipherData><CipherValue>${randomBytes(96).toString('base64')}</CipherValue></CipherData></EncryptedData></wst:RequestedSecurityToken>` +
      `${refs(id)}${proof}</wst:RequestSecurityTokenResponse>`
    );
  }
  // COMPAT: every token is Compact<n> for the request's RST<n>: MSNPSharp looks tokens up by address, Pidgin by n (client-quirks.md).
  const id = `Compact${n}`;
  return (
    `<wst:RequestSecurityTokenResponse><wst:TokenType>urn:passport:compact</wst:TokenType>${appliesTo}${lifetime}` +
    `<wst:RequestedSecurityToken><wsse:BinarySecurityToken Id="${id}">t=${issued.t}&amp;p=${issued.p}</wsse:BinarySecurityToken></wst:RequestedSecurityToken>` +
    `${refs(id)}${proof}</wst:RequestSecurityTokenResponse>`
  );
}

export type Rst2FaultKind = 'failed-authentication' | 'invalid-request';

/**
 * A SOAP 1.2 fault in the body (where .NET's and Mono's SOAP clients look for
 * it), with the failure psf:pp header MSNPSharp reads the status from. Subcodes
 * are WS-Trust 2005/02's: FailedAuthentication, InvalidRequest.
 */
export function rst2Fault(now: number, kind: Rst2FaultKind): string {
  const [subcode, reason] = kind === 'failed-authentication' ? ['wst:FailedAuthentication', 'Authentication Failure'] : ['wst:InvalidRequest', 'Invalid Request'];
  return (
    `<?xml version="1.0" encoding="utf-8"?><S:Envelope ${ENVELOPE_NS}><S:Header>${ppHeader(now, undefined)}</S:Header><S:Body>` +
    `<S:Fault><S:Code><S:Value>S:Sender</S:Value><S:Subcode><S:Value>${subcode}</S:Value></S:Subcode></S:Code>` +
    `<S:Reason><S:Text xml:lang="en-US">${reason}</S:Text></S:Reason>` +
    `<S:Detail><psf:error><psf:value>0x80048821</psf:value></psf:error></S:Detail>` +
    `</S:Fault></S:Body></S:Envelope>`
  );
}

/**
 * HTTP 200 for answers and faults alike: Mono's SOAP client (MSNPSharp on
 * Linux/macOS) only reads a body from 200 or 500, and a fault is never a 500
 * here (the issue reserves 500 for nothing).
 */
function soap12(body: string): WebResponse {
  return { status: 200, headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' }, body };
}

export function rst2Routes(router: Router, core: Core, log: Logger): void {
  const handle = async (req: WebRequest): Promise<WebResponse> => {
    const now = core.clock.now();
    const text = req.body.toString('utf8');
    // A sign-in request is 2-5 KiB; DTDs (entity expansion) are never needed.
    if (req.body.length > MAX_RST_BODY || hasDtd(text)) {
      log.info({ remote: req.remoteAddress, bytes: req.body.length }, 'RST2 request refused: too large or with a DTD');
      return soap12(rst2Fault(now, 'invalid-request'));
    }
    const r = parseRst(text);
    if (!r.parsed) {
      log.info({ remote: req.remoteAddress }, 'RST2 request refused: no RequestSecurityToken in a SOAP envelope');
      return soap12(rst2Fault(now, 'invalid-request'));
    }
    const outcome = r.username && r.password !== undefined ? await core.tickets.login(r.username, r.password, req.remoteAddress) : undefined;
    if (!outcome || !outcome.ok) {
      log.info({ email: r.username, remote: req.remoteAddress, reason: outcome?.reason ?? 'no credentials' }, 'RST2 sign-in refused');
      return soap12(rst2Fault(now, 'failed-authentication'));
    }
    const puid = outcome.accountId.toString(16).toUpperCase().padStart(16, '0');
    const body =
      `<?xml version="1.0" encoding="utf-8"?><S:Envelope ${ENVELOPE_NS}><S:Header>${ppHeader(now, { puid, cid: cidHex(outcome.accountId), email: outcome.email })}</S:Header>` +
      `<S:Body><wst:RequestSecurityTokenResponseCollection>${(await issueTokens(core, outcome, r.tokens)).map(tokenResponse).join('')}</wst:RequestSecurityTokenResponseCollection></S:Body></S:Envelope>`;
    return soap12(body);
  };
  router.on('POST', '/RST2.srf', onlySecure(handle));
}
