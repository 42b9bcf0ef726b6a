// What the address book and the sharing service show of an account: the
// core's lists read consistently, when each part last changed, and, for a
// client asking for deltas since its `lastChange`, only what changed after
// it, removals included (the store's tombstones).
//
// Times come from the store: every change to an account's lists moves the
// account's change time on, strictly, and durably (docs/decisions.md
// "Address book deltas"), so a `lastChange` a client holds stays meaningful
// across restarts. A delta from before the newest forgotten removal (past
// the retention window) cannot be answered: `Full sync required`.
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import type { Contact, Group } from '../../core/model.js';
import type { ContactList } from '../../core/contact-list.js';
import type { ListHistory } from '../../store/store.js';
import type { Principal } from './auth.js';
import { SoapFault } from './fault.js';
import { parseAbTime, type Ticks } from './xml.js';

export interface BookView {
  owner: ContactList;
  /** Entries on any list (forward, allow, block, reverse, pending); in a delta, those changed since. */
  contacts: Contact[];
  /** The user's groups (group 0, "Other Contacts", is not a group here); in a delta, those changed since. */
  groups: Group[];
  /** Entries and groups gone since the delta's time (empty in a full answer). */
  removedContacts: ListHistory['removedContacts'];
  removedGroups: ListHistory['removedGroups'];
  /** Every group's GUID by id (a changed contact names unchanged groups too). */
  groupGuids: Map<number, string>;
  /** When the account's lists last changed: the `lastChange` of the answer. */
  at: Ticks;
  /** When an entry (by contact account id) or group (by id) last changed. */
  contactAt(contactId: number): Ticks;
  groupAt(groupId: number): Ticks;
  /** A delta answer (only what changed after the client's time). */
  delta: boolean;
  /** A delta request with nothing new. */
  unchanged: boolean;
}

/** The fault both services give for a book that is not there (client-quirks.md: Pidgin tolerates only this one). */
export function abDoesNotExist(): SoapFault {
  return SoapFault.client('Address Book Does Not Exist', 'ABDoesNotExist');
}

/** The fault that makes a client fetch everything again (services.md §4; MSNPSharp matches "Full sync required"). */
export function fullSyncRequired(): SoapFault {
  return SoapFault.client('Full sync required. Details: the changes since this time are no longer kept', 'FullSyncRequired');
}

/** A time after every removal (the largest signed 64-bit value). */
const NO_REMOVALS = (1n << 63n) - 1n;

export async function readBook(core: Core, who: Principal, deltasOnly: boolean, lastChange: string | undefined): Promise<BookView> {
  // An unreadable time with deltasOnly gets the full book, which a delta request may always get.
  const since = deltasOnly ? parseAbTime(lastChange) : undefined;
  let view;
  try {
    // A full answer lists no removals: none are read.
    view = await core.contacts.addressBookView(who.accountId, since ?? NO_REMOVALS);
  } catch (e) {
    if (e instanceof CoreError && e.kind === 'no-such-user') throw abDoesNotExist();
    throw e;
  }
  const h = view.history;
  if (since !== undefined && since < h.prunedAt) throw fullSyncRequired();
  const at = h.changedAt;
  const contactAt = (id: number) => h.contactTimes.get(id) ?? 0n;
  const groupAt = (id: number) => h.groupTimes.get(id) ?? 0n;
  const live = view.contacts.filter((c) => c.lists !== 0);
  const groups = view.groups.filter((g) => g.id !== 0);
  const groupGuids = new Map(groups.map((g) => [g.id, g.guid]));
  if (since === undefined) {
    return { owner: view.list, contacts: live, groups, removedContacts: [], removedGroups: [], groupGuids, at, contactAt, groupAt, delta: false, unchanged: false };
  }
  return {
    owner: view.list,
    contacts: live.filter((c) => contactAt(c.contactId) > since),
    groups: groups.filter((g) => groupAt(g.id) > since),
    removedContacts: h.removedContacts,
    removedGroups: h.removedGroups,
    groupGuids,
    at,
    contactAt,
    groupAt,
    delta: true,
    unchanged: since >= at,
  };
}
