// Events the core sends to endpoints (a signed-in connection of some front).
// They are plain data, addressed to an account (every endpoint it has) or to
// one endpoint, never to a session object, so an implementation of EventBus
// can carry them between nodes later.
import type { ListName } from './model.js';
import type { OfflineMessageRow } from '../store/store.js';
import type { Status } from './presence-types.js';
import type { EndpointView, OwnEndpointView, ProfileView } from './presence.js';

export type EndpointEvent =
  /** A contact's presence as this viewer may see it (status FLN when hidden from it). */
  | {
      type: 'presence'; email: string; friendlyName: string; status: Status | 'FLN'; caps: number; extCaps: number; msnObject: string; personal: string;
      /** The contact's endpoints with a machine GUID (MSNP16+ clients). */
      endpoints: EndpointView[];
    }
  /** A contact's personal message / current media document changed (the client's own XML, relayed). */
  | ({ type: 'personal' } & ProfileView)
  /** A contact's endpoint data changed (MSNP16+ UUX `<EndpointData>`). */
  | ({ type: 'endpoints' } & ProfileView)
  /** My own endpoints, with their private data (MSNP16+ UUX): the own UBX. */
  | ({ type: 'own-endpoints'; own: OwnEndpointView[] } & ProfileView)
  /** Someone added me to / removed me from their forward list. */
  | { type: 'reverse-list'; op: 'add' | 'remove'; email: string; friendlyName: string; version: number }
  /** An entry vanished from one of my lists without my doing (the account was deleted). */
  | { type: 'list-removed'; list: ListName; email: string; version: number; guid?: string }
  /**
   * My address book or memberships changed (an entry, a group, a list bit),
   * whoever made the change: a SOAP-era client fetches its deltas. `origin`:
   * the endpoint whose own command made it, which need not hear of it.
   */
  | { type: 'address-book'; origin?: string }
  /** A contact who allows me changed a phone number (PRP); my list version moved to `version`. */
  | { type: 'contact-property'; email: string; key: string; value: string; version: number }
  /** An invitation to a conversation on the switchboard at `address` (host:port; '' when the core opened it: the front names its own). */
  | { type: 'ring'; chatId: string; address: string; cookie: string; email: string; friendlyName: string }
  /** An offline message for this account was stored (committed). */
  | { type: 'offline-message'; message: OfflineMessageRow }
  /** The endpoint must sign out: signed in elsewhere, server shutting down, account deleted, asked by its own user (UUN). */
  | { type: 'sign-out'; reason: 'OTH' | 'SSD' | 'deleted' | 'requested' };

/** An endpoint that receives events (a session of some front). */
export interface EventReceiver {
  readonly endpointId: string;
  readonly accountId: number;
  onEvent(e: EndpointEvent): void;
}

export interface EventBus {
  attach(receiver: EventReceiver): void;
  detach(endpointId: string): void;
  toAccount(accountId: number, e: EndpointEvent): void;
  toEndpoint(endpointId: string, e: EndpointEvent): void;
}

/** Delivery within one process. Kept lean: one entry per online endpoint. */
export class LocalEventBus implements EventBus {
  private readonly byAccount = new Map<number, EventReceiver | EventReceiver[]>();
  private readonly byEndpoint = new Map<string, EventReceiver>();

  attach(r: EventReceiver): void {
    this.detach(r.endpointId);
    this.byEndpoint.set(r.endpointId, r);
    const cur = this.byAccount.get(r.accountId);
    if (cur === undefined) this.byAccount.set(r.accountId, r);
    else if (Array.isArray(cur)) cur.push(r);
    else this.byAccount.set(r.accountId, [cur, r]);
  }

  detach(endpointId: string): void {
    const r = this.byEndpoint.get(endpointId);
    if (!r) return;
    this.byEndpoint.delete(endpointId);
    const cur = this.byAccount.get(r.accountId);
    if (cur === r) this.byAccount.delete(r.accountId);
    else if (Array.isArray(cur)) {
      const rest = cur.filter((x) => x !== r);
      if (rest.length === 1) this.byAccount.set(r.accountId, rest[0]!);
      else this.byAccount.set(r.accountId, rest);
    }
  }

  constructor(private readonly onError: (e: unknown) => void = () => undefined) {}

  toAccount(accountId: number, e: EndpointEvent): void {
    const cur = this.byAccount.get(accountId);
    if (cur === undefined) return;
    if (!Array.isArray(cur)) return this.deliver(cur, e);
    for (const r of [...cur]) this.deliver(r, e);
  }

  toEndpoint(endpointId: string, e: EndpointEvent): void {
    const r = this.byEndpoint.get(endpointId);
    if (r) this.deliver(r, e);
  }

  /** One receiver's failure must not stop delivery to the others, nor fail the sender's command. */
  private deliver(r: EventReceiver, e: EndpointEvent): void {
    try {
      r.onEvent(e);
    } catch (err) {
      this.onError(err);
    }
  }
}
