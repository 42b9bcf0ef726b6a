// Changes to contact lists: the forward, allow and block lists a user edits,
// the reverse list the server keeps for them, groups, privacy settings, the
// friendly name and phone properties. Each change is one transaction; the
// caller hears the result only after it has committed. Presence and reverse
// list notifications follow from here, so every front obeys the same rules.
import { randomUUID } from 'node:crypto';
import type { ListHistory, Store, StoreOps } from '../store/store.js';
import { LIST_BITS, type AddPrompt, type Contact, type Group, type ListName, type Privacy } from './model.js';
import type { ContactList } from './contact-list.js';
import { CoreError } from './errors.js';
import type { EventBus } from './events.js';
import type { ListCache } from './list-cache.js';
import type { PresenceEntry, PresenceService } from './presence.js';

export interface ContactLimits {
  /** Entries on the forward list. */
  maxContacts: number;
  /** Entries on the allow or block list. */
  maxPrivacyEntries: number;
  maxGroups: number;
  /** Characters in a (decoded) group name. */
  maxGroupNameLength: number;
  /** Characters in a (decoded) friendly name. */
  maxFriendlyNameLength: number;
}

export const DEFAULT_CONTACT_LIMITS: ContactLimits = {
  maxContacts: 2000,
  maxPrivacyEntries: 4000,
  maxGroups: 30,
  maxGroupNameLength: 127,
  maxFriendlyNameLength: 387,
};

export interface ListChange {
  version: number;
  email: string;
  friendlyName: string;
  /** The entry's GUID (MSNP10+ contact id). */
  guid: string;
  /** The group the change concerned (FL with groups). */
  groupId?: number;
  /** A new forward-list entry (not just another group for an existing one). */
  newEntry?: boolean;
  /** For a new forward-list entry: the contact's presence, if the owner may see it. */
  presence?: PresenceEntry;
}

export interface SyncView {
  /** The viewer's own settings and list version (the live, cached object). */
  list: ContactList;
  /** Entries with the contacts' friendly names as stored now. */
  contacts: Contact[];
  groups: Group[];
  /** Phone numbers by contact account id, for contacts who share them with the viewer. */
  shared: Map<number, Record<string, string>>;
}

export interface GroupChange {
  version: number;
  group: { id: number; name: string; guid: string };
}

const USER_LISTS: readonly ListName[] = ['FL', 'AL', 'BL'];

export class ContactService {
  constructor(
    private readonly store: Store,
    private readonly lists: ListCache,
    private readonly presence: PresenceService,
    private readonly bus: EventBus,
    private readonly limits: ContactLimits = DEFAULT_CONTACT_LIMITS,
  ) {}

  /**
   * One of the owner's contacts named by its GUID (MSNP10+, the address book)
   * or its address. Reads the signed-in owner's cached list.
   */
  findContact(ownerId: number, ref: string): Contact | undefined {
    const l = this.lists.peek(ownerId);
    return l?.contactByGuid(ref) ?? l?.byEmail(ref.toLowerCase());
  }

  /**
   * One of the owner's groups named by its GUID or, with `byName`, by its
   * (decoded) name: COMPAT: MSN 7.0 sometimes sends the name (ns-msnp8-12 §3.17).
   */
  findGroup(ownerId: number, ref: string, byName?: string): Group | undefined {
    const l = this.lists.peek(ownerId);
    const g = l?.groupByGuid(ref);
    if (g || byName === undefined) return g;
    for (const x of l?.groups.values() ?? []) if (x.id !== 0 && x.name === byName) return x;
    return undefined;
  }

