// SOAP 1.1 faults as the ASMX services wrote them: HTTP 500, `soap:Fault`
// with faultcode, faultstring, faultactor and a `detail` carrying the
// service's `errorcode` and `errorstring`. Clients match on the faultstring
// text (MSNPSharp: "Address Book Does Not Exist", "Full sync required") and on
// `detail/errorcode` (client-quirks.md "Address book and memberships").
import { esc } from './xml.js';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export class SoapFault extends Error {
  constructor(
    /** `soap:Client` (the request is at fault) or `soap:Server`. */
    readonly code: 'soap:Client' | 'soap:Server',
    message: string,
    /** `detail/errorcode`, e.g. `ABDoesNotExist`. */
    readonly errorCode: string,
    /** Further `detail` children (escaped XML), e.g. `additionalDetails/conflictObjectId`. */
    readonly extraDetail = '',
  ) {
    super(message);
  }

  static client(message: string, errorCode: string, extraDetail = ''): SoapFault {
    return new SoapFault('soap:Client', message, errorCode, extraDetail);
  }

  /** The whole response document; `ns` is the service's namespace, `actor` the action's URI. */
  render(ns: string, actor: string): string {
    return (
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
      `<soap:Body><soap:Fault><faultcode>${this.code}</faultcode><faultstring>${esc(this.message)}</faultstring><faultactor>${esc(actor)}</faultactor>` +
      `<detail><errorcode xmlns="${ns}">${esc(this.errorCode)}</errorcode><errorstring xmlns="${ns}">${esc(this.message)}</errorstring>` +
      `<machineName xmlns="${ns}">msnpd</machineName>${this.extraDetail}</detail></soap:Fault></soap:Body></soap:Envelope>`
    );
  }
}
