// Each account's roaming expression profile (display name, personal status
// message, display picture) and the picture documents it may point at: what
// the storage service keeps for WLM 8.5-2009 and MSNPSharp (services.md §6).
// It is the account's own copy: the notification server still carries the
// names and pictures contacts see; nothing here changes presence.
import { randomUUID } from 'node:crypto';
import type { StorageDocument, StorageDocumentInfo, StorageProfile, Store } from '../store/store.js';

export interface StorageLimits {
  /** Largest picture, in bytes (decoded). */
  maxPictureBytes: number;
  /** Documents one account keeps; the oldest go first. */
  maxDocumentsPerAccount: number;
  /** Longest display name, personal status or document name, in characters. */
  maxTextLength: number;
}

export const DEFAULT_STORAGE_LIMITS: StorageLimits = { maxPictureBytes: 128 * 1024, maxDocumentsPerAccount: 4, maxTextLength: 1024 };

export type StorageErrorKind = 'no-profile' | 'no-document' | 'not-an-image' | 'picture-too-large' | 'text-too-long';

export class StorageError extends Error {
  constructor(readonly kind: StorageErrorKind, detail?: string) {
    super(detail ? `${kind}: ${detail}` : kind);
  }
}

export interface ProfileView {
  profile: StorageProfile;
  /** The document shown as the display picture. */
  photo: StorageDocumentInfo | undefined;
}

export interface NewPicture {
  name: string;
  data: Buffer;
}

/** The image type the bytes say they are (clients declare `png` whatever they send), or undefined. */
export function sniffImage(data: Buffer): string | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (data.length >= 14 && data[0] === 0x42 && data[1] === 0x4d) return 'image/bmp';
  return undefined;
}

export class ExpressionProfiles {
  constructor(
    private readonly store: Store,
    readonly limits: StorageLimits,
    private readonly now: () => number,
  ) {}

  async get(accountId: number): Promise<ProfileView | undefined> {
    return this.store.withReads(async (ops) => {
      const profile = await ops.getStorageProfile(accountId);
      if (!profile) return undefined;
      const photo = profile.photoId === null ? undefined : (await ops.listStorageDocuments(accountId)).find((d) => d.id === profile.photoId);
      return { profile, photo };
    });
  }

  /** Creates the profile; an existing one is kept as it is (MSNPSharp sends each call twice). */
  async create(accountId: number, init: { displayName?: string; personalStatus?: string }): Promise<StorageProfile> {
    this.checkText(init.displayName, init.personalStatus);
    return this.store.withTransaction(async (tx) => {
      const existing = await tx.getStorageProfile(accountId);
      if (existing) return existing;
      const now = this.now();
      const p: StorageProfile = {
        accountId,
        createdAt: now,
        modifiedAt: now,
        displayName: init.displayName || null,
        displayNameModifiedAt: now,
        personalStatus: init.personalStatus || null,
        personalStatusModifiedAt: now,
        flags: 0,
        photoId: null,
      };
      await tx.putStorageProfile(p);
      return p;
    });
  }

  /** Sets the given fields and clears the named ones. */
  async update(accountId: number, set: { displayName?: string; personalStatus?: string; flags?: number }, clear: { displayName?: boolean; personalStatus?: boolean } = {}): Promise<void> {
    this.checkText(set.displayName, set.personalStatus);
    await this.store.withTransaction(async (tx) => {
      const p = await tx.getStorageProfile(accountId);
      if (!p) throw new StorageError('no-profile');
      const now = this.now();
      const next = { ...p, modifiedAt: now };
      if (clear.displayName) Object.assign(next, { displayName: null, displayNameModifiedAt: now });
      else if (set.displayName !== undefined && set.displayName !== p.displayName) Object.assign(next, { displayName: set.displayName, displayNameModifiedAt: now });
      if (clear.personalStatus) Object.assign(next, { personalStatus: null, personalStatusModifiedAt: now });
      else if (set.personalStatus !== undefined && set.personalStatus !== p.personalStatus) Object.assign(next, { personalStatus: set.personalStatus, personalStatusModifiedAt: now });
      if (set.flags !== undefined) next.flags = set.flags;
      await tx.putStorageProfile(next);
    });
  }

