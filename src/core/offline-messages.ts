// Offline messages (OIMs): kept for an account until it reads and deletes
// them. Protocol-agnostic: the OIM SOAP store, `UUM` on the notification
// connection and any later front call send(); RSI and the sign-in summary
// read them. A message is accepted only once its row has committed (the
// Store's promise resolves after the transaction), so a sender told "sent"
// never loses it, kill -9 included.
import { randomUUID } from 'node:crypto';
import type { OfflineMessageRow, Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { isValidEmail, normaliseEmail } from './email.js';
import type { EventBus } from './events.js';
import type { ListCache } from './list-cache.js';

export type OfflineMessage = OfflineMessageRow;

export interface OfflineLimits {
  /** Bytes of message text (UTF-8). */
  maxBytes: number;
  /** Messages one account may hold waiting. */
  perRecipient: number;
  /** Messages one sender may have waiting at one recipient. */
  perSender: number;
}

/** Defaults: docs/decisions.md "Offline messages" gives the sources. */
export const DEFAULT_OFFLINE_LIMITS: OfflineLimits = { maxBytes: 1601, perRecipient: 200, perSender: 25 };

export interface OfflineSender {
  accountId: number;
  email: string;
  friendlyName: string;
}

export type OfflineRefusal = 'no-such-user' | 'not-allowed' | 'empty' | 'too-large' | 'recipient-full' | 'sender-full';

export type SendOfflineResult = { ok: true; id: string; duplicate: boolean; recipientId: number } | { ok: false; reason: OfflineRefusal };

/** A message id as clients write it (any case, maybe braces) in the form it is stored. */
export function normaliseMessageId(id: string): string {
  return id.trim().replace(/^\{|\}$/g, '').toUpperCase();
}

export class OfflineMessages {
  constructor(
    private readonly store: Store,
    private readonly lists: ListCache,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    readonly limits: OfflineLimits,
  ) {}

  /**
   * Stores `body` for `to`. `run`: the client's run id and sequence number; the
   * same pair sent again (a retry after a lost answer) is stored once and
   * answered as success. The recipient's endpoints hear of it after commit.
   */
  async send(from: OfflineSender, to: string, body: string, run?: { runId: string; seq: number }): Promise<SendOfflineResult> {
    const email = normaliseEmail(to);
    if (!isValidEmail(email)) return { ok: false, reason: 'no-such-user' };
    const size = Buffer.byteLength(body, 'utf8');
    if (size === 0) return { ok: false, reason: 'empty' };
    if (size > this.limits.maxBytes) return { ok: false, reason: 'too-large' };
    const recipient = await this.store.getAccountByEmail(email);
    if (!recipient) return { ok: false, reason: 'no-such-user' };
    // Someone who blocks the sender (or allows only their allow list) gets nothing,
    // and the sender learns no more than from an unknown address.
    const list = this.lists.peek(recipient.id) ?? (await this.lists.read(this.store, recipient.id));
    if (!list || !list.allows(from.accountId)) return { ok: false, reason: 'not-allowed' };
    const row: OfflineMessageRow = {
      id: randomUUID().toUpperCase(),
      recipientId: recipient.id,
      senderId: from.accountId,
      senderEmail: from.email,
      senderName: from.friendlyName,
      runId: run ? normaliseMessageId(run.runId) : randomUUID().toUpperCase(),
      seq: run?.seq ?? 0,
      receivedAt: this.clock.now(),
      body,
    };
    const r = await this.store.putOfflineMessage(row, this.limits.perRecipient, this.limits.perSender);
    if (!r.stored) {
      if (r.reason === 'duplicate') return { ok: true, id: r.id, duplicate: true, recipientId: recipient.id };
      return { ok: false, reason: r.reason };
    }
    this.bus.toAccount(recipient.id, { type: 'offline-message', message: row });
    return { ok: true, id: row.id, duplicate: false, recipientId: recipient.id };
  }

  list(accountId: number): Promise<OfflineMessage[]> {
    return this.store.listOfflineMessages(accountId);
  }

  /** One of the account's own messages (ids match in any case, with or without braces). */
  get(accountId: number, id: string): Promise<OfflineMessage | undefined> {
    return this.store.getOfflineMessage(accountId, normaliseMessageId(id));
  }

  /** Deletes those of `ids` the account holds (others' ids delete nothing); returns how many. */
  delete(accountId: number, ids: string[]): Promise<number> {
    return this.store.deleteOfflineMessages(accountId, [...new Set(ids.map(normaliseMessageId))]);
  }
}
