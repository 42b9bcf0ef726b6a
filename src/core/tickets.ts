// Passport-style sign-in tickets: an HTTPS login (login2.srf, RST.srf)
// checks the password and issues a ticket; the notification server accepts
// it once (USR TWN S) for the account it was issued to, within its lifetime.
import { randomBytes } from 'node:crypto';
import type { AccountService } from './accounts.js';
import type { LoginGuard } from './login-guard.js';
import type { TokenStore } from './tokens.js';

/** The purpose a ticket is good for. */
export type TicketPurpose = 'messenger-login' | 'web';

export interface Ticket {
  /** The `t=` part (random, URL- and header-safe). */
  t: string;
  /** The `p=` part (a profile token; random, never checked). */
  p: string;
  expiresAt: number;
}

interface TicketData {
  accountId: number;
  email: string;
}

/** base64url without padding: no characters that need escaping in headers, XML or MSNP tokens. */
function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export type LoginOutcome = { ok: true; accountId: number; email: string } | { ok: false; reason: 'bad-credentials' | 'throttled' };

export class TicketService {
  constructor(
    private readonly tokens: TokenStore,
    private readonly accounts: AccountService,
    private readonly guard: LoginGuard,
    private readonly ttlMs: number,
    private readonly now: () => number,
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

  issue(accountId: number, email: string, purpose: TicketPurpose): Ticket {
    const t = this.tokens.issue<TicketData>(purpose, { accountId, email }, this.ttlMs, () => randomToken(32));
    return { t, p: randomToken(24), expiresAt: this.now() + this.ttlMs };
  }

  /**
   * Redeems a `t=…&p=…` string (or a bare ticket) for a notification-server
   * sign-in: the account it was issued to, once.
   */
  redeem(token: string): TicketData | undefined {
    const t = /(?:^|&)t=([^&]*)/.exec(token)?.[1] ?? token;
    return this.tokens.take<TicketData>('messenger-login', t);
  }
}
