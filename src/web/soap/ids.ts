// Identifiers the address book shows for accounts: the CID (a signed 64-bit
// decimal in every client) and the GUID of the owner's own "Me" contact.
import { createHash } from 'node:crypto';
import { cidDecimal } from '../../core/cid.js';

/** The all-zero GUID: the owner's own address book (msnab_servicetypes.xsd ABFindAll/abId). */
export const OWN_AB_ID = '00000000-0000-0000-0000-000000000000';

/** An account's CID in decimal (MSNPSharp parses a signed long): src/core/cid.ts. */
export function cidOf(accountId: number): string {
  return cidDecimal(accountId);
}

/** A stable GUID for the account's "Me" contact (the core keeps none: it is not on any list). */
export function meContactId(accountId: number): string {
  const h = createHash('sha256').update(`msnpd-me:${accountId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
