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

/** An account's roaming expression profile (the storage service's GetProfile). */
export interface StorageProfile {
  accountId: number;
  createdAt: number;
  modifiedAt: number;
  /** Null: never set through the storage service. */
  displayName: string | null;
  displayNameModifiedAt: number;
  personalStatus: string | null;
  personalStatusModifiedAt: number;
  flags: number;
  /** The document shown as the display picture, if any. */
  photoId: number | null;
}

/** A stored document (a display picture) without its bytes. */
export interface StorageDocumentInfo {
  id: number;
  accountId: number;
  /** The random part of the address it is served at. */
  urlKey: string;
  name: string;
  contentType: string;
  size: number;
  modifiedAt: number;
}

export interface StorageDocument extends StorageDocumentInfo {
  data: Buffer;
}

export type NewStorageDocument = Omit<StorageDocumentInfo, 'id' | 'size'> & { data: Buffer };

/** An offline message as stored (the core's OfflineMessages service keeps the rules). */
export interface OfflineMessageRow {
  /** A GUID, upper case, no braces. */
  id: string;
  recipientId: number;
  senderId: number;
  /** The sender's address and friendly name when it was sent. */
  senderEmail: string;
  senderName: string;
  /** The client's X-OIM-Run-Id and X-OIM-Sequence-Num (a repeated Store is stored once). */
  runId: string;
  seq: number;
  receivedAt: number;
  /** The message text (UTF-8). */
  body: string;
}

export type PutOfflineResult = { stored: true; id: string } | { stored: false; reason: 'duplicate'; id: string } | { stored: false; reason: 'recipient-full' | 'sender-full' };

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

  getStorageProfile(accountId: number): Promise<StorageProfile | undefined>;
  putStorageProfile(p: StorageProfile): Promise<void>;
  /** Stores a document; the account's oldest beyond `maxPerAccount` are deleted (and unlinked from the profile). */
  addStorageDocument(d: NewStorageDocument, maxPerAccount: number): Promise<number>;
  /** Replaces a document's bytes, type, name, address key and time; false when the account has no such document. */
  replaceStorageDocument(accountId: number, id: number, d: Omit<NewStorageDocument, 'accountId'>): Promise<boolean>;
  /** The account's document `id` (never another account's). */
  getStorageDocument(accountId: number, id: number): Promise<StorageDocument | undefined>;
  /** The document served at `urlKey`. */
  getStorageDocumentByKey(urlKey: string): Promise<StorageDocument | undefined>;
  /** The account's documents, newest first, without their bytes. */
  listStorageDocuments(accountId: number): Promise<StorageDocumentInfo[]>;
  /** Deletes the account's document (and unlinks it from the profile); false when there was none. */
  deleteStorageDocument(accountId: number, id: number): Promise<boolean>;

  /**
   * Stores an offline message unless the recipient already holds `perRecipient`
   * or `perSender` from this sender (checked and written atomically), or the
   * same (sender, recipient, run id, sequence) is stored already.
   */
  putOfflineMessage(row: OfflineMessageRow, perRecipient: number, perSender: number): Promise<PutOfflineResult>;
  /** The recipient's offline messages, oldest first. */
  listOfflineMessages(recipientId: number): Promise<OfflineMessageRow[]>;
  /** One of the recipient's messages (`id` exactly as stored), never another account's. */
  getOfflineMessage(recipientId: number, id: string): Promise<OfflineMessageRow | undefined>;
  /** Deletes those of `ids` the recipient holds; returns how many. */
  deleteOfflineMessages(recipientId: number, ids: string[]): Promise<number>;

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
