// Passport-style tickets. An HTTPS sign-in (login2.srf, RST.srf) checks the
// password and issues a ticket `t=<T>&p=<P>`. The notification server accepts
// it once for a sign-in (USR TWN S), for the account it was issued to; for
// everything else the clients do with it later (MSPAuth web links, offline
// messages) it stays valid until it expires (/work/notes/passport-rst.md §4).
import { randomBytes } from 'node:crypto';
import type { AccountService } from './accounts.js';
import type { LoginGuard } from './login-guard.js';
import type { Deadline, DeadlineHeap } from './deadline-heap.js';

export interface Ticket {
  /** The `t=` part: 43 characters of URL-safe base64 (no `& ' , < > "`, under 256). */
  t: string;
  /** The `p=` part (never checked; clients require it to be present). */
  p: string;
  createdAt: number;
  expiresAt: number;
}

interface Entry {
  accountId: number;
  email: string;
  expiresAt: number;
  /** The one notification-server sign-in this ticket allows has happened. */
  signedIn: boolean;
  /**
   * It signed in a client that reads offline messages over RSI with this same
   * ticket (WLM 8.0/8.1, Messenger for Mac 8: TWN on MSNP13-16), so RSI must
   * still take it although it crossed plain TCP.
   */
  rsiClient: boolean;
  /** Frees the ticket when it expires (the shared heap: no scan of every ticket). */
  expiry: Deadline;
}

export type LoginOutcome = { ok: true; accountId: number; email: string } | { ok: false; reason: 'bad-credentials' | 'throttled' };

/** Live tickets one account may hold; the oldest goes first. */
const MAX_PER_ACCOUNT = 16;

export class TicketService {
  private readonly tickets = new Map<string, Entry>();
  private readonly byAccount = new Map<number, string[]>();

  constructor(
    private readonly accounts: AccountService,
    private readonly guard: LoginGuard,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly timers: DeadlineHeap,
  ) {}

  /** Checks a password (slow hash), counting failures per address. */
  async login(email: string, password: string, ip: string): Promise<LoginOutcome> {
    if (this.guard.blocked(ip)) return { ok: false, reason: 'throttled' };
    const a = await this.accounts.verifyPassword(email, password);
    if (!a) {
      this.guard.failed(ip);
      return { ok: false, reason: 'bad-credentials' };
    }
    return { ok: true, accountId: a.id, email: a.email };
  }

  issue(accountId: number, email: string): Ticket {
    const t = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + this.ttlMs;
    // Expired tickets are also refused when read; the deadline only frees memory.
    const expiry = this.timers.add(expiresAt, () => this.drop(t));
    this.tickets.set(t, { accountId, email, expiresAt, signedIn: false, rsiClient: false, expiry });
    const mine = this.byAccount.get(accountId) ?? [];
    mine.push(t);
    this.byAccount.set(accountId, mine);
    while (mine.length > MAX_PER_ACCOUNT) this.drop(mine[0]!);
    return { t, p: randomBytes(24).toString('base64url'), createdAt: now, expiresAt };
  }

  /**
   * A notification-server sign-in with `t=…&p=…` (or a bare ticket) for
   * `email`: the account, if the ticket is live, was issued to that address
   * and has not signed anyone in yet. A ticket shown under another address
   * is refused and stays usable by its owner.
   */
  redeemForSignIn(token: string, email: string, rsiClient = false): { accountId: number; email: string } | undefined {
    const e = this.live(token);
    if (!e || e.signedIn || e.email !== email) return undefined;
    e.signedIn = true;
    e.rsiClient = rsiClient;
    return { accountId: e.accountId, email: e.email };
  }

  /** Forgets every ticket of the account (password changed, account deleted). */
  revokeAccount(accountId: number): void {
    for (const t of [...(this.byAccount.get(accountId) ?? [])]) this.drop(t);
  }

  /** Any other use (web pages, offline messages): the account, while the ticket is live. */
  verify(token: string): { accountId: number; email: string } | undefined {
    const e = this.live(token);
    return e && { accountId: e.accountId, email: e.email };
  }

  /**
   * A live ticket that has not yet signed anyone in: once it has crossed the
   * notification connection (`USR TWN S`, plain TCP) anyone on the path may
   * have read it, so it must not open services that change what a user saved.
   */
  verifyUnexposed(token: string): { accountId: number; email: string } | undefined {
    const e = this.live(token);
    return e && !e.signedIn ? { accountId: e.accountId, email: e.email } : undefined;
  }

  /**
   * The ticket crossed the notification connection for a client that has no
   * use for it on RSI (MSNP8-12 get offline messages from a switchboard): RSI
   * refuses it, so someone who read it there cannot read or delete the
   * user's offline messages.
   */
  exposedWithoutRsiUse(token: string): boolean {
    const e = this.live(token);
    return !!e && e.signedIn && !e.rsiClient;
  }

  /** Live tickets held in memory. */
  get size(): number {
    return this.tickets.size;
  }

  /** Forgets one ticket, wherever it is referenced. */
  private drop(t: string): void {
    const e = this.tickets.get(t);
    if (!e) return;
    this.tickets.delete(t);
    this.timers.cancel(e.expiry);
    const mine = this.byAccount.get(e.accountId);
    if (!mine) return;
    const i = mine.indexOf(t);
    if (i >= 0) mine.splice(i, 1);
    if (mine.length === 0) this.byAccount.delete(e.accountId);
  }

  private live(token: string): Entry | undefined {
    const t = /(?:^|&)t=([^&]*)/.exec(token)?.[1] ?? token;
    const e = this.tickets.get(t);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.drop(t);
      return undefined;
    }
    return e;
  }
}
