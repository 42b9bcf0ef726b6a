// The address-book change notice (`NOT`, MSNP13+): tells a SOAP-era client
// that its address book or memberships changed, so that it fetches the
// deltas. Shape: flows.md §4.2 (the original service's notice). COMPAT:
// MSNPSharp 3.2.1 acts on it only when the root has no `ver` attribute,
// `id="0"` and `siteid="45705"`, `MSG id="0"`, `TO/VIA agent="messenger"`,
// `TO name` is the owner's address, and the escaped `NotificationData` in
// `BODY` names the Service `ABCHInternal` and the owner's CID in signed
// decimal (client-quirks.md "Address book and memberships"). Pidgin 2.11
// reads the payload by its length and ignores it.
import { cidDecimal, cidValue } from '../../../core/cid.js';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The PUID as `TO pid` writes it: two 32-bit halves in hex (MSNPSharp splits at the colon). */
function pid(accountId: number): string {
  const v = BigInt.asUintN(64, cidValue(accountId));
  const half = (x: bigint) => `0x${x.toString(16).padStart(8, '0')}`;
  return `${half(v & 0xffffffffn)}:${half(v >> 32n)}`;
}

/** The `NOT` payload for the owner `email` (account `accountId`), changed at `now` (ms). */
export function abchNotification(accountId: number, email: string, now: number): string {
  const data =
    '<NotificationData xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<Service>ABCHInternal</Service><CID>${cidDecimal(accountId)}</CID>` +
    `<LastModifiedDate>${new Date(now).toISOString()}</LastModifiedDate><HasNewItem>false</HasNewItem></NotificationData>`;
  return (
    `<NOTIFICATION id="0" siteid="45705" siteurl="http://contacts.msn.com"><TO pid="${pid(accountId)}" name="${escapeXml(email)}"><VIA agent="messenger" /></TO>` +
    `<MSG id="0"><SUBSCR url="s.htm" /><ACTION url="a.htm" /><BODY>${escapeXml(data)}</BODY></MSG></NOTIFICATION>`
  );
}
