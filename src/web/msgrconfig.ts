// MsgrConfig (`/Config/MsgrConfig.asmx`, services.md §8): the client
// configuration Messenger 6.x-7.x fetch with a SOAP GetClientConfig and
// WLM 8.x/2009 with a plain GET at sign-in. A missing or broken answer shows
// an error in those clients; the content is the least that lets them go on:
// no tabs, no ads, no relay settings, a config valid for a day.
import type { Router, WebRequest, WebResponse } from './router.js';
import { SOAP_NS } from './soap/fault.js';
import { nestingDepth } from './soap/envelope.js';
import { hasDtd } from '../core/client-xml.js';

export const MSGR_CLIENT_NS = 'http://www.msn.com/webservices/Messenger/Client';

/** The `<MsgrConfig>` document (no tabs, no localized content). */
export function msgrConfig(): string {
  return (
    '<MsgrConfig><Simple><Config><ExpiresInDays>1</ExpiresInDays></Config><DisablePhoneDialer>1</DisablePhoneDialer>' +
    '<MinFlashPlayer BuildNumber="0" MajorVersion="0" MinorVersion="0"></MinFlashPlayer>' +
    '<Relay><Enabled>0</Enabled></Relay><TrustedDomains></TrustedDomains><ErrorResponseTable></ErrorResponseTable></Simple>' +
    '<TabConfig><msntabdata></msntabdata></TabConfig></MsgrConfig>'
  );
}

function xmlAnswer(status: number, reason: string, body: string): WebResponse {
  return { status, reason, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body };
}

/** Largest GetClientConfig request read (the request is a few hundred bytes). */
const MAX_BODY = 16 * 1024;

function fault(message: string): WebResponse {
  return xmlAnswer(
    500,
    'Internal Server Error',
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>${message}</faultstring></soap:Fault></soap:Body></soap:Envelope>`,
  );
}

function soap(req: WebRequest): WebResponse {
  // Nothing of the request is used: it names the client's version and locale, and every client gets the same.
  const text = req.body.toString('utf8');
  if (req.body.length > MAX_BODY || hasDtd(text) || nestingDepth(text) > 16) return fault('Request refused');
  if (!/<(?:\w{1,32}:)?GetClientConfig[\s>/]/.test(text)) return fault('Server did not recognize the request');
  return xmlAnswer(
    200,
    'OK',
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
      `<soap:Body><GetClientConfigResponse xmlns="${MSGR_CLIENT_NS}"><GetClientConfigResult><![CDATA[${msgrConfig()}]]></GetClientConfigResult></GetClientConfigResponse></soap:Body></soap:Envelope>`,
  );
}

export function msgrConfigRoutes(router: Router): void {
  // Plain HTTP and HTTPS alike: the clients fetch it from http://config.messenger.msn.com.
  router.on('GET', '/Config/MsgrConfig.asmx', () => xmlAnswer(200, 'OK', `<?xml version="1.0" encoding="utf-8"?>${msgrConfig()}`));
  router.on('POST', '/Config/MsgrConfig.asmx', soap);
}
