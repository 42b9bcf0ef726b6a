// Schema versions, applied in order at open. SQL is kept to what PostgreSQL
// also accepts (no SQLite-only types), so a postgres/ store can reuse the shape.

export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  friendly_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  md5_salt TEXT,
  md5_verifier TEXT,
  privacy TEXT NOT NULL DEFAULT 'AL',
  add_prompt TEXT NOT NULL DEFAULT 'A',
  list_version INTEGER NOT NULL DEFAULT 0,
  guid TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE account_properties (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (account_id, key)
);
CREATE TABLE contacts (
  owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  lists INTEGER NOT NULL,
  guid TEXT NOT NULL,
  PRIMARY KEY (owner_id, contact_id)
);
CREATE INDEX contacts_by_contact ON contacts(contact_id);
CREATE TABLE user_groups (
  owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  guid TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (owner_id, id)
);
CREATE TABLE contact_group_members (
  owner_id INTEGER NOT NULL,
  contact_id INTEGER NOT NULL,
  group_id INTEGER NOT NULL,
  PRIMARY KEY (owner_id, contact_id, group_id),
  FOREIGN KEY (owner_id, contact_id) REFERENCES contacts(owner_id, contact_id) ON DELETE CASCADE,
  FOREIGN KEY (owner_id, group_id) REFERENCES user_groups(owner_id, id) ON DELETE CASCADE
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE admin_events (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
`,
  },
  {
    // RST/RST2 service tokens (issue 13): kept across restarts, since MSNPSharp
    // reuses cached tokens when it reconnects. Only a hash of each token is stored.
    version: 2,
    sql: `
CREATE TABLE service_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  service TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  sealed_proof_key TEXT
);
CREATE INDEX service_tokens_by_account ON service_tokens(account_id, created_at);
CREATE INDEX service_tokens_by_expiry ON service_tokens(expires_at);
`,
  },
  {
    // Offline messages (issue 13 item 5): an accepted message is a committed row
    // before the sender hears success. (sender, recipient, run id, sequence) is
    // unique, so a Store the client repeats after a lost answer is stored once.
    version: 3,
    sql: `
CREATE TABLE offline_messages (
  id TEXT PRIMARY KEY,
  recipient_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  sender_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  sender_email TEXT NOT NULL,
  sender_name TEXT NOT NULL,
  run_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE UNIQUE INDEX offline_messages_once ON offline_messages(sender_id, recipient_id, run_id, seq);
CREATE INDEX offline_messages_by_recipient ON offline_messages(recipient_id, received_at);
`,
  },
  {
    // The storage service (issue 13 item 6): each account's roaming expression
    // profile and its display-picture documents, with their bytes. A document's
    // url_key is the random part of the address the picture is served at.
    version: 4,
    sql: `
CREATE TABLE storage_profiles (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL,
  display_name TEXT,
  display_name_modified_at BIGINT NOT NULL,
  personal_status TEXT,
  personal_status_modified_at BIGINT NOT NULL,
  flags INTEGER NOT NULL DEFAULT 0,
  photo_id INTEGER
);
CREATE TABLE storage_documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  url_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL,
  modified_at BIGINT NOT NULL
);
CREATE INDEX storage_documents_by_account ON storage_documents(account_id, id);
`,
  },
  {
    // Address-book deltas (issue 13 item 3): when each account's lists, each
    // entry and each group last changed (ticks: 100 ns since the Unix epoch,
    // strictly increasing per account), and what left them (tombstones, kept
    // for a retention window; `tombstones_pruned_at` is the newest one
    // forgotten, so a delta from before it needs a full sync). The SQLite
    // store sets both account times to the migration's time (sqlite-store.ts).
    version: 5,
    sql: `
ALTER TABLE accounts ADD COLUMN lists_changed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN tombstones_pruned_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_groups ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
CREATE TABLE contact_tombstones (
  owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL,
  guid TEXT NOT NULL,
  email TEXT NOT NULL,
  list INTEGER NOT NULL,
  deleted_at BIGINT NOT NULL,
  PRIMARY KEY (owner_id, contact_id, guid, list)
);
CREATE TABLE group_tombstones (
  owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  guid TEXT NOT NULL,
  deleted_at BIGINT NOT NULL,
  PRIMARY KEY (owner_id, guid)
);
`,
  },
];
