// Faults of the OIM store and RSI, which were not ASMX address-book services:
// clients match the faultcode with its `q0:` prefix (COMPAT: Pidgin 2.11
// compares the text "q0:AuthenticationFailed", "q0:SystemUnavailable"...;
// MSNPSharp 3.2.1 the qualified name's local part) and read `detail` as the
// service wrote it (the lock-key challenge is the detail's whole text).
import { SOAP_NS } from './fault.js';
import { esc } from './xml.js';

export class HotmailFault extends Error {
  constructor(
    /** The faultcode's local name (`AuthenticationFailed`), or a `soap:` code as is. */
    readonly code: string,
    message: string,
    /** The inner XML of `detail` (already escaped). */
    readonly detail = '',
  ) {
    super(message);
  }

  render(ns: string, actor: string): string {
    const code = this.code.startsWith('soap:') ? this.code : `q0:${this.code}`;
    return (
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:q0="${ns}">` +
      `<soap:Body><soap:Fault><faultcode>${code}</faultcode><faultstring>${esc(this.message)}</faultstring><faultactor>${esc(actor)}</faultactor>` +
      `<detail>${this.detail}</detail></soap:Fault></soap:Body></soap:Envelope>`
    );
  }
}
