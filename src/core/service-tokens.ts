// Service tokens: what RST.srf/RST2.srf hand out per requested address
// (contacts.msn.com, storage.msn.com, messengerclear.live.com, ...). Each is
// random, bound to one account and one service, and expires. The SOAP
// services call check(token, service); the notification server calls
// verifySsoSignIn on `USR t SSO S <ticket> <response>` (the messengerclear
// token carries the proof key its MBI response is computed with).
// Kept in memory like the Passport tickets (docs/decisions.md, "MSNP13-18: SSO").
import { randomBytes } from 'node:crypto';
import type { Deadline, DeadlineHeap } from './deadline-heap.js';
import { normaliseEmail } from './email.js';
import { verifySsoResponse } from './sso-response.js';

/** The addresses clients ask tokens for (services.md §3.1). */
export const SERVICE = {
  /** The NS sign-in ticket and the SSO proof key. */
  messengerClear: 'messengerclear.live.com',
  /** Web links (MSPAuth), RSI; a Passport ticket (TicketService), also recorded here. */
  messengerWeb: 'messenger.msn.com',
  contacts: 'contacts.msn.com',
  storage: 'storage.msn.com',
  /** The OIM store. */
  messengerSecure: 'messengersecure.live.com',
  whatsUp: 'sup.live.com',
  spaces: 'spaces.live.com',
} as const;

/** The legacy Passport token: an opaque blob nobody presents back to us. */
export const PASSPORT_TB = 'http://passport.net/tb';

/** Names that mean the same service. */
const ALIASES: Record<string, string> = {
  // COMPAT: Pidgin 2.11 asks storage.live.com, MSNPSharp 3.2.1 storage.msn.com (captures).
  'storage.live.com': SERVICE.storage,
  // The SOAP services' own names for the token they take (client-quirks.md "Offline messages":
  // the OIM store takes the messengersecure token, RSI the messenger.msn.com one).
  contacts: SERVICE.contacts,
  storage: SERVICE.storage,
  oim: SERVICE.messengerSecure,
  rsi: SERVICE.messengerWeb,
};

/** The service an AppliesTo address names: lower case, trimmed, aliases folded. */
export function serviceOf(address: string): string {
  const a = address.trim().toLowerCase();
  return ALIASES[a] ?? a;
}

/** A token as the clients carry it, `t=…&p=…`. */
export interface ServiceToken {
  t: string;
  p: string;
  service: string;
  createdAt: number;
  expiresAt: number;
  /** messengerclear.live.com only: the 24-byte BinarySecret. */
  proofKey?: Buffer;
}

export interface TokenHolder {
  accountId: number;
  email: string;
}

interface Entry extends TokenHolder {
  service: string;
  expiresAt: number;
  proofKey: Buffer | undefined;
  /** Frees the token when it expires (the shared heap: no scan of every token). */
  expiry: Deadline;
}

/** Live tokens one account may hold (a sign-in asks for about seven); the oldest goes first. */
const MAX_PER_ACCOUNT = 128;

export type SsoSignIn = { ok: true; accountId: number; email: string } | { ok: false; reason: 'unknown-ticket' | 'wrong-account' | 'bad-response' };

/** The `t=` part of `t=…&p=…`, or the whole string when it has none. */
export function ticketPart(token: string): string {
  return /(?:^|&)t=([^&]*)/.exec(token)?.[1] ?? token;
}

export class ServiceTokens {
  private readonly entries = new Map<string, Entry>();
  private readonly byAccount = new Map<number, string[]>();

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number,
    private readonly timers: DeadlineHeap,
  ) {}

  /**
   * A new token for `address`. `t` reuses a ticket issued elsewhere (the
   * messenger.msn.com Passport ticket); `proofKey` binds an SSO key to it.
   */
  issue(holder: TokenHolder, address: string, opts: { t?: string; proofKey?: Buffer; expiresAt?: number } = {}): ServiceToken {
    const service = serviceOf(address);
    const now = this.now();
    const expiresAt = opts.expiresAt ?? now + this.ttlMs;
    const t = opts.t ?? randomBytes(32).toString('base64url');
    this.drop(t);
    // Expired tokens are also refused when read; the deadline only frees memory.
    const expiry = this.timers.add(expiresAt, () => this.drop(t));
    this.entries.set(t, { accountId: holder.accountId, email: holder.email, service, expiresAt, proofKey: opts.proofKey, expiry });
    const mine = this.byAccount.get(holder.accountId) ?? [];
    mine.push(t);
    this.byAccount.set(holder.accountId, mine);
    while (mine.length > MAX_PER_ACCOUNT) this.drop(mine[0]!);
    return { t, p: randomBytes(24).toString('base64url'), service, createdAt: now, expiresAt, proofKey: opts.proofKey };
  }

  /**
   * The holder of `token` (`t=…&p=…` or the bare `t`), if it is live and was
   * issued for `service` (an address; aliases count as the same service).
   */
  check(token: string, service: string): TokenHolder | undefined {
    const e = this.live(token);
    if (!e || e.service !== serviceOf(service)) return undefined;
    return { accountId: e.accountId, email: e.email };
  }

  /** The proof key of a live messengerclear.live.com token. */
  proofKey(token: string): Buffer | undefined {
    const e = this.live(token);
    return e && e.service === SERVICE.messengerClear ? e.proofKey : undefined;
  }

  /**
   * `USR t SSO S <ticket> <response>` for `email`, whose `USR t SSO I` was
   * answered with `nonce`: the ticket must be a live messengerclear token of
   * that account and the response must answer the nonce under its proof key.
   * Not single use: MSNPSharp reconnects with its cached ticket, and the
   * fresh nonce already makes every answer good for one sign-in only.
   */
  verifySsoSignIn(ticket: string, response: string, nonce: string, email: string): SsoSignIn {
    const e = this.live(ticket);
    if (!e || e.service !== SERVICE.messengerClear || !e.proofKey) return { ok: false, reason: 'unknown-ticket' };
    if (e.email !== normaliseEmail(email)) return { ok: false, reason: 'wrong-account' };
    if (!verifySsoResponse(e.proofKey, nonce, response)) return { ok: false, reason: 'bad-response' };
    return { ok: true, accountId: e.accountId, email: e.email };
  }

  /** Forgets every token of the account (password changed, account deleted). */
  revokeAccount(accountId: number): void {
    for (const t of [...(this.byAccount.get(accountId) ?? [])]) this.drop(t);
  }

  /** Live tokens held in memory. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets one token, wherever it is referenced. */
  private drop(t: string): void {
    const e = this.entries.get(t);
    if (!e) return;
    this.entries.delete(t);
    this.timers.cancel(e.expiry);
    const mine = this.byAccount.get(e.accountId);
    if (!mine) return;
    const i = mine.indexOf(t);
    if (i >= 0) mine.splice(i, 1);
    if (mine.length === 0) this.byAccount.delete(e.accountId);
  }

  private live(token: string): Entry | undefined {
    const t = ticketPart(token);
    const e = this.entries.get(t);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.drop(t);
      return undefined;
    }
    return e;
  }
}