  /**
   * Adds `email` to one of the owner's lists (FL, AL, BL). For FL with a group:
   * a contact already on FL joins that group.
   */
  async add(ownerId: number, list: ListName, email: string, groupId?: number, origin?: string): Promise<ListChange> {
    if (!USER_LISTS.includes(list)) throw new CoreError('invalid-list');
    const bit = LIST_BITS[list];
    let couldSee = false;
    let contactId = 0;
    // The owner as read in the transaction: over SOAP the owner need not be signed in (no cached list to peek at).
    let ownerEmail = '';
    let ownerName = '';
    const result = await this.mutate([ownerId], async (tx, touched, changed, post) => {
      const owner = await this.mustRead(tx, ownerId);
      ownerEmail = owner.email;
      ownerName = owner.friendlyName;
      const account = await tx.getAccountByEmail(email);
      if (!account) throw new CoreError('no-such-user', email);
      contactId = account.id;
      touched.push(contactId);
      const entry = owner.contacts.get(account.id);
      const cur = entry?.lists ?? 0;
      couldSee = this.couldSee(ownerId, contactId);
      if (list === 'FL' && groupId !== undefined && groupId !== 0 && !owner.groups.has(groupId)) throw new CoreError('no-such-group');
      if (cur & bit) {
        // Already on FL: adding to a further group is allowed. Group 0 ("Other
        // Contacts") means "in no other group", so adding to it is a no-op.
        if (list === 'FL' && groupId !== undefined && (groupId !== 0 || entry!.groups.length > 0)) {
          if (groupId !== 0 && !entry!.groups.includes(groupId)) {
            await this.write(tx, owner, { ...entry!, groups: [...entry!.groups, groupId].sort((a, b) => a - b) });
          } else if (groupId !== 0) {
            throw new CoreError('already-on-list');
          }
          return { version: await this.bump(tx, owner, changed), email: account.email, friendlyName: account.friendlyName, groupId, guid: entry!.guid };
        }
        throw new CoreError('already-on-list');
      }
      if (list === 'AL' && cur & LIST_BITS.BL) throw new CoreError('in-opposite-list');
      if (list === 'BL' && cur & LIST_BITS.AL) throw new CoreError('in-opposite-list');
      const max = list === 'FL' ? this.limits.maxContacts : this.limits.maxPrivacyEntries;
      if (owner.onList(bit).length >= max) throw new CoreError('list-full');
      // Deciding to allow or block someone settles a pending (PL) entry.
      const lists = list === 'FL' ? cur | bit : (cur | bit) & ~LIST_BITS.PL;
      const next: Contact = entry
        ? { ...entry, lists }
        : { contactId: account.id, email: account.email, friendlyName: account.friendlyName, lists, guid: randomUUID(), groups: [] };
      if (list === 'FL' && groupId !== undefined && groupId !== 0) next.groups = [groupId];
      await this.write(tx, owner, next);
      const version = await this.bump(tx, owner, changed);
      let rlVersion: number | undefined;
      if (list === 'FL') rlVersion = await this.setReverse(tx, account.id, owner, true, changed);
      if (rlVersion !== undefined) {
        const v = rlVersion;
        post.push(() =>
          this.bus.toAccount(contactId, {
            type: 'reverse-list', op: 'add', email: ownerEmail, friendlyName: this.presence.get(ownerId)?.friendlyName ?? ownerName, version: v,
          }),
        );
      }
      return { version, email: account.email, friendlyName: account.friendlyName, groupId, rlVersion, account, guid: next.guid };
    }, origin);
    this.afterChange(ownerId, contactId, list, couldSee);
    const change: ListChange = { version: result.version, email: result.email, friendlyName: result.friendlyName, groupId: result.groupId, guid: result.guid };
    if (list === 'FL' && 'rlVersion' in result) {
      change.newEntry = true;
      if (this.presence.isVisibleTo(contactId, ownerId)) change.presence = this.presence.entryOf(contactId);
    }
    return change;
  }

  /** Removes `email` from one of the owner's lists; for FL with a group, from that group only. */
  async remove(ownerId: number, list: ListName, email: string, groupId?: number, origin?: string): Promise<ListChange> {
    if (!USER_LISTS.includes(list)) throw new CoreError('invalid-list');
    const bit = LIST_BITS[list];
    let couldSee = false;
    let contactId = 0;
    let rlVersion: number | undefined;
    let ownerEmail = '';
    const result = await this.mutate([ownerId], async (tx, touched, changed, post) => {
      const owner = await this.mustRead(tx, ownerId);
      ownerEmail = owner.email;
      const entry = owner.byEmail(email);
      if (!entry || !(entry.lists & bit)) throw new CoreError('not-on-list', email);
      contactId = entry.contactId;
      touched.push(contactId);
      couldSee = this.couldSee(ownerId, contactId);
      if (list === 'FL' && groupId !== undefined) {
        // With a group: only that membership goes; a contact leaving its last
        // group falls back to group 0. Removing from group 0 a contact that is
        // in no other group takes it off the forward list.
        if (groupId !== 0) {
          if (!owner.groups.has(groupId)) throw new CoreError('no-such-group');
          if (!entry.groups.includes(groupId)) throw new CoreError('not-in-group');
          await this.write(tx, owner, { ...entry, groups: entry.groups.filter((g) => g !== groupId) });
          return { version: await this.bump(tx, owner, changed), email: entry.email, friendlyName: entry.friendlyName, groupId, guid: entry.guid };
        }
        if (entry.groups.length > 0) {
          return { version: await this.bump(tx, owner, changed), email: entry.email, friendlyName: entry.friendlyName, groupId, guid: entry.guid };
        }
      }
      await this.write(tx, owner, { ...entry, lists: entry.lists & ~bit, groups: list === 'FL' ? [] : entry.groups });
      const version = await this.bump(tx, owner, changed);
      if (list === 'FL') rlVersion = await this.setReverse(tx, entry.contactId, owner, false, changed);
      if (rlVersion !== undefined) {
        const v = rlVersion;
        post.push(() => this.bus.toAccount(contactId, { type: 'reverse-list', op: 'remove', email: ownerEmail, friendlyName: '', version: v }));
      }
      return { version, email: entry.email, friendlyName: entry.friendlyName, groupId, guid: entry.guid };
    }, origin);
    this.afterChange(ownerId, contactId, list, couldSee);
    return result;
  }

