// The protocol-agnostic core: accounts, contact lists, presence and
// conversations over a Store and an EventBus. Fronts (MSNP over TCP now; web
// services and the gateway later) call into it and render its events.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { LIST_BITS, type ListName } from './model.js';
import { ACCOUNT_DELETED, AccountService, PASSWORD_CHANGED, type AccountDeletedEvent, type AccountOptions } from './accounts.js';
import { ChatService, type ChatTimeouts } from './chats.js';
import { systemClock, type Clock } from './clock.js';
import { ContactService, DEFAULT_CONTACT_LIMITS, type ContactLimits } from './contacts.js';
import { DeadlineHeap } from './deadline-heap.js';
import { DEFAULT_STORAGE_LIMITS, ExpressionProfiles, type StorageLimits } from './expression-profiles.js';
import { LocalEventBus, type EventBus } from './events.js';
import { ListCache } from './list-cache.js';
import { LoginGuard } from './login-guard.js';
import { OfflineCourier } from './offline-courier.js';
import { DEFAULT_OFFLINE_LIMITS, OfflineMessages, type OfflineLimits } from './offline-messages.js';
import { ServiceTokens } from './service-tokens.js';
import { TicketService } from './tickets.js';
import { PresenceService } from './presence.js';
import { TokenStore } from './tokens.js';

export interface CoreOptions {
  accounts: AccountOptions;
  /** Failed sign-ins per address per 10 minutes before it is refused. */
  loginFailuresPerIp?: number;
  /** Failed sign-ins from IPv6 count per prefix of this length. */
  ipv6Prefix?: number;
  /** Lifetime of Passport tickets. */
  ticketTtlSeconds?: number;
  /** Lifetime of RST/RST2 service tokens. */
  serviceTokenTtlSeconds?: number;
  chats: ChatTimeouts;
  contactLimits?: ContactLimits;
  /** The storage service's limits (pictures, documents). */
  storageLimits?: StorageLimits;
  offlineLimits?: OfflineLimits;
  clock?: Clock;
  bus?: EventBus;
}

export class Core {
  readonly clock: Clock;
  /** Everything that expires (sessions' deadlines included), popped by sweep() when due. */
  readonly timers: DeadlineHeap;
  readonly bus: EventBus;
  readonly lists: ListCache;
  readonly tokens: TokenStore;
  readonly accounts: AccountService;
  readonly presence: PresenceService;
  readonly contacts: ContactService;
  readonly chats: ChatService;
  readonly loginGuard: LoginGuard;
  readonly tickets: TicketService;
  readonly serviceTokens: ServiceTokens;
  readonly profiles: ExpressionProfiles;
  readonly offline: OfflineMessages;
  readonly courier: OfflineCourier;
  private endpointSeq = 0;
  /**
   * This process's part of every endpoint id: random, so ids stay unique when
   * several processes (nodes) share a bus (issue 13 "design for what comes next").
   */
  readonly nodeId = randomBytes(6).toString('hex');
  private adminCursor = 0;

  constructor(
    readonly store: Store,
    opts: CoreOptions,
    readonly log: Logger,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.timers = new DeadlineHeap((e) => log.error({ err: e }, 'a scheduled check failed'));
    this.bus = opts.bus ?? new LocalEventBus((e) => log.error({ err: e }, 'delivering an event failed'));
    this.lists = new ListCache(store, (e, id) => log.error({ err: e, accountId: id }, 'reading a contact list failed; retrying'));
    this.tokens = new TokenStore(this.clock, this.timers);
    this.accounts = new AccountService(store, opts.accounts);
    this.presence = new PresenceService(this.bus, this.lists);
    this.contacts = new ContactService(store, this.lists, this.presence, this.bus, opts.contactLimits ?? DEFAULT_CONTACT_LIMITS);
    this.loginGuard = new LoginGuard(opts.loginFailuresPerIp ?? 20, 10 * 60_000, this.clock, this.timers, opts.ipv6Prefix);
    this.tickets = new TicketService(this.accounts, this.loginGuard, (opts.ticketTtlSeconds ?? 86400) * 1000, () => this.clock.now(), this.timers);
    this.serviceTokens = new ServiceTokens(store, (opts.serviceTokenTtlSeconds ?? 86400) * 1000, () => this.clock.now(), this.timers, (e) =>
      log.error({ err: e }, 'deleting expired service tokens failed'),
    );
    this.profiles = new ExpressionProfiles(store, opts.storageLimits ?? DEFAULT_STORAGE_LIMITS, () => this.clock.now());
    this.offline = new OfflineMessages(store, this.lists, this.bus, this.clock, opts.offlineLimits ?? DEFAULT_OFFLINE_LIMITS);
    this.chats = new ChatService(this.tokens, this.presence, this.lists, this.bus, this.clock, opts.chats, this.timers);
    this.courier = new OfflineCourier(this.offline, this.chats, this.timers, this.clock, (e) => log.error({ err: e }, 'delivering offline messages failed'));
  }

  /** An id for a new endpoint (connection), unique across processes: `ep-<node>-<seq>`. */
  newEndpointId(): string {
    return `ep-${this.nodeId}-${(++this.endpointSeq).toString(36)}`;
  }

  /** Starts following changes made by other processes (the CLI). */
  async startAdminFeed(): Promise<void> {
    this.adminCursor = await this.store.lastAdminEventId();
  }

  /** Applies changes other processes made since the last call. */
  async pollAdminFeed(): Promise<void> {
    const events = await this.store.adminEventsAfter(this.adminCursor);
    for (const ev of events) {
      this.adminCursor = ev.id;
      try {
        if (ev.type === ACCOUNT_DELETED) this.applyAccountDeleted(ev.payload as unknown as AccountDeletedEvent);
        else if (ev.type === PASSWORD_CHANGED) this.tickets.revokeAccount(Number(ev.payload.id));
      } catch (e) {
        this.log.error({ err: e, event: ev.type }, 'failed to apply an admin event');
      }
    }
  }

  /**
   * Runs what is due now (work proportional to what expires, not to what
   * exists) and retries contact lists that could not be read back.
   */
  sweep(): void {
    this.timers.runDue(this.clock.now());
    this.lists.refreshStale();
  }

  private applyAccountDeleted(ev: AccountDeletedEvent): void {
    this.log.info({ email: ev.email }, 'account deleted: signing it out and removing it from lists');
    this.bus.toAccount(ev.id, { type: 'sign-out', reason: 'deleted' });
    this.tickets.revokeAccount(ev.id);
    for (const entry of ev.entries) {
      const list = this.lists.peek(entry.ownerId);
      const c = list?.contacts.get(ev.id);
      if (list) {
        if (c) list.put({ ...c, lists: 0 });
        list.listVersion = Math.max(list.listVersion, entry.version);
      }
      for (const name of ['FL', 'AL', 'BL', 'RL', 'PL'] as ListName[]) {
        if (entry.lists & LIST_BITS[name]) {
          this.bus.toAccount(entry.ownerId, { type: 'list-removed', list: name, email: ev.email, version: entry.version, guid: c?.guid });
        }
      }
      this.bus.toAccount(entry.ownerId, { type: 'address-book' });
    }
  }
}
