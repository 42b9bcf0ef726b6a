// What the address book and the sharing service show of an account: the
// core's lists read consistently, the time of that version, and whether a
// client asking for deltas since `lastChange` has anything to fetch.
//
// Deltas: the core keeps no per-entry change times, so an answer to a delta
// request is either empty (nothing changed since the client's time, which
// came from this server) or the full list. A full list answers a delta
// request correctly for everything but removals (no tombstones yet).
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import type { Contact, Group } from '../../core/model.js';
import type { ContactList } from '../../core/contact-list.js';
import type { Principal } from './auth.js';
import type { ChangeClock } from './change-clock.js';
import { SoapFault } from './fault.js';
import { parseAbTime, type Ticks } from './xml.js';

export interface BookView {
  owner: ContactList;
  /** Every entry on any list (forward, allow, block, reverse, pending). */
  contacts: Contact[];
  /** The user's groups (group 0, "Other Contacts", is not a group here). */
  groups: Group[];
  /** The time of this version of the lists. */
  at: Ticks;
  /** A delta request whose time is not older than `at`: nothing to send. */
  unchanged: boolean;
}

/** The fault both services give for a book that is not there (client-quirks.md: Pidgin tolerates only this one). */
export function abDoesNotExist(): SoapFault {
  return SoapFault.client('Address Book Does Not Exist', 'ABDoesNotExist');
}

export async function readBook(core: Core, clock: ChangeClock, who: Principal, deltasOnly: boolean, lastChange: string | undefined): Promise<BookView> {
  let view;
  try {
    view = await core.contacts.syncView(who.accountId);
  } catch (e) {
    if (e instanceof CoreError && e.kind === 'no-such-user') throw abDoesNotExist();
    throw e;
  }
  const at = clock.at(who.accountId, view.list.listVersion);
  const since = deltasOnly ? parseAbTime(lastChange) : undefined;
  return {
    owner: view.list,
    contacts: view.contacts.filter((c) => c.lists !== 0),
    groups: view.groups.filter((g) => g.id !== 0),
    at,
    unchanged: since !== undefined && since >= at,
  };
}
