// Who is online, with what status, and who may see it. Presence is sent to
// the people who have the user on their forward list (the user's reverse
// list), filtered by the user's privacy: block list, allow list, BLP, and HDN
// (appear offline). A viewer is only ever told FLN after it was told something
// else, so nothing about a hidden or blocking user leaks.
import { LIST_BITS } from './model.js';
import type { ContactList } from './contact-list.js';
import type { EndpointEvent, EventBus } from './events.js';
import type { ListCache } from './list-cache.js';
import type { Status } from './presence-types.js';

export interface OnlineUser {
  accountId: number;
  email: string;
  endpointId: string;
  /** The protocol dialect of the endpoint's front (MSNP version), so other fronts can match it. */
  dialect: number;
  /** Undefined until the first CHG: signed in, but not yet visible to anyone. */
  status: Status | undefined;
  friendlyName: string;
  caps: number;
  msnObject: string;
  /** The personal message / current media document as the client sent it ('' for none). */
  personal: string;
  /** False while the endpoint refuses conversations (MSNP IMS OFF). */
  acceptsInvitations: boolean;
}

export interface PresenceEntry {
  email: string;
  friendlyName: string;
  status: Status;
  caps: number;
  msnObject: string;
  personal: string;
}

export class PresenceService {
  private readonly online = new Map<number, OnlineUser>();

  constructor(
    private readonly bus: EventBus,
    private readonly lists: ListCache,
  ) {}

  get(accountId: number): OnlineUser | undefined {
    return this.online.get(accountId);
  }

  get count(): number {
    return this.online.size;
  }

  all(): IterableIterator<OnlineUser> {
    return this.online.values();
  }

  /**
   * Registers a new sign-in. Returns the endpoint it replaces (which must be
   * told OUT OTH), if the account was signed in elsewhere.
   */
  signIn(u: Omit<OnlineUser, 'status' | 'caps' | 'msnObject' | 'personal' | 'acceptsInvitations'>): string | undefined {
    const old = this.online.get(u.accountId);
    // Spelled out (not spread): every entry then shares one hidden class.
    const user: OnlineUser = {
      accountId: u.accountId,
      email: u.email,
      endpointId: u.endpointId,
      dialect: u.dialect,
      status: undefined,
      friendlyName: u.friendlyName,
      caps: 0,
      msnObject: '',
      personal: '',
      acceptsInvitations: true,
    };
    this.online.set(u.accountId, user);
    if (old && old.status !== undefined) this.fanOut(user, (viewer) => this.visibleWith(old, viewer));
    return old && old.endpointId !== u.endpointId ? old.endpointId : undefined;
  }

  /** The endpoint went away; watchers see FLN if they could see it. */
  signOut(accountId: number, endpointId: string): void {
    const u = this.online.get(accountId);
    if (!u || u.endpointId !== endpointId) return;
    this.online.delete(accountId);
    if (u.status === undefined) return;
    const gone: OnlineUser = { ...u, status: undefined };
    this.fanOut(gone, (viewer) => this.visibleWith(u, viewer), true);
  }

  /** CHG: a new status (and capabilities / display picture from MSNP8 on). */
  setStatus(accountId: number, status: Status, caps: number, msnObject: string): void {
    const u = this.online.get(accountId);
    if (!u) return;
    const before = { ...u };
    u.status = status;
    u.caps = caps;
    u.msnObject = msnObject;
    if (before.status === status && before.caps === caps && before.msnObject === msnObject) return;
    this.fanOut(u, (viewer) => this.visibleWith(before, viewer));
  }

  /** UUX: the personal message / current media; watchers who can see the user get it. */
  setPersonal(accountId: number, personal: string): void {
    const u = this.online.get(accountId);
    if (!u || u.personal === personal) return;
    u.personal = personal;
    if (u.status === undefined || u.status === 'HDN') return;
    const list = this.lists.peek(accountId);
    if (!list) return;
    const e: EndpointEvent = { type: 'personal', email: u.email, personal };
    for (const c of list.contacts.values()) {
      if (c.lists & LIST_BITS.RL && this.online.has(c.contactId) && this.visibleWith(u, c.contactId)) this.bus.toAccount(c.contactId, e);
    }
  }

