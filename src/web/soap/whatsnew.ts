// "What's New" (sup.live.com/whatsnew/whatsnewservice.asmx, services.md §0):
// the contacts' recent-activity feed WLM 2009 shows under the contact list and
// MSNPSharp 3.x fetches with GetContactsRecentActivity. msnpd keeps no
// activity feed (it was a Windows Live Spaces/Profile feature), so the answer
// is a well-formed, empty feed: the client shows nothing instead of an error.
// Shape: GetContactsRecentActivityResultType in msnab_servicetypes.xsd
// (msndevs/msnp-sharp, MSNPSHARP_31_STABLE, MSNWS.MSNABSharingService).
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import type { Router } from '../router.js';
import { soapHandler, type SoapAction } from './endpoint.js';
import type { AccountRate } from './rate.js';
import { AB_NS } from './service-header.js';

export const WHATSNEW_PATH = '/whatsnew/whatsnewservice.asmx';

const getContactsRecentActivity: SoapAction = () => ({
  body:
    `<GetContactsRecentActivityResponse xmlns="${AB_NS}"><GetContactsRecentActivityResult>` +
    '<Activities></Activities><Templates></Templates><FeedUrl></FeedUrl>' +
    '</GetContactsRecentActivityResult></GetContactsRecentActivityResponse>',
});

export function whatsNewRoutes(router: Router, core: Core, log: Logger, rate: AccountRate): void {
  // COMPAT: MSNPSharp 3.2.1 calls it at http://sup.live.com (MSNService.cs); the
  // sup.live.com token it presents opens nothing else, so plain HTTP is served.
  const handler = soapHandler(core, log, { ns: AB_NS, service: 'whatsup', rate, plainHttp: true, actions: { GetContactsRecentActivity: getContactsRecentActivity } });
  router.on('POST', WHATSNEW_PATH, handler);
}