  /**
   * The user has seen that `email` added them (MSNP10+ `REM PL`, `ADC RL`):
   * the pending mark goes. Never an error: clients treat errors here as fatal.
   */
  async settlePending(ownerId: number, email: string): Promise<number> {
    return this.mutate([ownerId], async (tx, _touched, changed) => {
      const owner = await this.mustRead(tx, ownerId);
      const entry = owner.byEmail(email);
      if (!entry || !(entry.lists & LIST_BITS.PL)) return owner.listVersion;
      await this.write(tx, owner, { ...entry, lists: entry.lists & ~LIST_BITS.PL });
      return this.bump(tx, owner, changed);
    });
  }

  /** BLP: what happens to people on neither the allow nor the block list. */
  async setPrivacy(ownerId: number, privacy: Privacy): Promise<number> {
    const watchers: [number, boolean][] = [];
    const version = await this.mutate([ownerId], async (tx) => {
      const owner = await this.mustRead(tx, ownerId);
      // COMPAT: msn-pecan 0.1.x (MSNP12) sends `BLP t AL` after every sign-in and
      // signs out on any error: the current value is acknowledged, nothing moves
      // (client-quirks.md; the official flows answer `BLP 8 AL` the same way).
      if (owner.privacy === privacy) return owner.listVersion;
      for (const c of owner.contacts.values()) if (c.lists & LIST_BITS.RL) watchers.push([c.contactId, this.couldSee(ownerId, c.contactId)]);
      await tx.setPrivacy(ownerId, privacy);
      owner.privacy = privacy;
      return this.bump(tx, owner);
    });
    for (const [viewer, could] of watchers) this.presence.refreshViewer(ownerId, viewer, could);
    return version;
  }

  /**
   * An edit of a contact's entry that changes nothing the server keeps (old
   * clients rename contacts to keep their cached lists current): the entry
   * must exist; the list version moves so the client's cache stays valid.
   */
  async touchContact(ownerId: number, email: string): Promise<number> {
    return this.mutate([ownerId], async (tx, _touched, changed) => {
      const owner = await this.mustRead(tx, ownerId);
      if (!owner.byEmail(email)) throw new CoreError('not-on-list', email);
      return this.bump(tx, owner, changed);
    });
  }

  /** GTC: whether the owner's client asks when someone adds them. */
  async setAddPrompt(ownerId: number, prompt: AddPrompt): Promise<number> {
    return this.mutate([ownerId], async (tx) => {
      const owner = await this.mustRead(tx, ownerId);
      if (owner.addPrompt === prompt) return owner.listVersion; // as BLP above
      await tx.setAddPrompt(ownerId, prompt);
      owner.addPrompt = prompt;
      return this.bump(tx, owner);
    });
  }

  /** The owner's own friendly name (stored decoded). */
  async setFriendlyName(ownerId: number, name: string): Promise<number> {
    if (name.length === 0 || [...name].length > this.limits.maxFriendlyNameLength || /[\r\n\0]/.test(name)) {
      throw new CoreError('invalid-name');
    }
    const version = await this.mutate([ownerId], async (tx) => {
      const owner = await this.mustRead(tx, ownerId);
      await tx.setFriendlyName(ownerId, name);
      owner.friendlyName = name;
      return this.bump(tx, owner);
    });
    this.presence.setFriendlyName(ownerId, name);
    return version;
  }