  setAcceptsInvitations(accountId: number, on: boolean): void {
    const u = this.online.get(accountId);
    if (u) u.acceptsInvitations = on;
  }

  /** The friendly name changed (REA, PRP MFN): watchers that can see the user get it. */
  setFriendlyName(accountId: number, name: string): void {
    const u = this.online.get(accountId);
    if (!u || u.friendlyName === name) return;
    u.friendlyName = name;
    this.fanOut(u, (viewer) => this.visibleWith(u, viewer));
  }

  /**
   * A list change may have changed what `viewerId` may see of `ownerId`;
   * `couldSee` is what the viewer could see before the change.
   */
  refreshViewer(ownerId: number, viewerId: number, couldSee: boolean): void {
    const u = this.online.get(ownerId);
    const list = this.lists.peek(ownerId);
    if (!u || !list || !this.online.has(viewerId)) return;
    if (!(list.bits(viewerId) & LIST_BITS.RL)) return;
    const now = this.visibleWith(u, viewerId);
    if (now && !couldSee) this.bus.toAccount(viewerId, this.event(u, u.status!));
    else if (!now && couldSee) this.bus.toAccount(viewerId, this.event(u, 'FLN'));
  }

  /** May this user start or join conversations: a status set, not hidden, accepting them. */
  canConverse(u: OnlineUser): boolean {
    return u.status !== undefined && u.status !== 'HDN' && u.acceptsInvitations;
  }

  /** Can `viewerId` see `ownerId` online (used for CAL and the first CHG)? */
  isVisibleTo(ownerId: number, viewerId: number): boolean {
    const u = this.online.get(ownerId);
    return !!u && this.visibleWith(u, viewerId);
  }

  /** Online contacts on the viewer's forward list that the viewer may see (ILN). */
  visibleContacts(viewer: ContactList): PresenceEntry[] {
    const out: PresenceEntry[] = [];
    for (const c of viewer.contacts.values()) {
      if (!(c.lists & LIST_BITS.FL)) continue;
      const u = this.online.get(c.contactId);
      if (u && this.visibleWith(u, viewer.accountId)) out.push(entry(u, u.status!));
    }
    return out;
  }

  entryOf(accountId: number): PresenceEntry | undefined {
    const u = this.online.get(accountId);
    return u && u.status !== undefined ? entry(u, u.status) : undefined;
  }

  private visibleWith(u: OnlineUser, viewerId: number): boolean {
    if (u.status === undefined || u.status === 'HDN') return false;
    const list = this.lists.peek(u.accountId);
    return !!list && list.allows(viewerId);
  }

  private fanOut(u: OnlineUser, wasVisible: (viewerId: number) => boolean, offline = false): void {
    const list = this.lists.peek(u.accountId);
    if (!list) return;
    let on: EndpointEvent | undefined;
    let off: EndpointEvent | undefined;
    for (const c of list.contacts.values()) {
      if (!(c.lists & LIST_BITS.RL)) continue;
      if (!this.online.has(c.contactId)) continue;
      if (!offline && this.visibleWith(u, c.contactId)) {
        this.bus.toAccount(c.contactId, (on ??= this.event(u, u.status!)));
      } else if (wasVisible(c.contactId)) {
        this.bus.toAccount(c.contactId, (off ??= this.event(u, 'FLN')));
      }
    }
  }

  private event(u: OnlineUser, status: Status | 'FLN'): EndpointEvent {
    return { type: 'presence', email: u.email, friendlyName: u.friendlyName, status, caps: u.caps, msnObject: u.msnObject, personal: u.personal };
  }
}

function entry(u: OnlineUser, status: Status): PresenceEntry {
  return { email: u.email, friendlyName: u.friendlyName, status, caps: u.caps, msnObject: u.msnObject, personal: u.personal };
}
