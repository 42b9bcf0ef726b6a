// Service tokens: what RST.srf/RST2.srf hand out per requested address
// (contacts.msn.com, storage.msn.com, messengerclear.live.com, ...). Each is
// random, bound to one account and one service, and expires. The SOAP
// services call check(token, service); the notification server calls
// verifySsoSignIn on `USR t SSO S <ticket> <response>` (the messengerclear
// token carries the proof key its MBI response is computed with).
// Stored (behind the Store), so they outlive a restart: MSNPSharp reconnects
// with the tokens it cached (docs/decisions.md, "MSNP13-18: SSO"). Only a hash
// of each token is stored, and the proof key sealed with a pad only the token
// itself gives: a copy of the database signs nobody in.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { DeadlineHeap } from './deadline-heap.js';
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
  whatsup: SERVICE.whatsUp,
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

/** What issueAll makes a token for. */
export interface IssueItem {
  address: string;
  t?: string;
  proofKey?: Buffer;
  expiresAt?: number;
}

export interface TokenHolder {
  accountId: number;
  email: string;
}

interface Live extends TokenHolder {
  service: string;
  proofKey: Buffer | undefined;
}

/** Live tokens one account may hold (a sign-in asks for about seven); the oldest goes first. */
const MAX_PER_ACCOUNT = 128;
/** Expired tokens are refused when read; the cleanup (at most this often) only frees their rows. */
const CLEANUP_EVERY_MS = 10 * 60_000;

export type SsoSignIn = { ok: true; accountId: number; email: string } | { ok: false; reason: 'unknown-ticket' | 'wrong-account' | 'bad-response' };

/** The `t=` part of `t=…&p=…`, or the whole string when it has none. */
export function ticketPart(token: string): string {
  return /(?:^|&)t=([^&]*)/.exec(token)?.[1] ?? token;
}

const hashOf = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
/** A 24-byte pad only the token gives (the token has 256 random bits). */
const padOf = (t: string) => createHmac('sha256', t).update('msnpd sso proof key').digest().subarray(0, 24);
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((v, i) => v ^ b[i]!));

export class ServiceTokens {
  /** The latest expiry of a token this process issued; the cleanup runs until it has passed. */
  private latestExpiry = 0;
  private cleanupScheduled = false;

  constructor(
    private readonly store: Store,
    readonly ttlMs: number,
    private readonly now: () => number,
    private readonly timers: DeadlineHeap,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** A cleanup on the shared heap while tokens this process issued are live (none when idle). */
  private scheduleCleanup(): void {
    if (this.cleanupScheduled) return;
    this.cleanupScheduled = true;
    this.timers.add(Math.min(this.latestExpiry, this.now() + CLEANUP_EVERY_MS), (now) => {
      this.cleanupScheduled = false;
      this.store.deleteExpiredServiceTokens(now).catch(this.onError);
      if (this.latestExpiry > now) this.scheduleCleanup();
    });
  }

  /**
   * New tokens, one per item, stored in one transaction before they are
   * handed out. `t` reuses a ticket issued elsewhere (the messenger.msn.com
   * Passport ticket); `proofKey` binds an SSO key to it.
   */
  async issueAll(holder: TokenHolder, items: readonly IssueItem[]): Promise<ServiceToken[]> {
    const now = this.now();
    const made = items.map((item) => {
      const t = item.t ?? randomBytes(32).toString('base64url');
      const sealed = item.proofKey && item.proofKey.length === 24 ? xor(item.proofKey, padOf(t)).toString('base64') : null;
      const token: ServiceToken = { t, p: randomBytes(24).toString('base64url'), service: serviceOf(item.address), createdAt: now, expiresAt: item.expiresAt ?? now + this.ttlMs, proofKey: sealed ? item.proofKey : undefined };
      return { token, row: { tokenHash: hashOf(t), accountId: holder.accountId, service: token.service, createdAt: now, expiresAt: token.expiresAt, sealedProofKey: sealed } };
    });
    await this.store.withTransaction(async (tx) => {
      for (const m of made) await tx.putServiceToken(m.row, MAX_PER_ACCOUNT);
    });
    for (const m of made) this.latestExpiry = Math.max(this.latestExpiry, m.token.expiresAt);
    if (made.length > 0) this.scheduleCleanup();
    return made.map((m) => m.token);
  }

  /** One new token for `address` (see issueAll). */
  async issue(holder: TokenHolder, address: string, opts: Omit<IssueItem, 'address'> = {}): Promise<ServiceToken> {
    return (await this.issueAll(holder, [{ address, ...opts }]))[0]!;
  }

  /**
   * The holder of `token` (`t=…&p=…` or the bare `t`), if it is live and was
   * issued for `service` (an address; aliases count as the same service).
   */
  async check(token: string, service: string): Promise<TokenHolder | undefined> {
    const e = await this.live(token);
    if (!e || e.service !== serviceOf(service)) return undefined;
    return { accountId: e.accountId, email: e.email };
  }

  /** The proof key of a live messengerclear.live.com token. */
  async proofKey(token: string): Promise<Buffer | undefined> {
    const e = await this.live(token);
    return e && e.service === SERVICE.messengerClear ? e.proofKey : undefined;
  }

  /**
   * `USR t SSO S <ticket> <response>` for `email`, whose `USR t SSO I` was
   * answered with `nonce`: the ticket must be a live messengerclear token of
   * that account and the response must answer the nonce under its proof key.
   * Not single use: MSNPSharp reconnects with its cached ticket, and the
   * fresh nonce already makes every answer good for one sign-in only.
   */
  async verifySsoSignIn(ticket: string, response: string, nonce: string, email: string): Promise<SsoSignIn> {
    const e = await this.live(ticket);
    if (!e || e.service !== SERVICE.messengerClear || !e.proofKey) return { ok: false, reason: 'unknown-ticket' };
    if (e.email !== normaliseEmail(email)) return { ok: false, reason: 'wrong-account' };
    if (!verifySsoResponse(e.proofKey, nonce, response)) return { ok: false, reason: 'bad-response' };
    return { ok: true, accountId: e.accountId, email: e.email };
  }

  /** Forgets every token of the account (`user passwd` does it in its own transaction; `user delete` by cascade). */
  revokeAccount(accountId: number): Promise<void> {
    return this.store.deleteServiceTokensOf(accountId);
  }

  private async live(token: string): Promise<Live | undefined> {
    const t = ticketPart(token);
    if (t.length === 0 || t.length > 512) return undefined;
    const r = await this.store.getServiceToken(hashOf(t));
    if (!r) return undefined;
    if (r.expiresAt <= this.now()) return undefined;
    return { accountId: r.accountId, email: r.email, service: r.service, proofKey: r.sealedProofKey ? xor(Buffer.from(r.sealedProofKey, 'base64'), padOf(t)) : undefined };
  }
}
