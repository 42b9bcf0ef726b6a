// The redirector host names of the address-book and storage services.
// COMPAT: MSNPSharp 3.2.1 (MSNService.ChangeCacheKeyAndPreferredHostForSpecifiedMethod)
// sends a method's first call, and every storage call, to byrdr.omega.contacts.msn.com
// or tkrdr.storage.msn.com and expects a 301 whose Location names the real host and
// whose body carries a CacheKey; it drops that answer and makes the real call there.
// Running the probe instead made every such call run twice (an ABContactAdd then
// faults ContactAlreadyExists and the contact is never subscribed to: verification
// of session 11). The probe's body is never read.
import type { WebRequest, WebResponse } from '../router.js';
import { AB_NS, CACHE_KEY } from './service-header.js';
import { SOAP_NS } from './fault.js';
import { esc } from './xml.js';

const REDIRECTS: Readonly<Record<string, string>> = {
  'byrdr.omega.contacts.msn.com': 'contacts.msn.com',
  'tkrdr.storage.msn.com': 'storage.msn.com',
};

/** The real host a redirector name stands for, if `host` is one. */
export function redirectTarget(host: string | undefined): string | undefined {
  const h = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return Object.hasOwn(REDIRECTS, h) ? REDIRECTS[h] : undefined;
}

/** The 301 for a POST to a redirector name, or undefined for any other host. */
export function redirectorAnswer(req: WebRequest): WebResponse | undefined {
  const target = redirectTarget(req.headers['host']);
  if (!target || req.method !== 'POST') return undefined;
  const body =
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode>` +
    `<faultstring>Redirect</faultstring><detail><errorcode xmlns="${AB_NS}">Redirect</errorcode><CacheKey xmlns="${AB_NS}">${esc(CACHE_KEY)}</CacheKey>` +
    `<PreferredHostName xmlns="${AB_NS}">${esc(target)}</PreferredHostName></detail></soap:Fault></soap:Body></soap:Envelope>`;
  return { status: 301, reason: 'Moved Permanently', headers: { Location: `https://${target}${req.path}`, 'Content-Type': 'text/xml; charset=utf-8' }, body };
}
