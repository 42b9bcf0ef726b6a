// Conversations (the switchboard's sessions, and later MSNP21's group
// conversations): who is in them, who has been invited, and message delivery.
// Privacy is enforced here for every front: nobody joins a conversation with
// someone who blocks them or whom they block, a message never reaches a
// member who blocks its sender, and a hidden or offline user starts nothing.
import { randomInt } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Deadline, DeadlineHeap } from './deadline-heap.js';
import type { EventBus } from './events.js';
import type { ListCache } from './list-cache.js';
import type { PresenceService } from './presence.js';
import type { TokenStore } from './tokens.js';

/**
 * An endpoint's machine GUID (MSNP16+): `key` compares (`{lower-case}`),
 * `written` is how that endpoint itself wrote it, for showing it to others.
 */
export interface EndpointGuid {
  key: string;
  written: string;
}

export type ChatEvent =
  /** `endpoint`: the joining endpoint's GUID, if its client has one (MSNP16+). */
  | { type: 'join'; email: string; friendlyName: string; caps: number; extCaps: number; endpoint: EndpointGuid | undefined }
  /** `lastOfAccount`: no other endpoint of that account is left in the conversation. */
  | { type: 'leave'; email: string; idle: boolean; endpoint: EndpointGuid | undefined; lastOfAccount: boolean }
  | { type: 'message'; email: string; friendlyName: string; payload: Buffer };

/** Who a P2P message is for: an account (P2Pv1), or one endpoint of it (P2Pv2, `email;{guid}`). */
export interface ChatAddressee {
  email: string;
  /** The endpoint's GUID key; undefined: every endpoint of the account. A member with no GUID of its own matches any. */
  endpoint: string | undefined;
}

/** One participant's connection to a conversation. */
export interface ChatMember {
  readonly endpointId: string;
  readonly accountId: number;
  readonly email: string;
  readonly friendlyName: string;
  readonly caps: number;
  /** Extended capabilities (MSNP16+ `caps:extcaps`); 0 when unknown. */
  readonly extCaps: number;
  /** The endpoint's machine GUID (MSNP16+ clients), undefined for older ones. */
  readonly endpoint: EndpointGuid | undefined;
  /** Delivers an event to this member; false if it could not be written. */
  deliver(e: ChatEvent): boolean;
}

/** Who a switchboard cookie was issued to (XFR SB or an invitation). */
export interface ChatTicket {
  accountId: number;
  email: string;
  friendlyName: string;
  caps: number;
  /** Extended capabilities (MSNP16+ `caps:extcaps`, from CHG); 0 for older clients. */
  extCaps: number;
  /** The protocol version of the issuing endpoint, so the switchboard speaks it too. */
  version: number;
}

interface Invitation extends ChatTicket {
  chatId: string;
}

export class Chat {
  readonly members: ChatMember[] = [];
  /** Account id -> the pending invitation's cookie and expiry (ms). */
  readonly invited = new Map<number, { cookie: string; expiresAt: number }>();
  /** Since when the conversation has had one member and nobody invited. */
  lonelySince: number | undefined;
  /** Due when a lonely conversation has been lonely for too long. */
  lonelyDeadline: Deadline | undefined;

  constructor(
    readonly id: string,
    /** `host:port` of the switchboard the conversation lives on (rings name it). */
    readonly address: string,
  ) {}

  memberByAccount(accountId: number): ChatMember | undefined {
    return this.members.find((m) => m.accountId === accountId);
  }
}

export type InviteResult =
  | { ok: true; chatId: string }
  /** already-there: a member, or still being rung; unreachable: any reason the callee cannot be reached; hidden: the caller is offline or hidden. */
  | { ok: false; reason: 'already-there' | 'unreachable' | 'hidden' };

export interface ChatTimeouts {
  cookieTtlMs: number;
  ringTimeoutMs: number;
  lonelyTimeoutMs: number;
}

const XFR_PURPOSE = 'sb-xfr';
const RNG_PURPOSE = 'sb-rng';
/** Unused XFR SB cookies one account may hold; older ones are revoked. */
const MAX_TICKETS_PER_ACCOUNT = 8;

export class ChatService {
  private readonly chats = new Map<string, Chat>();
  private readonly tickets = new Map<number, string[]>();
  /** Disconnects members of a conversation left with one member for too long (set by the server). */
  expel: (members: ChatMember[]) => void = () => undefined;

