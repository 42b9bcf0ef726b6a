// The storage interface. It speaks the domain (accounts, contacts, groups) and
// returns Promises even where the backing database is synchronous, so SQLite
// and PostgreSQL stay interchangeable. A change is acknowledged to a client
// only after the transaction that made it has committed.

import type { AddPrompt, Contact, Group, Privacy } from '../core/model.js';

// The domain's own types live in the core; the store speaks them.
export { LIST_BITS, type AddPrompt, type Contact, type Group, type ListName, type Privacy } from '../core/model.js';

export interface Account {
  id: number;
  email: string;
  friendlyName: string;
  passwordHash: string;
  md5Salt: string | null;
  md5Verifier: string | null;
  /** BLP: who may see me and contact me when on neither AL nor BL. */
  privacy: Privacy;
  /** GTC: whether my client prompts me when someone adds me. */
  addPrompt: AddPrompt;
  /** The classic (MSNP2-7) list version, bumped on every list change. */
  listVersion: number;
  guid: string;
  createdAt: number;
  /** PRP properties (PHH, PHW, PHM, MOB, MBE, ...), URL-decoded values. */
  properties: Record<string, string>;
}

export interface NewAccount {
  email: string;
  friendlyName: string;
  passwordHash: string;
  md5Salt: string | null;
  md5Verifier: string | null;
}

export interface AccountSummary {
  id: number;
  email: string;
  friendlyName: string;
  createdAt: number;
  hasMd5Verifier: boolean;
}

/** An entry that disappeared from `ownerId`'s lists, and the owner's list version after it. */
export interface RemovedEntry {
  ownerId: number;
  lists: number;
  version: number;
}

/**
 * What address-book deltas read (issue 13 item 3). Times are ticks, 100 ns
 * since the Unix epoch (.NET's precision), strictly increasing per account:
 * every change to the account's lists, groups or list settings moves
 * `changedAt` on.
 */
export interface ListHistory {
  changedAt: bigint;
  /** The newest removal forgotten (past the retention window): a delta from before it cannot be answered. */
  prunedAt: bigint;
  /** When each entry (by the contact's account id) and each group (by id) last changed. */
  contactTimes: Map<number, bigint>;
  groupTimes: Map<number, bigint>;
  /** Lists entries left after `since`, one list (bit) per item (an entry gone from every list has its last GUID). */
  removedContacts: { contactId: number; guid: string; email: string; lists: number; at: bigint }[];
  /** Groups deleted after `since`. */
  removedGroups: { guid: string; at: bigint }[];
}

export interface AdminEvent {
  id: number;
  type: string;
  payload: Record<string, unknown>;
}

/** An RST/RST2 service token as stored: never the token itself. */
export interface ServiceTokenRow {
  /** Hex SHA-256 of the token's `t=` part. */
  tokenHash: string;
  accountId: number;
  service: string;
  createdAt: number;
  expiresAt: number;
  /** The SSO proof key masked with a pad derived from the token (base64), or null. */
  sealedProofKey: string | null;
}

/** Operations available inside and outside a transaction. */
export interface StoreOps {
  getAccountByEmail(email: string): Promise<Account | undefined>;
  getCredentials(email: string): Promise<Credentials | undefined>;
  getAccountById(id: number): Promise<Account | undefined>;
  listAccounts(): Promise<AccountSummary[]>;
  createAccount(a: NewAccount): Promise<number>;
  /** Inserts many accounts; returns the e-mails that already existed (skipped). */
  createAccounts(a: NewAccount[]): Promise<string[]>;
  setPassword(id: number, passwordHash: string, md5Salt: string | null, md5Verifier: string | null): Promise<void>;
  /** Deletes the account and every list entry naming it; returns the entries removed from other accounts' lists. */
  deleteAccount(id: number): Promise<RemovedEntry[]>;
  setFriendlyName(id: number, name: string): Promise<void>;
  setPrivacy(id: number, privacy: Privacy): Promise<void>;
  setAddPrompt(id: number, prompt: AddPrompt): Promise<void>;
  setProperty(id: number, key: string, value: string | null): Promise<void>;
  /** Increments and returns the account's list version. */
  bumpListVersion(id: number): Promise<number>;
  /**
   * Increments, in one statement, the list version of every other account
   * whose entry on the owner's lists has all the `lists` bits (PRP's watchers);
   * returns them with their new versions, in no particular order.
   */
  bumpListVersionsOf(ownerId: number, lists: number): Promise<{ id: number; version: number }[]>;

  getContacts(ownerId: number): Promise<Contact[]>;
  /** The owner's entry for one contact, if any list holds it. */
  getContact(ownerId: number, contactId: number): Promise<Contact | undefined>;
  /** Sets the list bits and groups of an entry; an entry with no bits is deleted. */
  putContact(ownerId: number, contact: Contact): Promise<void>;

  /** Properties (phone numbers) of the accounts that have `viewerId` on their allow list. */
  getSharedProperties(viewerId: number): Promise<{ accountId: number; key: string; value: string }[]>;

  /** The owner's change times, and the removals after `since` (ticks). */
  getListHistory(ownerId: number, since: bigint): Promise<ListHistory>;

  getGroups(ownerId: number): Promise<Group[]>;
  putGroup(ownerId: number, group: Group): Promise<void>;
  deleteGroup(ownerId: number, groupId: number): Promise<void>;

  /** A service-wide value (secrets, ...), created by `make` on first use and kept from then on. */
  getOrCreateSetting(key: string, make: () => string): Promise<string>;

  /** Stores a service token; the account's oldest beyond `maxPerAccount` are deleted. */
  putServiceToken(row: ServiceTokenRow, maxPerAccount: number): Promise<void>;
  /** A stored token and its holder's current address. */
  getServiceToken(tokenHash: string): Promise<(ServiceTokenRow & { email: string }) | undefined>;
  deleteServiceToken(tokenHash: string): Promise<void>;
  deleteServiceTokensOf(accountId: number): Promise<void>;
  /** Deletes tokens expired at `now`; returns how many. */
  deleteExpiredServiceTokens(now: number): Promise<number>;

  appendAdminEvent(type: string, payload: Record<string, unknown>): Promise<number>;
  adminEventsAfter(id: number): Promise<AdminEvent[]>;
  lastAdminEventId(): Promise<number>;
}

/** What sign-in needs to check a password, and nothing more. */
export interface Credentials {
  id: number;
  md5Salt: string | null;
  md5Verifier: string | null;
}

export interface Store extends StoreOps {
  /** Runs `fn` atomically; nothing it wrote is visible to others until it resolves. */
  withTransaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /**
   * Runs read-only operations on one snapshot (a read transaction: no write
   * lock is taken, so other processes keep writing meanwhile).
   */
  withReads<T>(fn: (ops: StoreOps) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Another process (the CLI) held the database's write lock for longer than
 * the store waits: the operation did nothing and may be retried later.
 */
export class StoreBusyError extends Error {}

export class DuplicateAccountError extends Error {
  constructor(readonly email: string) {
    super(`an account ${email} already exists`);
  }
}
