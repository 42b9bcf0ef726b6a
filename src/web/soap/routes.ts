// The SOAP web services' routes: the address book and the sharing service.
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
}