  constructor(
    private readonly tokens: TokenStore,
    private readonly presence: PresenceService,
    private readonly lists: ListCache,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly timeouts: ChatTimeouts,
    private readonly timers: DeadlineHeap,
  ) {}

  get count(): number {
    return this.chats.size;
  }

  get(chatId: string): Chat | undefined {
    return this.chats.get(chatId);
  }

  /**
   * XFR SB: a single-use cookie for opening a conversation, or undefined if
   * the user may not start one (offline, no status yet, hidden, or refusing
   * conversations).
   */
  ticket(accountId: number, version: number): string | undefined {
    const u = this.presence.get(accountId);
    if (!u || !this.presence.canConverse(u)) return undefined;
    const t: ChatTicket = { accountId, email: u.email, friendlyName: u.friendlyName, caps: u.caps, extCaps: u.extCaps, version };
    const cookie = this.tokens.issue(XFR_PURPOSE, t, this.timeouts.cookieTtlMs, undefined, (_t, c) => this.forgetTicket(accountId, c));
    const mine = this.tickets.get(accountId) ?? [];
    mine.push(cookie);
    while (mine.length > MAX_TICKETS_PER_ACCOUNT) this.tokens.take(XFR_PURPOSE, mine.shift()!);
    this.tickets.set(accountId, mine);
    return cookie;
  }

  /**
   * USR on the switchboard: redeems an XFR cookie (issued to `email`, whose
   * owner must still be online and visible) and opens a conversation with
   * `member` in it, on the switchboard at `address`.
   */
  async open(cookie: string, email: string, address: string, member: (t: ChatTicket) => ChatMember | undefined): Promise<{ chat: Chat; member: ChatMember } | undefined> {
    const t = this.tokens.take<ChatTicket>(XFR_PURPOSE, cookie);
    if (t) this.forgetTicket(t.accountId, cookie);
    if (!t || t.email !== email) return undefined;
    const u = this.presence.get(t.accountId);
    if (!u || !this.presence.canConverse(u)) return undefined;
    if (!(await this.lists.retain(t.accountId))) return undefined;
    // The front may refuse the ticket's holder (a handle its version cannot have).
    const m = member({ ...t, friendlyName: u.friendlyName });
    if (!m) {
      this.lists.release(t.accountId);
      return undefined;
    }
    let id: string;
    do id = String(randomInt(10_000_000, 2_000_000_000));
    while (this.chats.has(id));
    const chat = new Chat(id, address);
    this.chats.set(id, chat);
    chat.members.push(m);
    this.setLonely(chat, this.clock.now());
    return { chat, member: m };
  }

  /**
   * CAL: rings `calleeId` on behalf of `inviter`. Whether the callee is
   * offline, hidden, blocking, blocked, or blocked by another member, the
   * answer is the same, and it is given before anything else is revealed.
   */
  invite(chat: Chat, inviter: ChatMember, calleeId: number, calleeEmail: string): InviteResult {
    const now = this.clock.now();
    const me = this.presence.get(inviter.accountId);
    if (!me || !this.presence.canConverse(me)) return { ok: false, reason: 'hidden' };
    const present = chat.memberByAccount(calleeId);
    if (present) return { ok: false, reason: 'already-there' };
    const callee = this.presence.get(calleeId);
    if (!callee || !callee.acceptsInvitations || !this.presence.isVisibleTo(calleeId, inviter.accountId)) {
      return { ok: false, reason: 'unreachable' };
    }
    for (const m of chat.members) if (!this.mutuallyAllowed(m.accountId, calleeId)) return { ok: false, reason: 'unreachable' };
    const pending = chat.invited.get(calleeId);
    if (pending && pending.expiresAt > now) return { ok: false, reason: 'already-there' };
    const inv: Invitation = {
      chatId: chat.id, accountId: calleeId, email: calleeEmail, friendlyName: callee.friendlyName, caps: callee.caps, extCaps: callee.extCaps, version: callee.dialect,
    };
    const cookie = this.tokens.issue(RNG_PURPOSE, inv, this.timeouts.ringTimeoutMs, undefined, (_inv, c) => this.invitationExpired(chat, calleeId, c));
    chat.invited.set(calleeId, { cookie, expiresAt: now + this.timeouts.ringTimeoutMs });
    this.setLonely(chat, undefined);
    this.bus.toAccount(calleeId, { type: 'ring', chatId: chat.id, address: chat.address, cookie, email: inviter.email, friendlyName: inviter.friendlyName });
    return { ok: true, chatId: chat.id };
  }

