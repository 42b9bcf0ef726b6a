// The client side of Passport: the Nexus and login2.srf (MSNP8-11) or
// RST.srf (MSNP12+), turning a password into the ticket for `USR t TWN S`.
// Where the Messenger hostnames do not resolve to the server (tests, bots),
// `host`/`port` say where to connect; the hostnames still go in SNI and Host.
import https from 'node:https';
import { ClientError } from './connection.js';

export interface PassportOptions {
  /** Address of the server's HTTPS listener. */
  host: string;
  port: number;
  /** PEM of the certificate authority to trust (the server's own CA). */
  ca?: string | Buffer;
  /** login2 (Nexus + login2.srf, MSN 5-7.0) or rst (RST.srf, MSN 7.5). */
  method?: 'login2' | 'rst';
  timeoutMs?: number;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function request(o: PassportOptions, hostname: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: o.host, port: o.port, servername: hostname, method, path, headers: { Host: hostname, ...headers }, ca: o.ca, agent: false, timeout: o.timeoutMs ?? 10000 },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new ClientError(`Passport request to ${hostname}${path} timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Signs in over HTTPS; resolves with `t=…&p=…`, rejects (code 911) on a refused password. */
export async function passportTicket(o: PassportOptions, email: string, password: string, challenge: string): Promise<string> {
  if ((o.method ?? 'login2') === 'rst') {
    const policy = '?' + escapeXml(decodeURIComponent(challenge).replace(/,/g, '&'));
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="http://schemas.xmlsoap.org/ws/2003/06/secext" ' +
      'xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" xmlns:wsp="http://schemas.xmlsoap.org/ws/2002/12/policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" ' +
      'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/03/addressing" xmlns:wssc="http://schemas.xmlsoap.org/ws/2004/04/sc" xmlns:wst="http://schemas.xmlsoap.org/ws/2004/04/trust">' +
      '<Header><ps:AuthInfo xmlns:ps="http://schemas.microsoft.com/Passport/SoapServices/PPCRL" Id="PPAuthInfo"><ps:HostingApp>{7108E71A-9926-4FCB-BCC9-9A9D3F32E423}</ps:HostingApp>' +
      '<ps:BinaryVersion>4</ps:BinaryVersion><ps:UIVersion>1</ps:UIVersion><ps:Cookies></ps:Cookies><ps:RequestParams>AQAAAAIAAABsYwQAAAAxMDMz</ps:RequestParams></ps:AuthInfo>' +
      `<wsse:Security><wsse:UsernameToken Id="user"><wsse:Username>${escapeXml(email)}</wsse:Username><wsse:Password>${escapeXml(password)}</wsse:Password></wsse:UsernameToken></wsse:Security></Header>` +
      '<Body><ps:RequestMultipleSecurityTokens xmlns:ps="http://schemas.microsoft.com/Passport/SoapServices/PPCRL" Id="RSTS">' +
      '<wst:RequestSecurityToken Id="RST0"><wst:RequestType>http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>http://Passport.NET/tb</wsa:Address></wsa:EndpointReference></wsp:AppliesTo></wst:RequestSecurityToken>' +
      `<wst:RequestSecurityToken Id="RST1"><wst:RequestType>http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>messenger.msn.com</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wsse:PolicyReference URI="${policy}"></wsse:PolicyReference></wst:RequestSecurityToken>` +
      '</ps:RequestMultipleSecurityTokens></Body></Envelope>';
    const r = await request(o, 'login.live.com', 'POST', '/RST.srf', { 'Content-Type': 'text/xml; charset=utf-8' }, body);
    const m = /<wsse:BinarySecurityToken Id="(?:PPToken|Compact)1">([^<]*)<\/wsse:BinarySecurityToken>/.exec(r.body);
    if (!m) {
      if (/FailedAuthentication/.test(r.body)) throw new ClientError('Passport refused the password', 911);
      throw new ClientError(`unexpected RST.srf answer (${r.status})`);
    }
    return m[1]!.replace(/&amp;/g, '&');
  }
  const nexus = await request(o, 'nexus.passport.com', 'GET', '/rdr/pprdr.asp', {});
  const urls = String(nexus.headers.passporturls ?? '');
  const da = /(?:^|,)DALogin=([^,]+)/.exec(urls)?.[1];
  if (!da) throw new ClientError('the Nexus named no DALogin');
  const slash = da.indexOf('/');
  const loginHost = da.slice(0, slash);
  const auth = `Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=${encodeURIComponent(email)},pwd=${encodeURIComponent(password)},${challenge}`;
  const r = await request(o, loginHost, 'GET', da.slice(slash), { Authorization: auth });
  if (r.status === 401) throw new ClientError('Passport refused the password', 911);
  const info = String(r.headers['authentication-info'] ?? '');
  const t = /from-PP='([^']*)'/.exec(info)?.[1];
  if (r.status !== 200 || !t) throw new ClientError(`unexpected login2.srf answer (${r.status})`);
  return t;
}
