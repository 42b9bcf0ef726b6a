// Conversations (the switchboard's sessions, and later MSNP21's group
// conversations): who is in them, who has been invited, and message delivery.
// Privacy is enforced here for every front: nobody joins a conversation with
// someone who blocks them or whom they block, and a message never reaches a
// member who blocks its sender.
import { randomInt } from 'node:crypto';
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { ListCache } from './list-cache.js';
import type { PresenceService } from './presence.js';
import type { TokenStore } from './tokens.js';

export type ChatEvent =
  | { type: 'join'; email: string; friendlyName: string; caps: number }
  | { type: 'leave'; email: string; idle: boolean }
  | { type: 'message'; email: string; friendlyName: string; payload: Buffer };

/** One participant's connection to a conversation. */
export interface ChatMember {
  readonly endpointId: string;
  readonly accountId: number;
  readonly email: string;
  readonly friendlyName: string;
  readonly caps: number;
  /** Delivers an event to this member; false if it could not be written. */
  deliver(e: ChatEvent): boolean;
}

/** What a switchboard cookie from XFR SB carries. */
export interface ChatTicket {
  accountId: number;
  email: string;
  friendlyName: string;
  caps: number;
  /** The protocol version of the session that asked, so the switchboard speaks it too. */
  version: number;
}

/** What an invitation (RNG) cookie carries. */
interface Invitation extends ChatTicket {
  chatId: string;
}

export class Chat {
  readonly members: ChatMember[] = [];
  /** Account id -> invitation expiry (ms). */
  readonly invited = new Map<number, number>();
  /** When the conversation last had more than one member or a pending invitation. */
  lonelySince: number | undefined;

  constructor(readonly id: string) {}

  memberByAccount(accountId: number): ChatMember | undefined {
    return this.members.find((m) => m.accountId === accountId);
  }
}

export type InviteResult = { ok: true; chatId: string } | { ok: false; reason: 'already-there' | 'unreachable' };

export interface ChatTimeouts {
  cookieTtlMs: number;
  ringTimeoutMs: number;
  lonelyTimeoutMs: number;
}

const XFR_PURPOSE = 'sb-xfr';
const RNG_PURPOSE = 'sb-rng';

export class ChatService {
  private readonly chats = new Map<string, Chat>();

  constructor(
    private readonly tokens: TokenStore,
    private readonly presence: PresenceService,
    private readonly lists: ListCache,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly timeouts: ChatTimeouts,
  ) {}

  get count(): number {
    return this.chats.size;
  }

  get(chatId: string): Chat | undefined {
    return this.chats.get(chatId);
  }

  /** XFR SB: a single-use cookie for opening a new conversation. */
  ticket(t: ChatTicket): string {
    return this.tokens.issue(XFR_PURPOSE, t, this.timeouts.cookieTtlMs);
  }

  /** USR on the switchboard: redeems the XFR cookie and opens a conversation with `member` in it. */
  async open(cookie: string, email: string, member: (t: ChatTicket) => ChatMember): Promise<{ chat: Chat; member: ChatMember; ticket: ChatTicket } | undefined> {
    const t = this.tokens.take<ChatTicket>(XFR_PURPOSE, cookie);
    if (!t || t.email !== email) return undefined;
    let id: string;
    do id = String(randomInt(10_000_000, 2_000_000_000));
    while (this.chats.has(id));
    const chat = new Chat(id);
    this.chats.set(id, chat);
    const m = member(t);
    await this.lists.retain(m.accountId);
    chat.members.push(m);
    chat.lonelySince = this.clock.now();
    return { chat, member: m, ticket: t };
  }

  /**
   * CAL: rings `calleeId` on behalf of `inviter`. The answer never tells the
   * caller whether the callee is offline, hidden, blocking or blocked.
   */
  invite(chat: Chat, inviter: ChatMember, calleeId: number, calleeEmail: string): InviteResult {
    const now = this.clock.now();
    if (chat.memberByAccount(calleeId)) return { ok: false, reason: 'already-there' };
    const pending = chat.invited.get(calleeId);
    if (pending !== undefined && pending > now) return { ok: false, reason: 'already-there' };
    const callee = this.presence.get(calleeId);
    if (!callee || !callee.acceptsInvitations || !this.presence.isVisibleTo(calleeId, inviter.accountId)) {
      return { ok: false, reason: 'unreachable' };
    }
    for (const m of chat.members) if (!this.mutuallyAllowed(m.accountId, calleeId)) return { ok: false, reason: 'unreachable' };
    const inv: Invitation = {
      chatId: chat.id, accountId: calleeId, email: calleeEmail, friendlyName: callee.friendlyName, caps: callee.caps, version: callee.dialect,
    };
    const cookie = this.tokens.issue(RNG_PURPOSE, inv, this.timeouts.ringTimeoutMs);
    chat.invited.set(calleeId, now + this.timeouts.ringTimeoutMs);
    chat.lonelySince = undefined;
    this.bus.toAccount(calleeId, { type: 'ring', chatId: chat.id, cookie, email: inviter.email, friendlyName: inviter.friendlyName });
    return { ok: true, chatId: chat.id };
  }