  /**
   * CAL of one's own address (MSNP16+ clients do it first, to bring in their
   * other endpoints): answered like any call, also when there is nobody to
   * ring. One endpoint per account today, so nobody is rung; with several
   * (issue 14) the account's endpoints not in the conversation are.
   */
  callSelf(chat: Chat, inviter: ChatMember): InviteResult {
    const me = this.presence.get(inviter.accountId);
    if (!me || !this.presence.canConverse(me)) return { ok: false, reason: 'hidden' };
    return { ok: true, chatId: chat.id };
  }

  /**
   * A conversation opened by the server for `sender`, who is not online (the
   * courier of its offline messages to an MSNP2-12 user: docs/decisions.md
   * "Offline messages"): `courier` stands for the sender, and `calleeId` is
   * rung as if the sender had called. Undefined when the callee cannot be
   * rung now (no status, hidden, refusing invitations); `blocked` when either
   * blocks the other (then it never can).
   */
  async openFor(courier: ChatMember, calleeId: number, calleeEmail: string): Promise<Chat | 'blocked' | undefined> {
    const callee = this.presence.get(calleeId);
    if (!callee || !this.presence.canConverse(callee)) return undefined;
    if (!(await this.lists.retain(courier.accountId))) return undefined;
    if (!this.mutuallyAllowed(courier.accountId, calleeId)) {
      this.lists.release(courier.accountId);
      return 'blocked';
    }
    let id: string;
    do id = String(randomInt(10_000_000, 2_000_000_000));
    while (this.chats.has(id));
    // No switchboard connection opened it: '' lets each NS name its own switchboard as its client reaches it.
    const chat = new Chat(id, '');
    this.chats.set(id, chat);
    chat.members.push(courier);
    const inv: Invitation = { chatId: id, accountId: calleeId, email: calleeEmail, friendlyName: callee.friendlyName, caps: callee.caps, extCaps: callee.extCaps, version: callee.dialect };
    const cookie = this.tokens.issue(RNG_PURPOSE, inv, this.timeouts.ringTimeoutMs, undefined, (_inv, c) => this.invitationExpired(chat, calleeId, c));
    chat.invited.set(calleeId, { cookie, expiresAt: this.clock.now() + this.timeouts.ringTimeoutMs });
    this.bus.toAccount(calleeId, { type: 'ring', chatId: id, address: chat.address, cookie, email: courier.email, friendlyName: courier.friendlyName });
    return chat;
  }

  /** How long an invitation waits (the courier gives up after it). */
  get ringTimeoutMs(): number {
    return this.timeouts.ringTimeoutMs;
  }

  /**
   * ANS: redeems an invitation cookie. Returns the conversation and the
   * members already in it (for IRO), or undefined when the cookie is not
   * valid for this account and conversation, everyone has left, or a member
   * and the joiner now block each other.
   */
  async answer(cookie: string, email: string, chatId: string, member: (inv: ChatTicket) => ChatMember | undefined): Promise<{ chat: Chat; others: ChatMember[]; member: ChatMember } | undefined> {
    const inv = this.tokens.take<Invitation>(RNG_PURPOSE, cookie);
    if (!inv || inv.email !== email || inv.chatId !== chatId) return undefined;
    const chat = this.chats.get(chatId);
    if (!chat || chat.members.length === 0) return undefined;
    chat.invited.delete(inv.accountId);
    if (!(await this.lists.retain(inv.accountId))) return undefined;
    if (chat.members.length === 0 || !chat.members.every((m) => this.mutuallyAllowed(m.accountId, inv.accountId))) {
      this.lists.release(inv.accountId);
      return undefined;
    }
    const m = member(inv);
    if (!m) {
      this.lists.release(inv.accountId);
      return undefined;
    }
    const others = [...chat.members];
    chat.members.push(m);
    this.setLonely(chat, undefined);
    // Pending invitations of people the newcomer blocks (or is blocked by) are void now.
    for (const [acct, p] of chat.invited) {
      if (!this.mutuallyAllowed(acct, m.accountId)) {
        chat.invited.delete(acct);
        this.tokens.take(RNG_PURPOSE, p.cookie);
      }
    }
    const joined: ChatEvent = { type: 'join', email: m.email, friendlyName: m.friendlyName, caps: m.caps, extCaps: m.extCaps, endpoint: m.endpoint };
    for (const o of others) o.deliver(joined);
    return { chat, others, member: m };
  }

