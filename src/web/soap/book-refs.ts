// Resolving what a write request names (contact GUIDs, group GUIDs, addresses,
// membership ids) against the owner's lists as stored now. The core checks
// again inside its transaction; this only turns the client's names into the
// core's (address, group id).
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import { normaliseEmail, isValidEmail } from '../../core/email.js';
import type { Contact, Group } from '../../core/model.js';
import type { Principal } from './auth.js';
import { abDoesNotExist } from './book.js';
import { coreFault, type FaultSide } from './core-faults.js';
import { child, textOf } from './envelope.js';
import { OWN_AB_ID } from './ids.js';

export interface Refs {
  contacts: Contact[];
  groups: Group[];
}

/** The owner's entries and groups (group 0 is not a group in the address book). */
export async function readRefs(core: Core, who: Principal): Promise<Refs> {
  try {
    const v = await core.contacts.syncView(who.accountId);
    return { contacts: v.contacts.filter((c) => c.lists !== 0), groups: v.groups.filter((g) => g.id !== 0) };
  } catch (e) {
    if (e instanceof CoreError && e.kind === 'no-such-user') throw abDoesNotExist();
    throw e;
  }
}

/** Every write names the owner's own book (`abId`, all zeros) or none; another book does not exist. */
export function checkAbId(body: unknown): void {
  const abId = textOf(child(body, 'abId'))?.trim();
  if (abId && abId.toLowerCase() !== OWN_AB_ID) throw abDoesNotExist();
}

export function contactByGuid(r: Refs, guid: string | undefined): Contact | undefined {
  const g = guid?.trim().toLowerCase();
  return g ? r.contacts.find((c) => c.guid === g) : undefined;
}

export function groupByGuid(r: Refs, guid: string | undefined): Group | undefined {
  const g = guid?.trim().toLowerCase();
  return g ? r.groups.find((x) => x.guid === g) : undefined;
}

/** A client-given address, checked and normalised; a bad one is the invalid-address fault. */
export function addressOf(raw: string | undefined, side: FaultSide): string {
  const e = normaliseEmail(raw ?? '');
  if (!isValidEmail(e)) throw coreFault(new CoreError('invalid-address', e), side);
  return e;
}

/**
 * The entry a `MembershipId` names. COMPAT: Pidgin 2.11 echoes the number
 * FindMembership gave (our contact's account id; it sends 0 when it has
 * none); MSNPSharp 3.2.1 sends `Role/<id>`, the id being a number or a GUID
 * (captures: `Pending/74ef…`), which here is the entry's GUID.
 */
export function contactByMembershipId(r: Refs, raw: string | undefined): Contact | undefined {
  const id = (raw ?? '').trim().replace(/^[A-Za-z]+\//, '');
  if (/^\d{1,10}$/.test(id)) {
    const n = Number(id);
    return n > 0 ? r.contacts.find((c) => c.contactId === n) : undefined;
  }
  return contactByGuid(r, id);
}