  /**
   * Stores a picture document; with `asPhoto` it becomes the profile's
   * display picture (when there is a profile). Each document gets a new
   * random address key.
   */
  async addPicture(accountId: number, pic: NewPicture, asPhoto: boolean): Promise<StorageDocumentInfo> {
    const contentType = this.checkPicture(pic);
    return this.store.withTransaction(async (tx) => {
      const now = this.now();
      const doc = { accountId, urlKey: randomUUID(), name: pic.name, contentType, data: pic.data, modifiedAt: now };
      const id = await tx.addStorageDocument(doc, this.limits.maxDocumentsPerAccount);
      if (asPhoto) {
        const p = await tx.getStorageProfile(accountId);
        if (p) await tx.putStorageProfile({ ...p, photoId: id, modifiedAt: now });
      }
      return { id, accountId, urlKey: doc.urlKey, name: doc.name, contentType, size: pic.data.length, modifiedAt: now };
    });
  }

  /** New bytes for an existing document (UpdateDocument); its address changes so clients fetch it again. */
  async replacePicture(accountId: number, id: number, pic: { name?: string; data: Buffer }): Promise<void> {
    const old = await this.store.getStorageDocument(accountId, id);
    if (!old) throw new StorageError('no-document');
    const contentType = this.checkPicture({ name: pic.name ?? old.name, data: pic.data });
    const done = await this.store.withTransaction(async (tx) => {
      const now = this.now();
      const ok = await tx.replaceStorageDocument(accountId, id, { urlKey: randomUUID(), name: pic.name || old.name, contentType, data: pic.data, modifiedAt: now });
      const p = ok ? await tx.getStorageProfile(accountId) : undefined;
      if (p && p.photoId === id) await tx.putStorageProfile({ ...p, modifiedAt: now });
      return ok;
    });
    if (!done) throw new StorageError('no-document');
  }

  /** Makes the account's document `id` the profile's picture. */
  async setPhoto(accountId: number, id: number): Promise<void> {
    await this.store.withTransaction(async (tx) => {
      const p = await tx.getStorageProfile(accountId);
      if (!p) throw new StorageError('no-profile');
      if (!(await tx.getStorageDocument(accountId, id))) throw new StorageError('no-document');
      if (p.photoId !== id) await tx.putStorageProfile({ ...p, photoId: id, modifiedAt: this.now() });
    });
  }

  /** The profile no longer shows document `id` (nothing happens when it did not). */
  async unsetPhoto(accountId: number, id: number): Promise<void> {
    await this.store.withTransaction(async (tx) => {
      const p = await tx.getStorageProfile(accountId);
      if (p && p.photoId === id) await tx.putStorageProfile({ ...p, photoId: null, modifiedAt: this.now() });
    });
  }

  /** Deletes the account's document `id`; false when there was none. */
  async deleteDocument(accountId: number, id: number): Promise<boolean> {
    return this.store.deleteStorageDocument(accountId, id);
  }

  async hasDocument(accountId: number, id: number): Promise<boolean> {
    return (await this.store.listStorageDocuments(accountId)).some((d) => d.id === id);
  }

  listDocuments(accountId: number): Promise<StorageDocumentInfo[]> {
    return this.store.listStorageDocuments(accountId);
  }

  /** The picture served at `urlKey` (the key is the capability: see docs/decisions.md). */
  pictureAt(urlKey: string): Promise<StorageDocument | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(urlKey)) return Promise.resolve(undefined);
    return this.store.getStorageDocumentByKey(urlKey);
  }

  private checkText(...texts: (string | undefined)[]): void {
    for (const t of texts) if (t !== undefined && t.length > this.limits.maxTextLength) throw new StorageError('text-too-long');
  }

  private checkPicture(pic: NewPicture): string {
    this.checkText(pic.name);
    if (pic.data.length > this.limits.maxPictureBytes) throw new StorageError('picture-too-large', `${pic.data.length} bytes, at most ${this.limits.maxPictureBytes}`);
    const type = sniffImage(pic.data);
    if (!type) throw new StorageError('not-an-image');
    return type;
  }
}
