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

/**
 * What one endpoint shows its watchers (MSNP16+ `<EndpointData>`): MPOP
 * (issue 14) makes this a list per account; for now an account has at most one.
 */
export interface EndpointView {
  /** `{lower-case}` machine GUID. */
  machineGuid: string;
  caps: number;
  extCaps: number;
}

/** What only the account's own endpoints see of each other (`<PrivateEndpointData>`). */
export interface PrivateEndpoint {
  name: string;
  idle: boolean;
  clientType: number;
  /** The endpoint's own state text (NLN, AWY…), as its client wrote it. */
  state: string;
}

export interface OwnEndpointView extends EndpointView, PrivateEndpoint {}

/** The parts of a user's profile the MSNP16+ UBX document carries. */
export interface ProfileView {
  email: string;
  friendlyName: string;
  msnObject: string;
  personal: string;
  endpoints: EndpointView[];
}

export interface OnlineUser {
  accountId: number;
  email: string;
  /** Unique across processes (core.newEndpointId). */
  endpointId: string;
  /** The endpoint's machine GUID (MSNP16+ `USR SSO S`), `{lower-case}`; undefined for older clients. */
  machineGuid: string | undefined;
  /** The protocol dialect of the endpoint's front (MSNP version), so other fronts can match it. */
  dialect: number;
  /** Undefined until the first CHG: signed in, but not yet visible to anyone. */
  status: Status | undefined;
  friendlyName: string;
  caps: number;
  /** Extended capabilities (MSNP16+ `CHG … caps:extcaps`). */
  extCaps: number;
  /** UUX `<EndpointData>` capabilities, which may differ from CHG's (client-quirks.md); undefined until sent. */
  endpointCaps: { caps: number; extCaps: number } | undefined;
  /** UUX `<PrivateEndpointData>`. */
  privateData: PrivateEndpoint;
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
  extCaps: number;
  msnObject: string;
  personal: string;
  endpoints: EndpointView[];
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
  signIn(u: Pick<OnlineUser, 'accountId' | 'email' | 'endpointId' | 'dialect' | 'friendlyName'> & { machineGuid?: string }): string | undefined {
    const old = this.online.get(u.accountId);
    // Spelled out (not spread): every entry then shares one hidden class.
    const user: OnlineUser = {
      accountId: u.accountId,
      email: u.email,
      endpointId: u.endpointId,
      machineGuid: u.machineGuid,
      dialect: u.dialect,
      status: undefined,
      friendlyName: u.friendlyName,
      caps: 0,
      extCaps: 0,
      endpointCaps: undefined,
      privateData: { name: '', idle: false, clientType: 1, state: '' },
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

  /** CHG: a new status (and capabilities / display picture from MSNP8 on, extended capabilities from MSNP16). */
  setStatus(accountId: number, status: Status, caps: number, msnObject: string, extCaps = 0): void {
    const u = this.online.get(accountId);
    if (!u) return;
    const before = { ...u };
    u.status = status;
    u.caps = caps;
    u.extCaps = extCaps;
    u.msnObject = msnObject;
    if (before.status === status && before.caps === caps && before.extCaps === extCaps && before.msnObject === msnObject) return;
    this.fanOut(u, (viewer) => this.visibleWith(before, viewer));
  }

  /** UUX: the personal message / current media; watchers who can see the user get it. */
  setPersonal(accountId: number, endpointId: string, personal: string): void {
    const u = this.endpoint(accountId, endpointId);
    if (!u) return;
    if (u.personal !== personal) {
      u.personal = personal;
      this.toWatchers(u, { type: 'personal', ...profileOf(u) });
    }
    this.publishOwn(u);
  }

  /** UUX `<EndpointData>` (MSNP16+): the endpoint's capabilities as its watchers' UBX shows them. */
  setEndpointCaps(accountId: number, endpointId: string, caps: number, extCaps: number): void {
    const u = this.endpoint(accountId, endpointId);
    if (!u) return;
    const old = u.endpointCaps;
    if (!old || old.caps !== caps || old.extCaps !== extCaps) {
      u.endpointCaps = { caps, extCaps };
      if (u.machineGuid) this.toWatchers(u, { type: 'endpoints', ...profileOf(u) });
    }
    this.publishOwn(u);
  }

  /** UUX `<PrivateEndpointData>` (MSNP16+): seen only by the account's own endpoints. */
  setPrivateEndpoint(accountId: number, endpointId: string, data: PrivateEndpoint): void {
    const u = this.endpoint(accountId, endpointId);
    if (!u) return;
    u.privateData = { name: data.name, idle: data.idle, clientType: data.clientType, state: data.state };
    this.publishOwn(u);
  }

  /** The endpoint of this account with this machine GUID (`{lower-case}`), if online. */
  endpointByGuid(accountId: number, machineGuid: string): OnlineUser | undefined {
    const u = this.online.get(accountId);
    return u && u.machineGuid === machineGuid ? u : undefined;
  }

  private endpoint(accountId: number, endpointId: string): OnlineUser | undefined {
    const u = this.online.get(accountId);
    return u && u.endpointId === endpointId ? u : undefined;
  }

  /** A profile change, to every watcher that can see the user. */
  private toWatchers(u: OnlineUser, e: EndpointEvent): void {
    if (u.status === undefined || u.status === 'HDN') return;
    const list = this.lists.peek(u.accountId);
    if (!list) return;
    for (const c of list.contacts.values()) {
      if (c.lists & LIST_BITS.RL && this.online.has(c.contactId) && this.visibleWith(u, c.contactId)) this.bus.toAccount(c.contactId, e);
    }
  }

  /** The account's own endpoints, public and private data, to each of them (the MSNP16+ own UBX). */
  private publishOwn(u: OnlineUser): void {
    // Before the client's own <PrivateEndpointData>, its state is its status.
    const state = u.privateData.state || (u.status ?? 'NLN');
    const own: OwnEndpointView[] = u.machineGuid ? [{ ...endpointOf(u, u.machineGuid), ...u.privateData, state }] : [];
    this.bus.toAccount(u.accountId, { type: 'own-endpoints', ...profileOf(u), own });
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
    return { type: 'presence', ...entry(u, status) };
  }
}

function entry<S extends Status | 'FLN'>(u: OnlineUser, status: S): Omit<PresenceEntry, 'status'> & { status: S } {
  return {
    email: u.email, friendlyName: u.friendlyName, status, caps: u.caps, extCaps: u.extCaps, msnObject: u.msnObject, personal: u.personal,
    endpoints: u.machineGuid ? [endpointOf(u, u.machineGuid)] : [],
  };
}

/** The endpoint as watchers see it: UUX capabilities when sent, else CHG's. */
function endpointOf(u: OnlineUser, machineGuid: string): EndpointView {
  const c = u.endpointCaps ?? { caps: u.caps, extCaps: u.extCaps };
  return { machineGuid, caps: c.caps, extCaps: c.extCaps };
}

function profileOf(u: OnlineUser): ProfileView {
  return { email: u.email, friendlyName: u.friendlyName, msnObject: u.msnObject, personal: u.personal, endpoints: u.machineGuid ? [endpointOf(u, u.machineGuid)] : [] };
}