  /**
   * A phone number or mobile setting (PRP); an empty value clears it. People
   * who have the owner on their forward list and are on the owner's allow list
   * see the new value (BPR); their list versions move with it.
   */
  async setProperty(ownerId: number, key: string, value: string): Promise<{ version: number; value: string }> {
    const pushes: { id: number; version: number }[] = [];
    let email = '';
    const version = await this.mutate([ownerId], async (tx) => {
      const owner = await this.mustRead(tx, ownerId);
      // Paging a mobile (MOB) needs a mobile device enabled (MBE) first.
      if (key === 'MOB' && value === 'Y' && owner.properties.MBE !== 'Y') value = 'N';
      email = owner.email;
      await tx.setProperty(ownerId, key, value);
      if (value === '') delete owner.properties[key];
      else owner.properties[key] = value;
      // Every watcher's version moves in one statement: thousands of watchers
      // must not mean thousands of round trips in one turn of the event loop.
      for (const w of await tx.bumpListVersionsOf(ownerId, LIST_BITS.RL | LIST_BITS.AL)) {
        const cached = this.lists.peek(w.id);
        if (cached) cached.listVersion = w.version;
        pushes.push(w);
      }
      return this.bump(tx, owner);
    });
    for (const p of pushes) this.bus.toAccount(p.id, { type: 'contact-property', email, key, value, version: p.version });
    return { version, value };
  }

  async addGroup(ownerId: number, name: string): Promise<GroupChange> {
    this.checkGroupName(name);
    return this.mutate([ownerId], async (tx, _touched, changed) => {
      const owner = await this.mustRead(tx, ownerId);
      if (owner.groups.size >= this.limits.maxGroups) throw new CoreError('too-many-groups');
      if ([...owner.groups.values()].some((g) => g.name === name)) throw new CoreError('group-exists');
      let id = 1;
      while (owner.groups.has(id)) id++;
      const group = { id, name, guid: randomUUID() };
      await tx.putGroup(ownerId, group);
      owner.groups.set(id, group);
      return { version: await this.bump(tx, owner, changed), group };
    });
  }

  async renameGroup(ownerId: number, groupId: number, name: string): Promise<GroupChange> {
    this.checkGroupName(name);
    return this.mutate([ownerId], async (tx, _touched, changed) => {
      const owner = await this.mustRead(tx, ownerId);
      const g = owner.groups.get(groupId);
      if (!g) throw new CoreError('no-such-group');
      if ([...owner.groups.values()].some((o) => o.id !== groupId && o.name === name)) throw new CoreError('group-exists');
      const group = { ...g, name };
      await tx.putGroup(ownerId, group);
      owner.groups.set(groupId, group);
      return { version: await this.bump(tx, owner, changed), group };
    });
  }

  /** Removes a group; its contacts stay on the forward list, in their other groups or none. */
  async removeGroup(ownerId: number, groupId: number): Promise<GroupChange> {
    return this.mutate([ownerId], async (tx, _touched, changed) => {
      const owner = await this.mustRead(tx, ownerId);
      if (groupId === 0) throw new CoreError('cannot-remove-default-group');
      const g = owner.groups.get(groupId);
      if (!g) throw new CoreError('no-such-group');
      // Deleting the group deletes its memberships in the store (one statement);
      // only the cached entries are edited one by one.
      await tx.deleteGroup(ownerId, groupId);
      for (const c of owner.contacts.values()) {
        if (c.groups.includes(groupId)) owner.put({ ...c, groups: c.groups.filter((x) => x !== groupId) });
      }
      owner.groups.delete(groupId);
      return { version: await this.bump(tx, owner, changed), group: g };
    });
  }

  /**
   * Everything a list download shows, read consistently: the lists with the
   * contacts' current friendly names, the groups, and the phone numbers of
   * contacts who share them with the viewer (who have the viewer on their
   * allow list, the same rule setProperty follows).
   */
  async syncView(viewerId: number): Promise<SyncView> {
    // A read transaction: one snapshot, and no write lock (SYN/LST only read).
    return this.store.withReads(async (tx) => {
      const list = await this.mustRead(tx, viewerId);
      const [contacts, groups, props] = await Promise.all([tx.getContacts(viewerId), tx.getGroups(viewerId), tx.getSharedProperties(viewerId)]);
      const shared = new Map<number, Record<string, string>>();
      for (const p of props) {
        let r = shared.get(p.accountId);
        if (!r) shared.set(p.accountId, (r = {}));
        r[p.key] = p.value;
      }
      return { list, contacts, groups, shared };
    });
  }

