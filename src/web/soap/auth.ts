// Who a SOAP request speaks for. Every SOAP service authenticates here, once:
// with the service token RST.srf/RST2.srf issued for that service, or a
// Passport ticket (read, never burnt: it stays valid for web use until it
// expires).
import type { Core } from '../../core/core.js';
import { child, textOf, type SoapRequest } from './envelope.js';

/** The service a token is presented to (the RST AppliesTo address it should have been issued for). */
export type SoapService = 'contacts' | 'storage' | 'oim' | 'rsi' | 'whatsup';

export interface Principal {
  accountId: number;
  email: string;
}

/**
 * The `t=…&p=…` ticket in the request's header: `ABAuthHeader/TicketToken`
 * (address book and sharing), `StorageUserHeader/TicketToken` (storage),
 * `WNAuthHeader/TicketToken` (What's New).
 * COMPAT: Pidgin 2.11 sends the bare `t=…` without `&p=`.
 */
export function ticketToken(soap: SoapRequest): string | undefined {
  // OIM Store: `<Ticket passport="t=…&p=…" …/>`; RSI: `<PassportCookie><t>…</t><p>…</p>` (services.md §7).
  const ticket = child(soap.header, 'Ticket');
  const passport = ticket && typeof ticket === 'object' ? (ticket as Record<string, unknown>)['@passport'] : undefined;
  if (typeof passport === 'string' && passport.trim()) return passport.trim();
  const cookie = child(soap.header, 'PassportCookie');
  const t = textOf(child(cookie, 't'))?.trim();
  if (t) return `t=${t}&p=${textOf(child(cookie, 'p'))?.trim() ?? ''}`;
  for (const holder of ['ABAuthHeader', 'StorageAuthHeader', 'StorageUserHeader', 'WNAuthHeader']) {
    const t = textOf(child(soap.header, holder, 'TicketToken'));
    if (t !== undefined) return t.trim();
  }
  return undefined;
}

/**
 * The account the request may act for, or undefined (no, unknown or expired
 * token): the service token RST/RST2 issued for this service (what WLM and
 * MSNPSharp present), else a Passport ticket (messenger.msn.com, login2.srf)
 * that has not been shown on the notification connection, which is plain TCP
 * (docs/decisions.md "MSNP13-18: SSO").
 */
export async function authenticate(core: Core, soap: SoapRequest, service: SoapService): Promise<Principal | undefined> {
  const token = ticketToken(soap);
  if (!token) return undefined;
  // The messenger.msn.com token is also the Passport ticket MSNP12-14 show in `USR TWN S` (plain TCP).
  if (service === 'rsi' && core.tickets.exposedWithoutRsiUse(token)) return undefined;
  return (await core.serviceTokens.check(token, service)) ?? core.tickets.verifyUnexposed(token);
}
