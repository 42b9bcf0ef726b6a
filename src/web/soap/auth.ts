// Who a SOAP request speaks for. Every SOAP service authenticates here, once:
// today with the Passport ticket an RST.srf/login2.srf sign-in issued (read,
// never burnt: it stays valid for web use until it expires); the per-service
// tokens of RST2/SSO plug in at this one place.
import type { Core } from '../../core/core.js';
import { child, textOf, type SoapRequest } from './envelope.js';

/** The service a token is presented to (the RST AppliesTo address it should have been issued for). */
export type SoapService = 'contacts' | 'storage' | 'oim' | 'rsi';

export interface Principal {
  accountId: number;
  email: string;
}

/**
 * The `t=…&p=…` ticket in the request's header: `ABAuthHeader/TicketToken`
 * (address book and sharing), `StorageUserHeader/TicketToken` (storage).
 * COMPAT: Pidgin 2.11 sends the bare `t=…` without `&p=`.
 */
export function ticketToken(soap: SoapRequest): string | undefined {
  for (const holder of ['ABAuthHeader', 'StorageAuthHeader', 'StorageUserHeader']) {
    const t = textOf(child(soap.header, holder, 'TicketToken'));
    if (t !== undefined) return t.trim();
  }
  return undefined;
}

/** The account the request may act for, or undefined (no, unknown or expired ticket). */
export function authenticate(core: Core, soap: SoapRequest, service: SoapService): Principal | undefined {
  void service; // per-service tokens (RST2) are checked here once they exist
  const token = ticketToken(soap);
  if (!token) return undefined;
  return core.tickets.verify(token);
}
