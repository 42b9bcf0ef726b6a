// The `ServiceHeader` every address-book and sharing answer carries
// (msnab_servicetypes.xsd): Version, CacheKey, CacheKeyChanged,
// PreferredHostName, SessionId.
import { randomBytes, randomUUID } from 'node:crypto';
import type { WebRequest } from '../router.js';
import { el } from './xml.js';

export const AB_NS = 'http://www.msn.com/webservices/AddressBook';

/** One cache key per process: clients echo it back and never read it. */
export const CACHE_KEY = `12r1:${randomBytes(48).toString('base64url')}`;

/**
 * The host clients should use next. COMPAT: MSNPSharp sends its following
 * requests to PreferredHostName, so it must be a name that already reaches
 * this server: the one the client used (Pidgin 2.11: local-bay.contacts.msn.com,
 * MSNPSharp: byrdr.omega.contacts.msn.com; client-quirks.md "HTTP and TLS").
 */
export function preferredHost(req: WebRequest): string {
  const host = (req.headers['host'] ?? '').replace(/:\d+$/, '').toLowerCase();
  return /^[a-z0-9.-]{1,253}$/.test(host) ? host : 'contacts.msn.com';
}

export function serviceHeader(req: WebRequest): string {
  return (
    `<ServiceHeader xmlns="${AB_NS}">${el('Version', '15.01.1408.0000')}${el('CacheKey', CACHE_KEY)}${el('CacheKeyChanged', true)}` +
    `${el('PreferredHostName', preferredHost(req))}${el('SessionId', randomUUID())}</ServiceHeader>`
  );
}
