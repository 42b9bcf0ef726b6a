// One account's lists as the core holds them in memory while the account is
// online: the four (five) lists with their groups, the privacy settings and
// the classic list version. The privacy rules live here, once.
import type { Account } from '../store/store.js';
import { LIST_BITS, type AddPrompt, type Contact, type Group, type Privacy } from './model.js';

export class ContactList {
  readonly contacts = new Map<number, Contact>();
  readonly groups = new Map<number, Group>();
  privacy: Privacy;
  addPrompt: AddPrompt;
  listVersion: number;
  friendlyName: string;
  properties: Record<string, string>;
  readonly accountId: number;
  readonly email: string;

  constructor(account: Account, contacts: Contact[], groups: Group[]) {
    this.accountId = account.id;
    this.email = account.email;
    this.privacy = account.privacy;
    this.addPrompt = account.addPrompt;
    this.listVersion = account.listVersion;
    this.friendlyName = account.friendlyName;
    this.properties = account.properties;
    for (const c of contacts) this.put(c);
    for (const g of groups) this.groups.set(g.id, g);
  }

  put(c: Contact): void {
    if (c.lists === 0) this.contacts.delete(c.contactId);
    else this.contacts.set(c.contactId, c);
  }

  /** The entry for an address (a scan: rare, and an index per online user costs memory). */
  byEmail(email: string): Contact | undefined {
    for (const c of this.contacts.values()) if (c.email === email) return c;
    return undefined;
  }

  bits(contactId: number): number {
    return this.contacts.get(contactId)?.lists ?? 0;
  }

  /**
   * May `otherId` see my presence and contact me? Block list wins, then the
   * allow list, then my default (BLP): AL = everyone else allowed, BL = blocked.
   */
  allows(otherId: number): boolean {
    if (otherId === this.accountId) return true;
    const b = this.bits(otherId);
    if (b & LIST_BITS.BL) return false;
    if (b & LIST_BITS.AL) return true;
    return this.privacy === 'AL';
  }

  contactByGuid(guid: string): Contact | undefined {
    const g = guid.toLowerCase();
    for (const c of this.contacts.values()) if (c.guid === g) return c;
    return undefined;
  }

  groupByGuid(guid: string): Group | undefined {
    const g = guid.toLowerCase();
    for (const x of this.groups.values()) if (x.guid === g) return x;
    return undefined;
  }

  /** Entries on the given list, in insertion order. */
  onList(bit: number): Contact[] {
    const out: Contact[] = [];
    for (const c of this.contacts.values()) if (c.lists & bit) out.push(c);
    return out;
  }
}
