// Events the core sends to endpoints (a signed-in connection of some front).
// They are plain data, addressed to an account (every endpoint it has) or to
// one endpoint, never to a session object, so an implementation of EventBus
// can carry them between nodes later.
import type { ListName } from '../store/store.js';
import type { Status } from './presence-types.js';

export type EndpointEvent =
  /** A contact's presence as this viewer may see it (status FLN when hidden from it). */
  | { type: 'presence'; email: string; friendlyName: string; status: Status | 'FLN'; caps: number; msnObject: string }
  /** Someone added me to / removed me from their forward list. */
  | { type: 'reverse-list'; op: 'add' | 'remove'; email: string; friendlyName: string; version: number }
  /** An entry vanished from one of my lists without my doing (the account was deleted). */
  | { type: 'list-removed'; list: ListName; email: string; version: number }
  /** A contact who allows me changed a phone number (PRP); my list version moved to `version`. */
  | { type: 'contact-property'; email: string; key: string; value: string; version: number }
  /** An invitation to a conversation. */
  | { type: 'ring'; chatId: string; cookie: string; email: string; friendlyName: string }
  /** The endpoint must sign out: signed in elsewhere, server shutting down, account deleted. */
  | { type: 'sign-out'; reason: 'OTH' | 'SSD' | 'deleted' };

export type EventHandler = (e: EndpointEvent) => void;

export interface EventBus {
  attach(endpointId: string, accountId: number, handler: EventHandler): void;
  detach(endpointId: string): void;
  toAccount(accountId: number, e: EndpointEvent): void;
  toEndpoint(endpointId: string, e: EndpointEvent): void;
}

/** Delivery within one process. */
export class LocalEventBus implements EventBus {
  private readonly byAccount = new Map<number, Map<string, EventHandler>>();
  private readonly byEndpoint = new Map<string, { accountId: number; handler: EventHandler }>();

  attach(endpointId: string, accountId: number, handler: EventHandler): void {
    this.detach(endpointId);
    this.byEndpoint.set(endpointId, { accountId, handler });
    let m = this.byAccount.get(accountId);
    if (!m) this.byAccount.set(accountId, (m = new Map()));
    m.set(endpointId, handler);
  }

  detach(endpointId: string): void {
    const e = this.byEndpoint.get(endpointId);
    if (!e) return;
    this.byEndpoint.delete(endpointId);
    const m = this.byAccount.get(e.accountId);
    if (m) {
      m.delete(endpointId);
      if (m.size === 0) this.byAccount.delete(e.accountId);
    }
  }

  toAccount(accountId: number, e: EndpointEvent): void {
    const m = this.byAccount.get(accountId);
    if (!m) return;
    for (const h of m.values()) h(e);
  }

  toEndpoint(endpointId: string, e: EndpointEvent): void {
    this.byEndpoint.get(endpointId)?.handler(e);
  }
}
