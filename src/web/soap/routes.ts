// The SOAP web services' routes: the address book, the sharing service, the OIM store and RSI, What's New.
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import type { Router } from '../router.js';
import { abServiceActions } from './abservice.js';
import { abWriteActions } from './ab-writes.js';
import { soapHandler } from './endpoint.js';
import { AB_NS } from './service-header.js';
import { sharingActions } from './sharing.js';
import { sharingWriteActions } from './sharing-writes.js';
import { AccountRate } from './rate.js';
import { whatsNewRoutes } from './whatsnew.js';

import { hotmailHandler } from './hotmail-endpoint.js';
import { HotmailFault } from './hotmail-fault.js';
import { LockKeys, OIM_NS, oimActions } from './oim.js';
import { RSI_NS, rsiActions } from './rsi.js';

export interface SoapRate {
  /** Requests per second per account (0: no limit). */
  rate: number;
  burst: number;
}

export function soapRoutes(router: Router, core: Core, log: Logger, limit: SoapRate): void {
  // One bucket per account across both services.
  const rate = new AccountRate(limit.rate, limit.burst);
  const ab = soapHandler(core, log, { ns: AB_NS, service: 'contacts', rate, actions: { ...abServiceActions(core), ...abWriteActions(core) } });
  const sharing = soapHandler(core, log, { ns: AB_NS, service: 'contacts', rate, actions: { ...sharingActions(core), ...sharingWriteActions(core) } });
  router.on('POST', '/abservice/abservice.asmx', ab);
  router.on('POST', '/abservice/SharingService.asmx', sharing);
  whatsNewRoutes(router, core, log, rate);

  // Offline messages (services.md §7). A bad token: Pidgin 2.11 fetches a new one on
  // q0:BadContextToken (store) or q0:AuthenticationFailed with RequiredAuthPolicy (RSI).
  const oim = hotmailHandler(core, log, {
    ns: OIM_NS, actor: 'https://ows.messenger.msn.com/OimWS/oim.asmx', service: 'oim', wholeBody: true, serviceTokenOnly: true, rate, actions: oimActions(core, new LockKeys()),
    authFault: () => new HotmailFault('BadContextToken', 'The ticket is missing, invalid or expired'),
  });
  // RSI has a bucket of its own, deep enough for a sign-in that fetches a full box: COMPAT
  // Pidgin 2.11 sends one GetMessage and one DeleteMessages per message, all at once.
  const rsiRate = new AccountRate(limit.rate, Math.max(limit.burst, 2 * core.offline.limits.perRecipient + 2));
  const rsi = hotmailHandler(core, log, {
    ns: RSI_NS, actor: 'https://rsi.hotmail.com/rsi/rsi.asmx', service: 'rsi', wholeBody: false, serviceTokenOnly: false, rate: rsiRate, actions: rsiActions(core),
    authFault: () => new HotmailFault('AuthenticationFailed', 'The ticket is missing, invalid or expired', `<RequiredAuthPolicy xmlns="${RSI_NS}">MBI</RequiredAuthPolicy>`),
  });
  router.on('POST', '/OimWS/oim.asmx', oim);
  router.on('POST', '/rsi/rsi.asmx', rsi);
}