  /**
   * The address book as the SOAP services show it: what a list download
   * shows, with when each part last changed and what left the lists after
   * `since` (ticks), read in one snapshot.
   */
  async addressBookView(viewerId: number, since: bigint): Promise<SyncView & { history: ListHistory }> {
    return this.store.withReads(async (tx) => {
      const list = await this.mustRead(tx, viewerId);
      const [contacts, groups, history] = await Promise.all([tx.getContacts(viewerId), tx.getGroups(viewerId), tx.getListHistory(viewerId, since)]);
      return { list, contacts, groups, shared: new Map(), history };
    });
  }

  private checkGroupName(name: string): void {
    if (name.length === 0 || [...name].length > this.limits.maxGroupNameLength || /[\r\n\0]/.test(name)) {
      throw new CoreError('group-name-invalid');
    }
  }

  private couldSee(ownerId: number, viewerId: number): boolean {
    return this.presence.isVisibleTo(ownerId, viewerId);
  }

  /** Presence consequences of a privacy change between owner and contact. */
  private afterChange(ownerId: number, contactId: number, list: ListName, couldSee: boolean): void {
    if (list === 'AL' || list === 'BL') this.presence.refreshViewer(ownerId, contactId, couldSee);
  }

  /**
   * Runs `fn` in a transaction; on failure, cached lists it may have touched
   * are dropped. Once it has committed: the notices `fn` queued in `post`,
   * then the accounts it put in `changed` (their address book or memberships
   * changed) hear of it; `origin`, the endpoint whose own command made the
   * change, is named so that it is not told (flows.md §4.2 order: the list
   * push, then the address-book notice).
   */
  private async mutate<T>(
    ids: number[],
    fn: (tx: StoreOps, touched: number[], changed: Set<number>, post: (() => void)[]) => Promise<T>,
    origin?: string,
  ): Promise<T> {
    const touched = [...ids];
    const changed = new Set<number>();
    const post: (() => void)[] = [];
    let result: T;
    try {
      result = await this.store.withTransaction((tx) => fn(tx, touched, changed, post));
    } catch (e) {
      if (!(e instanceof CoreError)) for (const id of touched) this.lists.invalidate(id);
      throw e;
    }
    for (const p of post) p();
    for (const id of changed) this.bus.toAccount(id, origin === undefined ? { type: 'address-book' } : { type: 'address-book', origin });
    return result;
  }

  private async mustRead(tx: StoreOps, id: number): Promise<ContactList> {
    const l = await this.lists.read(tx, id);
    if (!l) throw new CoreError('no-such-user');
    return l;
  }

  private async write(tx: StoreOps, owner: ContactList, c: Contact): Promise<void> {
    await tx.putContact(owner.accountId, c);
    owner.put(c);
  }

  /** Moves the owner's list version on; with `changed`, the change is one their address book shows. */
  private async bump(tx: StoreOps, owner: ContactList, changed?: Set<number>): Promise<number> {
    changed?.add(owner.accountId);
    owner.listVersion = await tx.bumpListVersion(owner.accountId);
    return owner.listVersion;
  }

  /** Puts the owner on (or takes it off) the contact's reverse list; returns the contact's new version. */
  private async setReverse(tx: StoreOps, contactId: number, owner: ContactList, on: boolean, changed: Set<number>): Promise<number | undefined> {
    if (contactId === owner.accountId) {
      // Adding oneself: the reverse entry is on the same list.
      const self = owner.contacts.get(contactId)!;
      const lists = on ? self.lists | LIST_BITS.RL : self.lists & ~(LIST_BITS.RL | LIST_BITS.PL);
      if (lists === self.lists) return undefined;
      await this.write(tx, owner, { ...self, lists });
      return this.bump(tx, owner, changed);
    }
    // The contact's list is in memory only while they are online; otherwise touch just the one entry.
    const other = this.lists.peek(contactId);
    const entry = other ? other.contacts.get(owner.accountId) : await tx.getContact(contactId, owner.accountId);
    const cur = entry?.lists ?? 0;
    // Someone new on the reverse list is pending (PL) until allowed or blocked.
    const lists = on
      ? cur | LIST_BITS.RL | (cur & (LIST_BITS.AL | LIST_BITS.BL) ? 0 : LIST_BITS.PL)
      : cur & ~(LIST_BITS.RL | LIST_BITS.PL);
    if (lists === cur) return undefined;
    const next: Contact = entry
      ? { ...entry, lists }
      : { contactId: owner.accountId, email: owner.email, friendlyName: owner.friendlyName, lists, guid: randomUUID(), groups: [] };
    await tx.putContact(contactId, next);
    const version = await tx.bumpListVersion(contactId);
    changed.add(contactId);
    if (other) {
      other.put(next);
      other.listVersion = version;
    }
    return version;
  }
}
