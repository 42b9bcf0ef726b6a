// Accounts: creation and deletion (the CLI), password changes, and checking
// credentials for every sign-in method.
import { createHmac, randomBytes } from 'node:crypto';
import { DuplicateAccountError, type Account, type AccountSummary, type NewAccount, type Store } from '../store/store.js';
import { emailProblem, normaliseEmail } from './email.js';
import { hashPassword, md5Verifier, newMd5Salt, passwordProblem, verifyMd5Response, verifyPassword } from './passwords.js';

/** Bad input from an operator (CLI) or a sign-up form; the message says what to fix. */
export class AccountInputError extends Error {}

export interface AccountOptions {
  scryptN: number;
  /** Keep the MD5 verifier MSNP2-7 sign-in needs. */
  legacyMd5: boolean;
}

export const ACCOUNT_DELETED = 'account-deleted';
/** Admin event: the password changed, so tickets issued under the old one must go. Payload `{ id }`. */
export const PASSWORD_CHANGED = 'password-changed';

/** Payload of the admin event written when an account is deleted. */
export interface AccountDeletedEvent {
  id: number;
  email: string;
  entries: { ownerId: number; lists: number; version: number }[];
}

export class AccountService {
  /** Makes challenges for unknown accounts look like real ones, across restarts (no account probing). */
  private decoySecret: Promise<Buffer> | undefined;
  /** A hash no password matches, checked for unknown addresses. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: AccountOptions,
  ) {}

  /** Checks and prepares a new account's row (hashing the password). */
  async prepare(email: string, password: string, friendlyName?: string): Promise<NewAccount> {
    const e = normaliseEmail(email);
    const problem = emailProblem(e);
    if (problem) throw new AccountInputError(`${email}: ${problem}`);
    const pw = passwordProblem(password);
    if (pw) throw new AccountInputError(`${e}: ${pw}`);
    const name = friendlyName?.trim() || e;
    if ([...name].length > 129 || /[\r\n\0]/.test(name)) throw new AccountInputError(`${e}: the friendly name is longer than 129 characters or contains a line break`);
    const salt = this.opts.legacyMd5 ? newMd5Salt() : null;
    return {
      email: e,
      friendlyName: name,
      passwordHash: await hashPassword(password, this.opts.scryptN),
      md5Salt: salt,
      md5Verifier: salt ? md5Verifier(salt, password) : null,
    };
  }

  async create(email: string, password: string, friendlyName?: string): Promise<number> {
    const row = await this.prepare(email, password, friendlyName);
    try {
      return await this.store.createAccount(row);
    } catch (e) {
      if (e instanceof DuplicateAccountError) throw new AccountInputError(`${row.email}: an account with this address already exists`);
      throw e;
    }
  }

  async setPassword(email: string, password: string): Promise<void> {
    const e = normaliseEmail(email);
    const pw = passwordProblem(password);
    if (pw) throw new AccountInputError(`${e}: ${pw}`);
    const account = await this.store.getAccountByEmail(e);
    if (!account) throw new AccountInputError(`${e}: no such account`);
    const salt = this.opts.legacyMd5 ? newMd5Salt() : null;
    const hash = await hashPassword(password, this.opts.scryptN);
    await this.store.withTransaction(async (tx) => {
      await tx.setPassword(account.id, hash, salt, salt ? md5Verifier(salt, password) : null);
      // Service tokens are stored: they stop working with this commit (tickets, in memory, through the event).
      await tx.deleteServiceTokensOf(account.id);
      await tx.appendAdminEvent(PASSWORD_CHANGED, { id: account.id });
    });
  }

  /** Deletes the account; a running service learns of it through the admin event. */
  async remove(email: string): Promise<AccountDeletedEvent> {
    const e = normaliseEmail(email);
    return this.store.withTransaction(async (tx) => {
      const account = await tx.getAccountByEmail(e);
      if (!account) throw new AccountInputError(`${e}: no such account`);
      const entries = await tx.deleteAccount(account.id);
      const ev: AccountDeletedEvent = { id: account.id, email: account.email, entries };
      await tx.appendAdminEvent(ACCOUNT_DELETED, ev as unknown as Record<string, unknown>);
      return ev;
    });
  }

  list(): Promise<AccountSummary[]> {
    return this.store.listAccounts();
  }

  get(email: string): Promise<Account | undefined> {
    return this.store.getAccountByEmail(normaliseEmail(email));
  }

  /**
   * The salt for `USR MD5 S`. Unknown accounts (and accounts without a
   * verifier) get a stable decoy, so the answer does not reveal who exists.
   */
  async md5Salt(email: string): Promise<string> {
    const a = this.opts.legacyMd5 ? await this.store.getCredentials(normaliseEmail(email)) : undefined;
    if (a?.md5Salt && a.md5Verifier) return a.md5Salt;
    this.decoySecret ??= this.store.getOrCreateSetting('decoy-salt-secret', () => randomBytes(32).toString('base64')).then((v) => Buffer.from(v, 'base64'));
    const h = createHmac('sha256', await this.decoySecret).update(normaliseEmail(email)).digest();
    return `${1_000_000_000 + (h.readUInt32BE(0) % 1_000_000_000)}.${String(h.readUInt32BE(4) % 1_000_000_000).padStart(9, '0')}`;
  }

  /** The account's id, if `response` is MD5(salt || password) for it. */
  async verifyMd5(email: string, response: string): Promise<number | undefined> {
    if (!this.opts.legacyMd5) return undefined;
    const a = await this.store.getCredentials(normaliseEmail(email));
    if (!a || !a.md5Verifier) return undefined;
    return verifyMd5Response(response, a.md5Verifier) ? a.id : undefined;
  }

  /** The account, if the password is right (HTTPS sign-ins). */
  async verifyPassword(email: string, password: string): Promise<Account | undefined> {
    const a = await this.get(email);
    // Unknown addresses cost the same slow hash, so timing does not tell who exists.
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.opts.scryptN);
    const ok = await verifyPassword(password, a ? a.passwordHash : await this.dummyHash);
    return a && ok ? a : undefined;
  }
}
