// One endpoint of the OIM store or RSI: limits and parsing as every SOAP
// service (envelope.ts), authentication with the service's token (auth.ts),
// the account's request rate, and faults in these services' own shape.
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import type { WebHandler, WebResponse } from '../router.js';
import { authenticate, ticketToken, type Principal, type SoapService } from './auth.js';
import { soapEnvelope, type SoapAnswer, type SoapContext } from './endpoint.js';
import { DEFAULT_SOAP_LIMITS, parseSoap } from './envelope.js';
import { SoapFault } from './fault.js';
import { HotmailFault } from './hotmail-fault.js';
import type { AccountRate } from './rate.js';

export interface HotmailEndpoint {
  ns: string;
  /** Where faults say they come from. */
  actor: string;
  service: SoapService;
  /** The body is all of soap:Body, the action the SOAPAction header's (the OIM store). */
  wholeBody: boolean;
  actions: Record<string, (ctx: SoapContext) => Promise<SoapAnswer> | SoapAnswer>;
  /** Only the service's own RST token, never a Passport ticket (the OIM store takes the messengersecure.live.com token). */
  serviceTokenOnly: boolean;
  /** The fault for a missing, unknown, expired or foreign token. */
  authFault: () => HotmailFault;
  rate: AccountRate;
}

function xml(status: number, reason: string, body: string): WebResponse {
  return { status, reason, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body };
}

export function hotmailHandler(core: Core, log: Logger, ep: HotmailEndpoint): WebHandler {
  return async (req) => {
    let action = '';
    try {
      if (!req.secure) throw new HotmailFault('soap:Client', 'This service is only served over HTTPS');
      let soap;
      try {
        soap = parseSoap(req, DEFAULT_SOAP_LIMITS, { wholeBody: ep.wholeBody });
      } catch (e) {
        if (e instanceof SoapFault) throw new HotmailFault('soap:Client', e.message);
        throw e;
      }
      action = soap.action;
      const run = Object.hasOwn(ep.actions, action) ? ep.actions[action] : undefined;
      if (!run) throw new HotmailFault('soap:Client', `Server did not recognize the action ${action}`);
      const token = ticketToken(soap);
      const principal: Principal | undefined = ep.serviceTokenOnly ? (token ? await core.serviceTokens.check(token, ep.service) : undefined) : await authenticate(core, soap, ep.service);
      if (!principal) throw ep.authFault();
      const now = core.clock.now();
      if (!ep.rate.take(principal.accountId, now)) throw new HotmailFault('SenderThrottleLimitExceeded', 'Too many requests; try again later');
      return xml(200, 'OK', soapEnvelope(await run({ req, soap, principal, now })));
    } catch (e) {
      if (e instanceof HotmailFault) {
        log.info({ path: req.path, action, remote: req.remoteAddress, fault: e.code }, 'SOAP fault');
        return xml(500, 'Internal Server Error', e.render(ep.ns, ep.actor));
      }
      log.error({ err: e, path: req.path, action }, 'SOAP action failed');
      return xml(500, 'Internal Server Error', new HotmailFault('soap:Server', 'Internal error').render(ep.ns, ep.actor));
    }
  };
}
