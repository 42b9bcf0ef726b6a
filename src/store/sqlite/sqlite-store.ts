// The Store on an embedded SQLite file (better-sqlite3, WAL).
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  DuplicateAccountError,
  LIST_BITS,
  type Account,
  type AccountSummary,
  type AddPrompt,
  type AdminEvent,
  type Contact,
  type Credentials,
  type Group,
  type ListHistory,
  type NewAccount,
  type OfflineMessageRow,
  type PutOfflineResult,
  type Privacy,
  StoreBusyError,
  type RemovedEntry,
  type ServiceTokenRow,
  type NewStorageDocument,
  type StorageDocument,
  type StorageDocumentInfo,
  type StorageProfile,
  type Store,
  type StoreOps,
} from '../store.js';
import { Mutex } from '../mutex.js';
import { TurnBudget } from '../turn-budget.js';
import { MIGRATIONS } from './migrations.js';
import { isBusy, retryWhileBusy } from './busy-retry.js';
import { startCheckpointer } from './checkpointer.js';

export const DEFAULT_GROUP_NAME = 'Other Contacts';

interface AccountRow {
  id: number;
  email: string;
  friendly_name: string;
  password_hash: string;
  md5_salt: string | null;
  md5_verifier: string | null;
  privacy: string;
  add_prompt: string;
  list_version: number;
  guid: string;
  created_at: number;
}

interface ContactRow {
  contact_id: number;
  email: string;
  friendly_name: string;
  lists: number;
  guid: string;
}

function toContact(r: ContactRow, groups: number[]): Contact {
  return { contactId: r.contact_id, email: r.email, friendlyName: r.friendly_name, lists: r.lists, guid: r.guid, groups };
}

interface ProfileRow {
  account_id: number;
  created_at: number;
  modified_at: number;
  display_name: string | null;
  display_name_modified_at: number;
  personal_status: string | null;
  personal_status_modified_at: number;
  flags: number;
  photo_id: number | null;
}

interface DocumentRow {
  id: number;
  account_id: number;
  url_key: string;
  name: string;
  content_type: string;
  data?: Buffer;
  size: number;
  modified_at: number;
}

function toDocumentInfo(r: DocumentRow): StorageDocumentInfo {
  return { id: r.id, accountId: r.account_id, urlKey: r.url_key, name: r.name, contentType: r.content_type, size: r.size, modifiedAt: r.modified_at };
}

function toDocument(r: DocumentRow | undefined): StorageDocument | undefined {
  return r && { ...toDocumentInfo(r), data: r.data ?? Buffer.alloc(0) };
}

/** Ticks (100 ns since the Unix epoch) per millisecond: the address book's time unit. */
const TICKS_PER_MS = 10_000n;

/** How long removals are remembered for address-book deltas, by default (docs/decisions.md). */
export const DEFAULT_TOMBSTONE_RETENTION_MS = 180 * 24 * 3600 * 1000;
/**
 * Removals one owner keeps per kind (entries, groups) at most: beyond it the
 * oldest are forgotten as if past the retention window (older deltas get
 * "Full sync required"), so adding and removing in a loop cannot grow the
 * table, or a delta answer, without end.
 */
export const DEFAULT_MAX_TOMBSTONES = 10_000;