  /** A member left (OUT, closed connection, or removed by the server when `idle`). */
  leave(chat: Chat, member: ChatMember, idle = false): void {
    const i = chat.members.indexOf(member);
    if (i < 0) return;
    chat.members.splice(i, 1);
    this.lists.release(member.accountId);
    const lastOfAccount = !chat.memberByAccount(member.accountId);
    const left: ChatEvent = { type: 'leave', email: member.email, idle, endpoint: member.endpoint, lastOfAccount };
    for (const o of chat.members.slice()) o.deliver(left);
    if (chat.members.length === 0) {
      // Nobody left to talk to: the conversation ends, invitations with it.
      for (const p of chat.invited.values()) this.tokens.take(RNG_PURPOSE, p.cookie);
      this.setLonely(chat, undefined);
      this.chats.delete(chat.id);
    } else if (chat.members.length === 1 && chat.invited.size === 0) {
      this.setLonely(chat, this.clock.now());
    }
  }

  /**
   * Relays a message from `from` to the other members (or only to `only`, for
   * P2P data addressed to one account or one endpoint). Returns how many
   * members it reached and whether any delivery failed.
   */
  send(chat: Chat, from: ChatMember, payload: Buffer, only?: ChatAddressee): { delivered: number; failed: boolean } {
    let delivered = 0;
    let failed = false;
    let event: ChatEvent | undefined;
    // A copy: a delivery may drop a member that stopped reading.
    for (const m of chat.members.slice()) {
      if (m === from) continue;
      // A member without an endpoint GUID (a pre-MSNP16 client) is its account's only endpoint.
      if (only !== undefined && (m.email !== only.email || (only.endpoint !== undefined && m.endpoint !== undefined && m.endpoint.key !== only.endpoint))) continue;
      // A member who blocks the sender never receives it. Every member's list is
      // held while it is in the conversation; without one, deliver nothing.
      const list = this.lists.peek(m.accountId);
      if (!list || !list.allows(from.accountId)) continue;
      event ??= { type: 'message', email: from.email, friendlyName: from.friendlyName, payload };
      if (m.deliver(event)) delivered++;
      else failed = true;
    }
    return { delivered, failed };
  }

  /** Unused XFR SB cookies held for accounts (for tests and stats). */
  get pendingTickets(): number {
    let n = 0;
    for (const mine of this.tickets.values()) n += mine.length;
    return n;
  }

  /** An invitation nobody answered in time: it goes, and the caller may be alone now. */
  private invitationExpired(chat: Chat, calleeId: number, cookie: string): void {
    if (chat.invited.get(calleeId)?.cookie !== cookie) return;
    chat.invited.delete(calleeId);
    if (this.chats.get(chat.id) === chat && chat.members.length <= 1 && chat.invited.size === 0) {
      this.setLonely(chat, chat.lonelySince ?? this.clock.now());
    }
  }

  /** Starts (at `since`) or stops the lonely-conversation deadline. */
  private setLonely(chat: Chat, since: number | undefined): void {
    chat.lonelySince = since;
    if (since === undefined) {
      if (chat.lonelyDeadline) this.timers.cancel(chat.lonelyDeadline);
      return;
    }
    chat.lonelyDeadline ??= this.timers.add(0, () => this.lonelyDue(chat));
    this.timers.schedule(chat.lonelyDeadline, since + this.timeouts.lonelyTimeoutMs);
  }

  /** Closes a conversation that is still lonely at its deadline. */
  private lonelyDue(chat: Chat): void {
    if (this.chats.get(chat.id) !== chat || chat.lonelySince === undefined) return;
    if (chat.members.length > 1 || chat.invited.size > 0) return;
    this.expel([...chat.members]);
  }

  private forgetTicket(accountId: number, cookie: string): void {
    const mine = this.tickets.get(accountId);
    if (!mine) return;
    const rest = mine.filter((c) => c !== cookie);
    if (rest.length === 0) this.tickets.delete(accountId);
    else this.tickets.set(accountId, rest);
  }

  /** Neither blocks the other (fails closed when a list is not in memory). */
  private mutuallyAllowed(a: number, b: number): boolean {
    const la = this.lists.peek(a);
    const lb = this.lists.peek(b);
    return !!la && !!lb && la.allows(b) && lb.allows(a);
  }
}