  /**
   * ANS: redeems an invitation cookie. Returns the conversation and the
   * members already in it (for IRO), or undefined when the cookie is not valid
   * for this account and conversation.
   */
  async answer(cookie: string, email: string, chatId: string, member: (inv: ChatTicket) => ChatMember): Promise<{ chat: Chat; others: ChatMember[]; member: ChatMember } | undefined> {
    const inv = this.tokens.take<Invitation>(RNG_PURPOSE, cookie);
    if (!inv || inv.email !== email || inv.chatId !== chatId) return undefined;
    const chat = this.chats.get(chatId);
    if (!chat) return undefined;
    chat.invited.delete(inv.accountId);
    await this.lists.retain(inv.accountId);
    // Lists may have changed since the ring: check again.
    for (const m of chat.members) {
      if (!this.mutuallyAllowed(m.accountId, inv.accountId)) {
        this.lists.release(inv.accountId);
        return undefined;
      }
    }
    const m = member(inv);
    const others = [...chat.members];
    chat.members.push(m);
    chat.lonelySince = chat.members.length > 1 ? undefined : this.clock.now();
    for (const o of others) o.deliver({ type: 'join', email: m.email, friendlyName: m.friendlyName, caps: m.caps });
    return { chat, others, member: m };
  }

  /** A member left (OUT, closed connection, or removed by the server when `idle`). */
  leave(chat: Chat, member: ChatMember, idle = false): void {
    const i = chat.members.indexOf(member);
    if (i < 0) return;
    chat.members.splice(i, 1);
    this.lists.release(member.accountId);
    for (const o of chat.members) o.deliver({ type: 'leave', email: member.email, idle });
    if (chat.members.length === 1 && this.pendingInvites(chat) === 0) chat.lonelySince = this.clock.now();
    this.dropIfDead(chat);
  }

  /**
   * Relays a message from `from` to the other members (or only to `only`, an
   * e-mail, for P2P data addressed to one member). Returns how many members it
   * reached and whether any delivery failed.
   */
  send(chat: Chat, from: ChatMember, payload: Buffer, only?: string): { delivered: number; failed: boolean } {
    let delivered = 0;
    let failed = false;
    let event: ChatEvent | undefined;
    for (const m of chat.members) {
      if (m === from) continue;
      if (only !== undefined && m.email !== only) continue;
      // A member who blocks the sender never receives it (their list is held while they are in the chat).
      const list = this.lists.peek(m.accountId);
      if (list && !list.allows(from.accountId)) continue;
      event ??= { type: 'message', email: from.email, friendlyName: from.friendlyName, payload };
      if (m.deliver(event)) delivered++;
      else failed = true;
    }
    return { delivered, failed };
  }

  /**
   * Expires invitations and closes conversations left with one member for too
   * long. Returns the members to disconnect.
   */
  sweep(): ChatMember[] {
    const now = this.clock.now();
    const lonely: ChatMember[] = [];
    for (const chat of this.chats.values()) {
      for (const [acct, exp] of chat.invited) if (exp <= now) chat.invited.delete(acct);
      if (chat.members.length <= 1 && chat.invited.size === 0 && chat.lonelySince === undefined) chat.lonelySince = now;
      if (chat.lonelySince !== undefined && chat.invited.size === 0 && now - chat.lonelySince >= this.timeouts.lonelyTimeoutMs) {
        lonely.push(...chat.members);
      }
      this.dropIfDead(chat);
    }
    return lonely;
  }

  private pendingInvites(chat: Chat): number {
    const now = this.clock.now();
    let n = 0;
    for (const exp of chat.invited.values()) if (exp > now) n++;
    return n;
  }

  /** A conversation lives while it has members or an invitation that may still be answered. */
  private dropIfDead(chat: Chat): void {
    if (chat.members.length === 0 && this.pendingInvites(chat) === 0) this.chats.delete(chat.id);
  }

  private mutuallyAllowed(a: number, b: number): boolean {
    const la = this.lists.peek(a);
    const lb = this.lists.peek(b);
    return (!la || la.allows(b)) && (!lb || lb.allows(a));
  }
}