function nowTicks(): bigint {
  return BigInt(Date.now()) * TICKS_PER_MS;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

interface OimDbRow {
  id: string;
  recipient_id: number;
  sender_id: number;
  sender_email: string;
  sender_name: string;
  run_id: string;
  seq: number;
  received_at: number;
  body: string;
}

function toOim(r: OimDbRow): OfflineMessageRow {
  return {
    id: r.id, recipientId: r.recipient_id, senderId: r.sender_id, senderEmail: r.sender_email, senderName: r.sender_name,
    runId: r.run_id, seq: r.seq, receivedAt: r.received_at, body: r.body,
  };
}

/** Synchronous operations on one connection; SqliteStore serialises access. */
class SqliteOps {
  private readonly st: Record<string, Statement>;

  constructor(
    private readonly db: Db,
    /** Tombstones older than this (ticks) are pruned when the owner's next one is written. */
    private readonly retention: bigint,
    /** ...and so are all but the newest this many of each kind. */
    private readonly maxTombstones: number = DEFAULT_MAX_TOMBSTONES,
  ) {
    const p = (sql: string) => db.prepare(sql);
    /** Statements that read or return ticks, which exceed 2^53. */
    const big = (sql: string) => db.prepare(sql).safeIntegers(true);
    this.st = {
      accountByEmail: p('SELECT * FROM accounts WHERE email = ?'),
      accountById: p('SELECT * FROM accounts WHERE id = ?'),
      credentials: p('SELECT id, md5_salt, md5_verifier FROM accounts WHERE email = ?'),
      props: p('SELECT key, value FROM account_properties WHERE account_id = ?'),
      listAccounts: p(
        'SELECT id, email, friendly_name, created_at, md5_verifier IS NOT NULL AS has_md5 FROM accounts ORDER BY email',
      ),
      insertAccount: p(
        'INSERT INTO accounts (email, friendly_name, password_hash, md5_salt, md5_verifier, guid, created_at, lists_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertDefaultGroup: p('INSERT INTO user_groups (owner_id, id, guid, name) VALUES (?, 0, ?, ?)'),
      setPassword: p('UPDATE accounts SET password_hash = ?, md5_salt = ?, md5_verifier = ? WHERE id = ?'),
      ownersOf: p('SELECT owner_id, lists, guid FROM contacts WHERE contact_id = ? AND owner_id <> ?'),
      deleteAccount: p('DELETE FROM accounts WHERE id = ?'),
      setName: p('UPDATE accounts SET friendly_name = ? WHERE id = ?'),
      setPrivacy: p('UPDATE accounts SET privacy = ? WHERE id = ?'),
      setPrompt: p('UPDATE accounts SET add_prompt = ? WHERE id = ?'),
      setProp: p(
        'INSERT INTO account_properties (account_id, key, value) VALUES (?, ?, ?) ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value',
      ),
      delProp: p('DELETE FROM account_properties WHERE account_id = ? AND key = ?'),
      // Every bump also moves the account's change time on (strictly: +1 tick at least).
      bump: p('UPDATE accounts SET list_version = list_version + 1, lists_changed_at = MAX(lists_changed_at + 1, ?) WHERE id = ? RETURNING list_version'),
      tick: big('UPDATE accounts SET lists_changed_at = MAX(lists_changed_at + 1, ?) WHERE id = ? RETURNING lists_changed_at'),
      // Set-based: one statement however many rows, no call back into JS per row.
      bumpWatchers: p(
        'UPDATE accounts SET list_version = list_version + 1, lists_changed_at = MAX(lists_changed_at + 1, ?) WHERE id IN (SELECT contact_id FROM contacts WHERE owner_id = ? AND (lists & ?) = ? AND contact_id <> ?) RETURNING id, list_version',
      ),
      bumpOwnersOf: big(
        'UPDATE accounts SET list_version = list_version + 1, lists_changed_at = MAX(lists_changed_at + 1, ?) WHERE id IN (SELECT owner_id FROM contacts WHERE contact_id = ? AND owner_id <> ?) RETURNING id, list_version, lists_changed_at',
      ),
      contacts: p(
        'SELECT c.contact_id, a.email, a.friendly_name, c.lists, c.guid FROM contacts c JOIN accounts a ON a.id = c.contact_id WHERE c.owner_id = ? ORDER BY c.rowid',
      ),
      contact: p(
        'SELECT c.contact_id, a.email, a.friendly_name, c.lists, c.guid FROM contacts c JOIN accounts a ON a.id = c.contact_id WHERE c.owner_id = ? AND c.contact_id = ?',
      ),
      memberships: p('SELECT contact_id, group_id FROM contact_group_members WHERE owner_id = ? ORDER BY group_id'),
      membershipsOf: p(
        'SELECT group_id FROM contact_group_members WHERE owner_id = ? AND contact_id = ? ORDER BY group_id',
      ),
      upsertContact: p(
        'INSERT INTO contacts (owner_id, contact_id, lists, guid, changed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner_id, contact_id) DO UPDATE SET lists = excluded.lists, guid = excluded.guid, changed_at = excluded.changed_at',
      ),
      priorContact: p('SELECT lists, guid FROM contacts WHERE owner_id = ? AND contact_id = ?'),
      putTombstone: p(
        'INSERT INTO contact_tombstones (owner_id, contact_id, guid, email, list, deleted_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner_id, contact_id, guid, list) DO UPDATE SET email = excluded.email, deleted_at = excluded.deleted_at',
      ),
      // Lists an entry is back on are no longer removals; the forward list only for the same entry (GUID).
      unTombstone: p('DELETE FROM contact_tombstones WHERE owner_id = ? AND contact_id = ? AND (list & ?) <> 0'),
      unTombstoneSame: p('DELETE FROM contact_tombstones WHERE owner_id = ? AND contact_id = ? AND guid = ? AND (list & ?) <> 0'),
      markPruned: p(
        'UPDATE accounts SET tombstones_pruned_at = MAX(tombstones_pruned_at, COALESCE((SELECT MAX(deleted_at) FROM contact_tombstones WHERE owner_id = @owner AND deleted_at < @cutoff), 0), COALESCE((SELECT MAX(deleted_at) FROM group_tombstones WHERE owner_id = @owner AND deleted_at < @cutoff), 0)) WHERE id = @owner',
      ),
      pruneContactTombstones: p('DELETE FROM contact_tombstones WHERE owner_id = ? AND deleted_at < ?'),
      pruneGroupTombstones: p('DELETE FROM group_tombstones WHERE owner_id = ? AND deleted_at < ?'),
      countContactTombstones: p('SELECT COUNT(*) AS n FROM contact_tombstones WHERE owner_id = ?'),
      countGroupTombstones: p('SELECT COUNT(*) AS n FROM group_tombstones WHERE owner_id = ?'),
      nthContactTombstone: big('SELECT deleted_at FROM contact_tombstones WHERE owner_id = ? ORDER BY deleted_at DESC LIMIT 1 OFFSET ?'),
      nthGroupTombstone: big('SELECT deleted_at FROM group_tombstones WHERE owner_id = ? ORDER BY deleted_at DESC LIMIT 1 OFFSET ?'),
      groupGuid: p('SELECT guid FROM user_groups WHERE owner_id = ? AND id = ?'),
      putGroupTombstone: p(
        'INSERT INTO group_tombstones (owner_id, guid, deleted_at) VALUES (?, ?, ?) ON CONFLICT (owner_id, guid) DO UPDATE SET deleted_at = excluded.deleted_at',
      ),
      touchGroupMembers: p(
        'UPDATE contacts SET changed_at = ? WHERE owner_id = ? AND contact_id IN (SELECT contact_id FROM contact_group_members WHERE owner_id = ? AND group_id = ?)',
      ),
      historyTimes: big('SELECT lists_changed_at, tombstones_pruned_at FROM accounts WHERE id = ?'),
      contactTimes: big('SELECT contact_id, changed_at FROM contacts WHERE owner_id = ?'),
      groupTimes: big('SELECT id, changed_at FROM user_groups WHERE owner_id = ?'),
      removedContacts: big('SELECT contact_id, guid, email, list AS lists, deleted_at FROM contact_tombstones WHERE owner_id = ? AND deleted_at > ? ORDER BY deleted_at'),
      removedGroups: big('SELECT guid, deleted_at FROM group_tombstones WHERE owner_id = ? AND deleted_at > ? ORDER BY deleted_at'),
      deleteContact: p('DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?'),
      clearMemberships: p('DELETE FROM contact_group_members WHERE owner_id = ? AND contact_id = ?'),
      addMembership: p('INSERT INTO contact_group_members (owner_id, contact_id, group_id) VALUES (?, ?, ?)'),
      shared: p(
        'SELECT p.account_id, p.key, p.value FROM account_properties p JOIN contacts c ON c.owner_id = p.account_id WHERE c.contact_id = ? AND (c.lists & 2) <> 0',
      ),
      groups: p('SELECT id, guid, name FROM user_groups WHERE owner_id = ? ORDER BY id'),
      upsertGroup: p(
        'INSERT INTO user_groups (owner_id, id, guid, name, changed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner_id, id) DO UPDATE SET guid = excluded.guid, name = excluded.name, changed_at = excluded.changed_at',
      ),
      deleteGroup: p('DELETE FROM user_groups WHERE owner_id = ? AND id = ?'),
      getSetting: p('SELECT value FROM settings WHERE key = ?'),
      putSetting: p('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      putToken: p(
        'INSERT INTO service_tokens (token_hash, account_id, service, created_at, expires_at, sealed_proof_key) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO UPDATE SET account_id = excluded.account_id, service = excluded.service, created_at = excluded.created_at, expires_at = excluded.expires_at, sealed_proof_key = excluded.sealed_proof_key',
      ),
      capTokens: p(
        'DELETE FROM service_tokens WHERE account_id = ? AND token_hash NOT IN (SELECT token_hash FROM service_tokens WHERE account_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)',
      ),
      getToken: p(
        'SELECT t.token_hash, t.account_id, t.service, t.created_at, t.expires_at, t.sealed_proof_key, a.email FROM service_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = ?',
      ),
      deleteToken: p('DELETE FROM service_tokens WHERE token_hash = ?'),
      deleteTokensOf: p('DELETE FROM service_tokens WHERE account_id = ?'),
      deleteExpiredTokens: p('DELETE FROM service_tokens WHERE expires_at <= ?'),
      getProfile: p('SELECT * FROM storage_profiles WHERE account_id = ?'),
      putProfile: p(
        'INSERT INTO storage_profiles (account_id, created_at, modified_at, display_name, display_name_modified_at, personal_status, personal_status_modified_at, flags, photo_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET created_at = excluded.created_at, modified_at = excluded.modified_at, display_name = excluded.display_name, display_name_modified_at = excluded.display_name_modified_at, personal_status = excluded.personal_status, personal_status_modified_at = excluded.personal_status_modified_at, flags = excluded.flags, photo_id = excluded.photo_id',
      ),
      addDocument: p('INSERT INTO storage_documents (account_id, url_key, name, content_type, data, modified_at) VALUES (?, ?, ?, ?, ?, ?)'),
      replaceDocument: p('UPDATE storage_documents SET url_key = ?, name = ?, content_type = ?, data = ?, modified_at = ? WHERE account_id = ? AND id = ?'),
      // Unlinks the documents about to be capped away (the profile never points at a deleted one).
      unlinkCapped: p(
        'UPDATE storage_profiles SET photo_id = NULL WHERE account_id = ? AND photo_id IN (SELECT id FROM storage_documents WHERE account_id = ? AND id NOT IN (SELECT id FROM storage_documents WHERE account_id = ? ORDER BY id DESC LIMIT ?))',
      ),
      capDocuments: p(
        'DELETE FROM storage_documents WHERE account_id = ? AND id NOT IN (SELECT id FROM storage_documents WHERE account_id = ? ORDER BY id DESC LIMIT ?)',
      ),
      getDocument: p('SELECT *, length(data) AS size FROM storage_documents WHERE account_id = ? AND id = ?'),
      documentByKey: p('SELECT *, length(data) AS size FROM storage_documents WHERE url_key = ?'),
      listDocuments: p(
        'SELECT id, account_id, url_key, name, content_type, modified_at, length(data) AS size FROM storage_documents WHERE account_id = ? ORDER BY id DESC',
      ),
      unlinkDocument: p('UPDATE storage_profiles SET photo_id = NULL WHERE account_id = ? AND photo_id = ?'),
      deleteDocument: p('DELETE FROM storage_documents WHERE account_id = ? AND id = ?'),

      oimFind: p('SELECT id FROM offline_messages WHERE sender_id = ? AND recipient_id = ? AND run_id = ? AND seq = ?'),
      oimCountFor: p('SELECT COUNT(*) AS n FROM offline_messages WHERE recipient_id = ?'),
      oimCountFrom: p('SELECT COUNT(*) AS n FROM offline_messages WHERE recipient_id = ? AND sender_id = ?'),
      oimInsert: p(
        'INSERT INTO offline_messages (id, recipient_id, sender_id, sender_email, sender_name, run_id, seq, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      oimList: p('SELECT * FROM offline_messages WHERE recipient_id = ? ORDER BY received_at, rowid'),
      oimGet: p('SELECT * FROM offline_messages WHERE recipient_id = ? AND id = ?'),
      oimDelete: p('DELETE FROM offline_messages WHERE recipient_id = ? AND id = ?'),
      appendEvent: p('INSERT INTO admin_events (type, payload, created_at) VALUES (?, ?, ?)'),
      eventsAfter: p('SELECT id, type, payload FROM admin_events WHERE id > ? ORDER BY id LIMIT 1000'),
      lastEvent: p('SELECT COALESCE(MAX(id), 0) AS id FROM admin_events'),
    };
  }

  /** Several statements as one unit, also when called outside withTransaction. */
  private atomic<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn).immediate();
  }

  private toAccount(row: AccountRow | undefined): Account | undefined {
    if (!row) return undefined;
    const properties: Record<string, string> = {};
    for (const r of this.st.props!.all(row.id) as { key: string; value: string }[]) properties[r.key] = r.value;
    return {
      id: row.id,
      email: row.email,
      friendlyName: row.friendly_name,
      passwordHash: row.password_hash,
      md5Salt: row.md5_salt,
      md5Verifier: row.md5_verifier,
      privacy: row.privacy === 'BL' ? 'BL' : 'AL',
      addPrompt: row.add_prompt === 'N' ? 'N' : 'A',
      listVersion: row.list_version,
      guid: row.guid,
      createdAt: row.created_at,
      properties,
    };
  }

  getAccountByEmail(email: string): Account | undefined {
    return this.toAccount(this.st.accountByEmail!.get(email) as AccountRow | undefined);
  }
  getCredentials(email: string): Credentials | undefined {
    const r = this.st.credentials!.get(email) as { id: number; md5_salt: string | null; md5_verifier: string | null } | undefined;
    return r && { id: r.id, md5Salt: r.md5_salt, md5Verifier: r.md5_verifier };
  }
  getAccountById(id: number): Account | undefined {
    return this.toAccount(this.st.accountById!.get(id) as AccountRow | undefined);
  }
  listAccounts(): AccountSummary[] {
    return (
      this.st.listAccounts!.all() as { id: number; email: string; friendly_name: string; created_at: number; has_md5: number }[]
    ).map((r) => ({ id: r.id, email: r.email, friendlyName: r.friendly_name, createdAt: r.created_at, hasMd5Verifier: !!r.has_md5 }));
  }
  createAccount(a: NewAccount): number {
    return this.atomic(() => this.insertAccount(a));
  }
  private insertAccount(a: NewAccount): number {
    try {
      const info = this.st.insertAccount!.run(
        a.email, a.friendlyName, a.passwordHash, a.md5Salt, a.md5Verifier, randomUUID(), Date.now(), nowTicks(),
      );
      const id = Number(info.lastInsertRowid);
      this.st.insertDefaultGroup!.run(id, randomUUID(), DEFAULT_GROUP_NAME);
      return id;
    } catch (e) {
      if (isUniqueViolation(e)) throw new DuplicateAccountError(a.email);
      throw e;
    }
  }
  createAccounts(list: NewAccount[]): string[] {
    return this.atomic(() => this.insertAccounts(list));
  }
  private insertAccounts(list: NewAccount[]): string[] {
    const skipped: string[] = [];
    for (const a of list) {
      if (this.st.accountByEmail!.get(a.email)) {
        skipped.push(a.email);
        continue;
      }
      this.insertAccount(a);
    }
    return skipped;
  }
  setPassword(id: number, hash: string, salt: string | null, verifier: string | null): void {
    this.st.setPassword!.run(hash, salt, verifier, id);
  }
  deleteAccount(id: number): RemovedEntry[] {
    return this.atomic(() => this.removeAccount(id));
  }
  private removeAccount(id: number): RemovedEntry[] {
    const rows = this.st.ownersOf!.all(id, id) as { owner_id: number; lists: number; guid: string }[];
    const email = (this.st.accountById!.get(id) as AccountRow | undefined)?.email ?? '';
    const bumped = this.st.bumpOwnersOf!.all(nowTicks(), id, id) as { id: bigint; list_version: bigint; lists_changed_at: bigint }[];
    const versions = new Map(bumped.map((r) => [Number(r.id), { version: Number(r.list_version), at: r.lists_changed_at }]));
    // Everyone who had the account on a list keeps a tombstone for their address-book deltas.
    for (const r of rows) this.tombstone(r.owner_id, id, r.guid, email, r.lists, versions.get(r.owner_id)!.at);
    this.st.deleteAccount!.run(id);
    return rows.map((r) => ({ ownerId: r.owner_id, lists: r.lists, version: versions.get(r.owner_id)!.version }));
  }
  setFriendlyName(id: number, name: string): void {
    this.st.setName!.run(name, id);
  }
  setPrivacy(id: number, privacy: Privacy): void {
    this.st.setPrivacy!.run(privacy, id);
  }
  setAddPrompt(id: number, prompt: AddPrompt): void {
    this.st.setPrompt!.run(prompt, id);
  }
  setProperty(id: number, key: string, value: string | null): void {
    if (value === null || value === '') this.st.delProp!.run(id, key);
    else this.st.setProp!.run(id, key, value);
  }
  bumpListVersion(id: number): number {
    const r = this.st.bump!.get(nowTicks(), id) as { list_version: number } | undefined;
    if (!r) throw new Error(`no account ${id}`);
    return r.list_version;
  }
  bumpListVersionsOf(ownerId: number, lists: number): { id: number; version: number }[] {
    return (this.st.bumpWatchers!.all(nowTicks(), ownerId, lists, lists, ownerId) as { id: number; list_version: number }[]).map((r) => ({
      id: r.id,
      version: r.list_version,
    }));
  }
  getContacts(ownerId: number): Contact[] {
    const rows = this.st.contacts!.all(ownerId) as ContactRow[];
    const groups = new Map<number, number[]>();
    for (const m of this.st.memberships!.all(ownerId) as { contact_id: number; group_id: number }[]) {
      let g = groups.get(m.contact_id);
      if (!g) groups.set(m.contact_id, (g = []));
      g.push(m.group_id);
    }
    return rows.map((r) => toContact(r, groups.get(r.contact_id) ?? []));
  }
  getContact(ownerId: number, contactId: number): Contact | undefined {
    const r = this.st.contact!.get(ownerId, contactId) as ContactRow | undefined;
    if (!r) return undefined;
    const groups = (this.st.membershipsOf!.all(ownerId, contactId) as { group_id: number }[]).map((m) => m.group_id);
    return toContact(r, groups);
  }
  putContact(ownerId: number, c: Contact): void {
    this.atomic(() => this.writeContact(ownerId, c));
  }
  private writeContact(ownerId: number, c: Contact): void {
    const prior = this.st.priorContact!.get(ownerId, c.contactId) as { lists: number; guid: string } | undefined;
    const at = this.tick(ownerId);
    const lost = prior ? prior.lists & ~c.lists : 0;
    if (lost) this.tombstone(ownerId, c.contactId, prior!.guid, c.email, lost, at);
    const regained = c.lists & ~(prior?.lists ?? 0);
    if (regained) {
      this.st.unTombstone!.run(ownerId, c.contactId, regained & ~LIST_BITS.FL);
      this.st.unTombstoneSame!.run(ownerId, c.contactId, c.guid, regained & LIST_BITS.FL);
    }
    if (c.lists === 0) {
      this.st.deleteContact!.run(ownerId, c.contactId);
      return;
    }
    this.st.upsertContact!.run(ownerId, c.contactId, c.lists, c.guid, at);
    this.st.clearMemberships!.run(ownerId, c.contactId);
    for (const g of c.groups) this.st.addMembership!.run(ownerId, c.contactId, g);
  }
  getSharedProperties(viewerId: number): { accountId: number; key: string; value: string }[] {
    return (this.st.shared!.all(viewerId) as { account_id: number; key: string; value: string }[]).map((r) => ({
      accountId: r.account_id,
      key: r.key,
      value: r.value,
    }));
  }
  getGroups(ownerId: number): Group[] {
    return this.st.groups!.all(ownerId) as Group[];
  }
  putGroup(ownerId: number, g: Group): void {
    this.atomic(() => this.st.upsertGroup!.run(ownerId, g.id, g.guid, g.name, this.tick(ownerId)));
  }
  deleteGroup(ownerId: number, groupId: number): void {
    this.atomic(() => {
      const g = this.st.groupGuid!.get(ownerId, groupId) as { guid: string } | undefined;
      if (!g) return;
      const at = this.tick(ownerId);
      // Its members' group lists change with it.
      this.st.touchGroupMembers!.run(at, ownerId, ownerId, groupId);
      this.st.putGroupTombstone!.run(ownerId, g.guid, at);
      this.prune(ownerId, at);
      this.st.deleteGroup!.run(ownerId, groupId);
    });
  }
  getListHistory(ownerId: number, since: bigint): ListHistory {
    const t = this.st.historyTimes!.get(ownerId) as { lists_changed_at: bigint; tombstones_pruned_at: bigint } | undefined;
    const contactTimes = new Map((this.st.contactTimes!.all(ownerId) as { contact_id: bigint; changed_at: bigint }[]).map((r) => [Number(r.contact_id), r.changed_at]));
    const groupTimes = new Map((this.st.groupTimes!.all(ownerId) as { id: bigint; changed_at: bigint }[]).map((r) => [Number(r.id), r.changed_at]));
    const removedContacts = (this.st.removedContacts!.all(ownerId, since) as { contact_id: bigint; guid: string; email: string; lists: bigint; deleted_at: bigint }[]).map(
      (r) => ({ contactId: Number(r.contact_id), guid: r.guid, email: r.email, lists: Number(r.lists), at: r.deleted_at }),
    );
    const removedGroups = (this.st.removedGroups!.all(ownerId, since) as { guid: string; deleted_at: bigint }[]).map((r) => ({ guid: r.guid, at: r.deleted_at }));
    return { changedAt: t?.lists_changed_at ?? 0n, prunedAt: t?.tombstones_pruned_at ?? 0n, contactTimes, groupTimes, removedContacts, removedGroups };
  }
  /** The owner's next change time (strictly later than the last). */
  private tick(ownerId: number): bigint {
    const r = this.st.tick!.get(nowTicks(), ownerId) as { lists_changed_at: bigint } | undefined;
    return r?.lists_changed_at ?? nowTicks();
  }
  /** Records that `lists` of an entry went at `at`, and forgets the owner's removals past the retention window. */
  private tombstone(ownerId: number, contactId: number, guid: string, email: string, lists: number, at: bigint): void {
    // One row per list, each with its own time.
    for (let bit = 1; bit <= lists; bit <<= 1) if (lists & bit) this.st.putTombstone!.run(ownerId, contactId, guid, email, bit, at);
    this.prune(ownerId, at);
  }
  /**
   * Forgets the owner's removals past the retention window, never the one just
   * written at `at` (with a window shorter than the time between two writes, the
   * newest removal must still reach the next delta; the cutoff otherwise depends
   * on how many milliseconds the write took).
   */
  private prune(ownerId: number, at: bigint): void {
    const window = nowTicks() - this.retention;
    let cutoff = window < at ? window : at;
    for (const [count, nth] of [
      [this.st.countContactTombstones!, this.st.nthContactTombstone!],
      [this.st.countGroupTombstones!, this.st.nthGroupTombstone!],
    ] as const) {
      if ((count.get(ownerId) as { n: number }).n <= this.maxTombstones) continue;
      // The newest maxTombstones stay (and any as old as the last of them).
      const r = nth.get(ownerId, this.maxTombstones - 1) as { deleted_at: bigint } | undefined;
      if (r && r.deleted_at > cutoff) cutoff = r.deleted_at;
    }
    this.st.markPruned!.run({ owner: ownerId, cutoff });
    this.st.pruneContactTombstones!.run(ownerId, cutoff);
    this.st.pruneGroupTombstones!.run(ownerId, cutoff);
  }
  getOrCreateSetting(key: string, make: () => string): string {
    return this.atomic(() => {
      const r = this.st.getSetting!.get(key) as { value: string } | undefined;
      if (r) return r.value;
      const v = make();
      this.st.putSetting!.run(key, v);
      return v;
    });
  }
  putServiceToken(r: ServiceTokenRow, maxPerAccount: number): void {
    this.atomic(() => {
      this.st.putToken!.run(r.tokenHash, r.accountId, r.service, r.createdAt, r.expiresAt, r.sealedProofKey);
      this.st.capTokens!.run(r.accountId, r.accountId, maxPerAccount);
    });
  }
  getServiceToken(tokenHash: string): (ServiceTokenRow & { email: string }) | undefined {
    const r = this.st.getToken!.get(tokenHash) as
      | { token_hash: string; account_id: number; service: string; created_at: number; expires_at: number; sealed_proof_key: string | null; email: string }
      | undefined;
    return (
      r && { tokenHash: r.token_hash, accountId: r.account_id, service: r.service, createdAt: r.created_at, expiresAt: r.expires_at, sealedProofKey: r.sealed_proof_key, email: r.email }
    );
  }
  deleteServiceToken(tokenHash: string): void {
    this.st.deleteToken!.run(tokenHash);
  }
  deleteServiceTokensOf(accountId: number): void {
    this.st.deleteTokensOf!.run(accountId);
  }
  deleteExpiredServiceTokens(now: number): number {
    return this.st.deleteExpiredTokens!.run(now).changes;
  }
  getStorageProfile(accountId: number): StorageProfile | undefined {
    const r = this.st.getProfile!.get(accountId) as ProfileRow | undefined;
    return (
      r && {
        accountId: r.account_id,
        createdAt: r.created_at,
        modifiedAt: r.modified_at,
        displayName: r.display_name,
        displayNameModifiedAt: r.display_name_modified_at,
        personalStatus: r.personal_status,
        personalStatusModifiedAt: r.personal_status_modified_at,
        flags: r.flags,
        photoId: r.photo_id,
      }
    );
  }
  putStorageProfile(p: StorageProfile): void {
    this.st.putProfile!.run(
      p.accountId, p.createdAt, p.modifiedAt, p.displayName, p.displayNameModifiedAt, p.personalStatus, p.personalStatusModifiedAt, p.flags, p.photoId,
    );
  }
  addStorageDocument(d: NewStorageDocument, maxPerAccount: number): number {
    return this.atomic(() => {
      const id = Number(this.st.addDocument!.run(d.accountId, d.urlKey, d.name, d.contentType, d.data, d.modifiedAt).lastInsertRowid);
      this.st.unlinkCapped!.run(d.accountId, d.accountId, d.accountId, maxPerAccount);
      this.st.capDocuments!.run(d.accountId, d.accountId, maxPerAccount);
      return id;
    });
  }
  replaceStorageDocument(accountId: number, id: number, d: Omit<NewStorageDocument, 'accountId'>): boolean {
    return this.st.replaceDocument!.run(d.urlKey, d.name, d.contentType, d.data, d.modifiedAt, accountId, id).changes > 0;
  }
  getStorageDocument(accountId: number, id: number): StorageDocument | undefined {
    return toDocument(this.st.getDocument!.get(accountId, id) as DocumentRow | undefined);
  }
  getStorageDocumentByKey(urlKey: string): StorageDocument | undefined {
    return toDocument(this.st.documentByKey!.get(urlKey) as DocumentRow | undefined);
  }
  listStorageDocuments(accountId: number): StorageDocumentInfo[] {
    return (this.st.listDocuments!.all(accountId) as DocumentRow[]).map((r) => toDocumentInfo(r));
  }
  deleteStorageDocument(accountId: number, id: number): boolean {
    return this.atomic(() => {
      this.st.unlinkDocument!.run(accountId, id);
      return this.st.deleteDocument!.run(accountId, id).changes > 0;
    });
  }

  putOfflineMessage(r: OfflineMessageRow, perRecipient: number, perSender: number): PutOfflineResult {
    return this.atomic((): PutOfflineResult => {
      const dup = this.st.oimFind!.get(r.senderId, r.recipientId, r.runId, r.seq) as { id: string } | undefined;
      if (dup) return { stored: false, reason: 'duplicate', id: dup.id };
      if ((this.st.oimCountFor!.get(r.recipientId) as { n: number }).n >= perRecipient) return { stored: false, reason: 'recipient-full' };
      if ((this.st.oimCountFrom!.get(r.recipientId, r.senderId) as { n: number }).n >= perSender) return { stored: false, reason: 'sender-full' };
      this.st.oimInsert!.run(r.id, r.recipientId, r.senderId, r.senderEmail, r.senderName, r.runId, r.seq, r.receivedAt, r.body);
      return { stored: true, id: r.id };
    });
  }
  listOfflineMessages(recipientId: number): OfflineMessageRow[] {
    return (this.st.oimList!.all(recipientId) as OimDbRow[]).map(toOim);
  }
  getOfflineMessage(recipientId: number, id: string): OfflineMessageRow | undefined {
    const r = this.st.oimGet!.get(recipientId, id) as OimDbRow | undefined;
    return r && toOim(r);
  }
  deleteOfflineMessages(recipientId: number, ids: string[]): number {
    return this.atomic(() => ids.reduce((n, id) => n + this.st.oimDelete!.run(recipientId, id).changes, 0));
  }
  appendAdminEvent(type: string, payload: Record<string, unknown>): number {
    return Number(this.st.appendEvent!.run(type, JSON.stringify(payload), Date.now()).lastInsertRowid);
  }
  adminEventsAfter(id: number): AdminEvent[] {
    return (this.st.eventsAfter!.all(id) as { id: number; type: string; payload: string }[]).map((r) => ({
      id: r.id,
      type: r.type,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
    }));
  }
  lastAdminEventId(): number {
    return (this.st.lastEvent!.get() as { id: number }).id;
  }
}

// Every StoreOps method, checked by the compiler to be complete.
const OPS: Record<keyof StoreOps, true> = {
  getAccountByEmail: true, getCredentials: true, getAccountById: true, listAccounts: true, createAccount: true, createAccounts: true,
  setPassword: true, deleteAccount: true, setFriendlyName: true, setPrivacy: true, setAddPrompt: true,
  setProperty: true, bumpListVersion: true, bumpListVersionsOf: true, getContacts: true, getContact: true, putContact: true, getSharedProperties: true,
  getGroups: true, getListHistory: true, putGroup: true, deleteGroup: true, getOrCreateSetting: true, appendAdminEvent: true, adminEventsAfter: true,
  lastAdminEventId: true, putServiceToken: true, getServiceToken: true, deleteServiceToken: true, deleteServiceTokensOf: true,
  deleteExpiredServiceTokens: true, getStorageProfile: true, putStorageProfile: true, addStorageDocument: true, replaceStorageDocument: true,
  getStorageDocument: true, getStorageDocumentByKey: true, listStorageDocuments: true, deleteStorageDocument: true,
  putOfflineMessage: true, listOfflineMessages: true, getOfflineMessage: true, deleteOfflineMessages: true,
};

/** The operations that only read (the others write, or may). */
const READS: ReadonlySet<keyof StoreOps> = new Set<keyof StoreOps>([
  'getAccountByEmail', 'getCredentials', 'getAccountById', 'listAccounts', 'getContacts', 'getContact', 'getSharedProperties',
  'getGroups', 'getListHistory', 'adminEventsAfter', 'lastAdminEventId', 'getServiceToken', 'getStorageProfile', 'getStorageDocument', 'getStorageDocumentByKey',
  'listStorageDocuments', 'listOfflineMessages', 'getOfflineMessage',
]);

/** Wraps every synchronous operation in a Promise, run through `gate`. */
function asyncOps(ops: SqliteOps, gate: <T>(fn: () => T, writes: boolean) => Promise<T>): StoreOps {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(OPS) as (keyof StoreOps)[]) {
    const fn = (ops as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
    const writes = !READS.has(name);
    out[name] = (...args: unknown[]) => gate(() => fn.apply(ops, args), writes);
  }
  return out as unknown as StoreOps;
}

/** Synchronous storage work one turn of the event loop may do before the rest waits for the next turn. */
const TURN_BUDGET_MS = 8;

export interface SqliteStoreOptions {
  /**
   * Milliseconds SQLite itself waits (synchronously: the event loop stands
   * still) for another process holding the write lock, per attempt. The
   * service keeps this to a few ms and retries on a timer (busyDeadlineMs);
   * the CLI, a one-shot process, may wait longer. Default 10000.
   */
  busyTimeoutMs?: number;
  /**
   * Milliseconds an operation keeps retrying, asynchronously, while the
   * database is locked; then it fails with StoreBusyError having written
   * nothing. Default 0: no retries beyond busyTimeoutMs.
   */
  busyDeadlineMs?: number;
  /** Called when an operation first finds the database locked and starts retrying. */
  onBusy?: () => void;
  /**
   * Milliseconds between WAL checkpoints run by a worker thread, instead of
   * SQLite's automatic ones on this connection (tens of ms of synchronous
   * I/O each). The service sets it; the CLI keeps the automatic ones.
   */
  backgroundCheckpointMs?: number;
  /** Told when the checkpoint worker fails (checkpoints then run on this connection again). */
  onCheckpointFailure?: (e: unknown) => void;
  /** How long removals are remembered for address-book deltas (default DEFAULT_TOMBSTONE_RETENTION_MS). */
  tombstoneRetentionMs?: number;
  /** How many removals of each kind an owner keeps at most (default DEFAULT_MAX_TOMBSTONES). */
  maxTombstones?: number;
}

/** What SQLite may wait while the store opens (migrations): nothing is being served yet. */
const OPEN_BUSY_TIMEOUT_MS = 10_000;

export function openSqliteStore(dataDir: string, opts: SqliteStoreOptions = {}): Store {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'msnpd.sqlite');
  const db = new Database(file);
  db.pragma(`busy_timeout = ${Math.max(opts.busyTimeoutMs ?? 0, OPEN_BUSY_TIMEOUT_MS)}`);
  // WAL: readers never wait for a writer (another process's included), and a
  // read transaction sees one snapshot. The service relies on both.
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') {
    db.close();
    throw new Error(`SQLite could not use WAL mode on ${dataDir} (got ${String(mode)}): put MSNPD_DATA on a local file system`);
  }
  // NORMAL in WAL mode loses nothing when the process is killed (only on power loss).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? OPEN_BUSY_TIMEOUT_MS}`);
  const deadline = opts.busyDeadlineMs ?? 0;
  // If the worker fails, this connection checkpoints again (the WAL must not grow without end).
  const checkpointer = opts.backgroundCheckpointMs
    ? startCheckpointer(file, opts.backgroundCheckpointMs, (e) => {
        if (db.open) db.pragma('wal_autocheckpoint = 1000');
        opts.onCheckpointFailure?.(e);
      })
    : undefined;
  if (checkpointer) db.pragma('wal_autocheckpoint = 0');
  const onBusy = opts.onBusy;

  const ops = new SqliteOps(db, BigInt(opts.tombstoneRetentionMs ?? DEFAULT_TOMBSTONE_RETENTION_MS) * TICKS_PER_MS, Math.max(1, opts.maxTombstones ?? DEFAULT_MAX_TOMBSTONES));
  const mutex = new Mutex();
  const budget = new TurnBudget(TURN_BUDGET_MS);
  /** The connection, one critical section at a time, with the turn's budget respected. */
  const exclusive = <T>(fn: () => T | Promise<T>): Promise<T> => mutex.run(() => budget.run(fn));
  /**
   * Writes wait for the database one at a time: while another process holds
   * the lock, only the first queued write probes it (each probe may block up
   * to busy_timeout), the others wait their turn without touching SQLite, and
   * reads go on meanwhile. Deadlines count from when a write was queued.
   */
  const writes = new Mutex();
  let locked = false;
  const whileLocked = async <T>(attempt: () => Promise<T>, start: number): Promise<T> => {
    // After a busy answer, probe again only in a later turn: never several blocking probes in one.
    if (locked) await new Promise<void>((r) => setImmediate(r));
    try {
      const r = await retryWhileBusy(attempt, deadline, () => {
        locked = true;
        onBusy?.();
      }, start);
      locked = false;
      return r;
    } catch (e) {
      if (!(e instanceof StoreBusyError)) locked = false;
      throw e;
    }
  };
  const queuedWrite = <T>(attempt: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    return writes.run(() => whileLocked(attempt, start));
  };
  const inTx = asyncOps(ops, (fn, _writes) => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  });
  // A statement (or atomic group) that reports busy has done nothing: it is
  // retried whole, with the connection free for others in between. Reads never
  // wait for a writer in WAL mode; they are retried only for SQLite's rare busy
  // answers (WAL recovery).
  const read = <T>(attempt: () => Promise<T>): Promise<T> => retryWhileBusy(attempt, deadline, onBusy);
  const outside = asyncOps(ops, (fn, w) => (w ? queuedWrite(() => exclusive(fn)) : read(() => exclusive(fn))));
  let closed = false;

  /** Runs `fn` between `begin` and COMMIT; only `begin` reporting busy is retried. */
  const transaction = <T>(begin: string, fn: (ops: StoreOps) => Promise<T>, readOnly: boolean): Promise<T> => {
    const attempt = () =>
      exclusive(async () => {
        db.exec(begin);
        try {
          const r = await fn(inTx);
          db.exec('COMMIT');
          return r;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          // A write transaction's body may have changed caches in memory: never run it twice.
          if (isBusy(e) && !readOnly) throw new StoreBusyError(`the database was busy during a transaction: ${String(e)}`);
          throw e;
        }
      });
    return readOnly ? read(attempt) : queuedWrite(attempt);
  };

  const store: Store = {
    ...outside,
    withReads<T>(fn: (ops: StoreOps) => Promise<T>): Promise<T> {
      // Deferred: the first read takes a snapshot; no lock that a writer waits for.
      return transaction('BEGIN DEFERRED', fn, true);
    },
    withTransaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
      // IMMEDIATE: the write lock is taken up front, so a busy database is
      // found before the body runs, and the body never fails half-way for it.
      return transaction('BEGIN IMMEDIATE', fn, false);
    },
    close() {
      return mutex.run(async () => {
        if (!closed) {
          closed = true;
          await checkpointer?.stop();
          db.close();
        }
      });
    },
  };
  return store;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      if (m.version === 5) startListHistory(db);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }).immediate();
  }
}

/**
 * Address-book history starts when migration 5 runs: nothing before it was
 * recorded (entry times, removals), so every account's lists count as
 * changed now and a delta from an earlier time asks for a full sync once.
 */
function startListHistory(db: Db): void {
  const now = nowTicks();
  db.prepare('UPDATE accounts SET lists_changed_at = ?, tombstones_pruned_at = ?').run(now, now);
}
