// One SOAP endpoint (an .asmx path): parse with limits, authenticate, run the
// action, wrap its answer in an envelope; every failure becomes the fault
// clients expect (never a bare 500, never a hang).
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import type { WebHandler, WebRequest, WebResponse } from '../router.js';
import { authenticate, ticketToken, type Principal, type SoapService } from './auth.js';
import { DEFAULT_SOAP_LIMITS, headerAction, parseSoap, type SoapLimits, type SoapRequest } from './envelope.js';
import { SOAP_NS, SoapFault } from './fault.js';
import { redirectorAnswer } from './redirector.js';
import type { AccountRate } from './rate.js';

export interface SoapContext {
  req: WebRequest;
  soap: SoapRequest;
  principal: Principal;
  /** The time of the request (the core's clock). */
  now: number;
}

/** An action's answer: the header's and the body's inner XML. */
export interface SoapAnswer {
  header?: string;
  body: string;
}

export type SoapAction = (ctx: SoapContext) => Promise<SoapAnswer> | SoapAnswer;

export interface SoapEndpoint {
  /** The service's namespace (`http://www.msn.com/webservices/AddressBook`). */
  ns: string;
  service: SoapService;
  actions: Record<string, SoapAction>;
  limits?: SoapLimits;
  /**
   * Larger bodies for the actions named here (by the SOAPAction header, which
   * must then match the body's element): the storage service's CreateDocument
   * carries a picture in base64. Every other request keeps `limits.maxBody`.
   */
  bodyLimits?: Record<string, number>;
  /** Elements whose long base64 texts are kept out of the XML parser (see parseSoap). */
  bulkElements?: readonly string[];
  /** Requests per account (item 8: rate per token). */
  rate?: AccountRate;
  /**
   * Also served over plain HTTP: only for a service whose token opens nothing
   * else (MSNPSharp calls What's New at http://sup.live.com).
   */
  plainHttp?: boolean;
}

function xmlResponse(status: number, reason: string, body: string): WebResponse {
  return { status, reason, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body };
}

export function soapEnvelope(a: SoapAnswer): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    (a.header ? `<soap:Header>${a.header}</soap:Header>` : '') +
    `<soap:Body>${a.body}</soap:Body></soap:Envelope>`
  );
}

/** The holder of the request's token if it is a token RST/RST2 issued for `service` itself. */
async function plainHttpPrincipal(core: Core, soap: SoapRequest, service: SoapService): Promise<Principal | undefined> {
  const token = ticketToken(soap);
  return token ? core.serviceTokens.check(token, service) : undefined;
}

export function soapHandler(core: Core, log: Logger, ep: SoapEndpoint): WebHandler {
  return async (req) => {
    let action = '';
    // SOAP 1.1 §6.2: a fault goes with HTTP 500; the ASMX services did the same,
    // and .NET clients (MSNPSharp) raise the fault only from a 500.
    const fault = (f: SoapFault) => xmlResponse(500, 'Internal Server Error', f.render(ep.ns, `${ep.ns}/${action}`));
    const moved = redirectorAnswer(req);
    if (moved) return moved;
    try {
      // Tickets are credentials: they travel only over TLS (every client calls these services over HTTPS).
      if (!req.secure && !ep.plainHttp) throw SoapFault.client('This service is only served over HTTPS', 'BadArgument');
      const limits = ep.limits ?? DEFAULT_SOAP_LIMITS;
      const named = headerAction(req);
      const larger = named !== undefined && ep.bodyLimits && Object.hasOwn(ep.bodyLimits, named) ? ep.bodyLimits[named] : undefined;
      const soap = parseSoap(req, larger === undefined ? limits : { ...limits, maxBody: larger }, { bulk: ep.bulkElements });
      action = soap.action;
      const run = Object.hasOwn(ep.actions, soap.action) ? ep.actions[soap.action] : undefined;
      if (!run) throw SoapFault.client(`Server did not recognize the action ${soap.action}`, 'UnknownAction');
      // Over plain HTTP only the service's own token: a Passport ticket seen there could be
      // replayed over HTTPS to the address book, storage and RSI, which accept it unexposed.
      const principal = req.secure ? await authenticate(core, soap, ep.service) : await plainHttpPrincipal(core, soap, ep.service);
      if (!principal) throw SoapFault.client('Passport ticket is missing, invalid or expired', 'PassportAuthFail');
      const now = core.clock.now();
      if (ep.rate && !ep.rate.take(principal.accountId, now)) throw SoapFault.client('Too many requests; try again later', 'TooManyRequests');
      const answer = await run({ req, soap, principal, now });
      return xmlResponse(200, 'OK', soapEnvelope(answer));
    } catch (e) {
      if (e instanceof SoapFault) {
        log.info({ path: req.path, action, remote: req.remoteAddress, fault: e.errorCode }, 'SOAP fault');
        return fault(e);
      }
      log.error({ err: e, path: req.path, action }, 'SOAP action failed');
      return fault(new SoapFault('soap:Server', 'Internal error', 'InternalError'));
    }
  };
}
