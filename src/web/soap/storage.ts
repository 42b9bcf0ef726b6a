// The storage service's actions (/storageservice/SchematizedStore.asmx,
// services.md §6, msnstorage_ws.wsdl): the account's roaming profile and its
// display-picture documents, as MSNPSharp 3.2.1 (StorageService.cs) and WLM
// 2009 use them. Every handle and resource id must name the caller's own
// space: another account's is refused with AccessDenied.
// COMPAT: MSNPSharp 3.2.1 sends every storage call twice (a first one to learn
// a cache key, then the real one): each action is idempotent or, for
// CreateDocument, harmless when repeated (the later document wins).
import type { Core } from '../../core/core.js';
import { StorageError } from '../../core/expression-profiles.js';
import type { Principal } from './auth.js';
import type { SoapAction, SoapContext } from './endpoint.js';
import { boolOf, child, children, textOf } from './envelope.js';
import { SoapFault } from './fault.js';
import {
  documentRid,
  doesNotExist,
  parseHandle,
  parseRid,
  profileRid,
  profileXml,
  sha1Of,
  storageHeaders,
  storageNs,
  type StorageItem,
} from './storage-profile.js';
import { el } from './xml.js';

export interface StorageActionOptions {
  /** The start of picture URLs (MSNPD_STORAGE_TILE_URL). */
  tileUrl: string;
}

/** Core refusals as storage faults. */
function storageFault(e: unknown): never {
  if (!(e instanceof StorageError)) throw e;
  switch (e.kind) {
    case 'no-profile':
      throw doesNotExist('the profile has not been created');
    case 'no-document':
      throw doesNotExist('no such document');
    case 'picture-too-large':
      throw SoapFault.client(`The picture is too large (${e.message})`, 'QuotaLimitReached');
    case 'not-an-image':
      throw SoapFault.client('The document is not a PNG, JPEG, GIF or BMP picture', 'BadArgument');
    case 'text-too-long':
      throw SoapFault.client('A text is too long', 'BadArgument');
  }
}

async function orFault<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    storageFault(e);
  }
}

/** The action's answer: the storage headers and `inner` in the request's namespace. */
function answer(ctx: SoapContext, inner: (ns: string) => string): { header: string; body: string } {
  const ns = storageNs(ctx.req.headers['soapaction']);
  return { header: storageHeaders(ns, ctx.soap), body: inner(ns) };
}

function isProfile(item: StorageItem): boolean {
  return item.kind === 'profile' || item.kind === 'expression';
}

function documentOf(item: StorageItem): number {
  if (item.kind !== 'document') throw SoapFault.client('The item is not a document', 'BadArgument');
  return item.id;
}

/** Optional text of a child; undefined when absent. */
const opt = (n: unknown, name: string) => textOf(child(n, name));

/** The picture bytes of a `document` (the `UserTileStatic` stream, or the first that has data). */
function pictureOf(doc: unknown): Buffer {
  const streams = children(child(doc, 'DocumentStreams'), 'DocumentStream');
  const s = streams.find((x) => opt(x, 'DocumentStreamType')?.trim() === 'UserTileStatic') ?? streams.find((x) => opt(x, 'Data') !== undefined);
  const b64 = (opt(s, 'Data') ?? '').replace(/\s+/g, '');
  if (b64 === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) throw SoapFault.client('The document has no picture data', 'BadArgument');
  return Buffer.from(b64, 'base64');
}

async function fallbackName(core: Core, p: Principal): Promise<string> {
  return (await core.store.getAccountById(p.accountId))?.friendlyName ?? p.email;
}

export function storageActions(core: Core, o: StorageActionOptions): Record<string, SoapAction> {
  const profiles = core.profiles;

  const getProfile: SoapAction = async (ctx) => {
    const item = parseHandle(child(ctx.soap.body, 'profileHandle'), ctx.principal);
    if (!isProfile(item)) throw doesNotExist('not a profile');
    const v = await profiles.get(ctx.principal.accountId);
    if (!v) throw doesNotExist('the profile has not been created');
    const photo = v.photo && (await core.store.getStorageDocument(ctx.principal.accountId, v.photo.id));
    const name = await fallbackName(core, ctx.principal);
    return answer(ctx, (ns) => profileXml(ns, v, name, o.tileUrl, photo ? sha1Of(photo.data) : undefined));
  };

  const createProfile: SoapAction = async (ctx) => {
    const ep = child(ctx.soap.body, 'profile', 'ExpressionProfile');
    const p = await orFault(() => profiles.create(ctx.principal.accountId, { displayName: opt(ep, 'DisplayName'), personalStatus: opt(ep, 'PersonalStatus') }));
    return answer(ctx, (ns) => `<CreateProfileResponse xmlns="${ns}">${el('CreateProfileResult', profileRid(p.accountId))}</CreateProfileResponse>`);
  };

  const updateProfile: SoapAction = async (ctx) => {
    const profile = child(ctx.soap.body, 'profile');
    const rid = opt(profile, 'ResourceID');
    if (rid === undefined) throw SoapFault.client('UpdateProfile names no profile', 'BadArgument');
    if (!isProfile(parseRid(rid, ctx.principal))) throw doesNotExist('not a profile');
    const ep = child(profile, 'ExpressionProfile');
    const flagsText = opt(ep, 'Flags')?.trim();
    const flags = flagsText === undefined || flagsText === '' ? undefined : Number(flagsText);
    if (flags !== undefined && !(Number.isInteger(flags) && flags >= -(2 ** 31) && flags < 2 ** 31)) throw SoapFault.client('Flags is not a 32-bit integer', 'BadArgument');
    const del = child(ctx.soap.body, 'profileAttributesToDelete', 'ExpressionProfileAttributes');
    await orFault(() =>
      profiles.update(
        ctx.principal.accountId,
        { displayName: opt(ep, 'DisplayName'), personalStatus: opt(ep, 'PersonalStatus'), flags },
        { displayName: boolOf(child(del, 'DisplayName')), personalStatus: boolOf(child(del, 'PersonalStatus')) },
      ),
    );
    return answer(ctx, (ns) => `<UpdateProfileResponse xmlns="${ns}"/>`);
  };

  const createDocument: SoapAction = async (ctx) => {
    const parent = parseHandle(child(ctx.soap.body, 'parentHandle'), ctx.principal);
    if (parent.kind !== 'usertiles') throw doesNotExist('documents are kept in /UserTiles only');
    const doc = child(ctx.soap.body, 'document');
    const data = pictureOf(doc);
    const name = opt(doc, 'Name')?.trim() || 'UserTile';
    // COMPAT: MSNPSharp 3.2.1 changes its picture with CreateDocument alone (no
    // CreateRelationships after it): a picture put in /UserTiles is the profile's picture.
    const d = await orFault(() => profiles.addPicture(ctx.principal.accountId, { name, data }, true));
    return answer(ctx, (ns) => `<CreateDocumentResponse xmlns="${ns}">${el('CreateDocumentResult', documentRid(d.accountId, d.id))}</CreateDocumentResponse>`);
  };

  const updateDocument: SoapAction = async (ctx) => {
    const doc = child(ctx.soap.body, 'document');
    const rid = opt(doc, 'ResourceID');
    if (rid === undefined) throw SoapFault.client('UpdateDocument names no document', 'BadArgument');
    const id = documentOf(parseRid(rid, ctx.principal));
    const data = pictureOf(doc);
    await orFault(() => profiles.replacePicture(ctx.principal.accountId, id, { name: opt(doc, 'Name')?.trim(), data }));
    return answer(ctx, (ns) => `<UpdateDocumentResponse xmlns="${ns}"/>`);
  };

  const findDocuments: SoapAction = async (ctx) => {
    const at = parseHandle(child(ctx.soap.body, 'objectHandle'), ctx.principal);
    if (at.kind !== 'usertiles') throw doesNotExist('documents are kept in /UserTiles only');
    const docs = await profiles.listDocuments(ctx.principal.accountId);
    const list = docs.map((d) => `<Document>${el('ResourceID', documentRid(d.accountId, d.id))}${el('Name', d.name)}</Document>`).join('');
    return answer(ctx, (ns) => `<FindDocumentsResponse xmlns="${ns}">${list}</FindDocumentsResponse>`);
  };

  const createRelationships: SoapAction = async (ctx) => {
    const rels = children(child(ctx.soap.body, 'relationships'), 'Relationship');
    if (rels.length === 0) throw SoapFault.client('No relationships', 'BadArgument');
    // All checked before any is applied.
    const todo: { photo: number | undefined }[] = [];
    for (const r of rels) {
      const source = parseRid(opt(r, 'SourceID') ?? '', ctx.principal);
      const target = parseRid(opt(r, 'TargetID') ?? '', ctx.principal);
      const id = target.kind === 'document' ? target.id : undefined;
      if (id !== undefined && !(await profiles.hasDocument(ctx.principal.accountId, id))) throw doesNotExist('no such document');
      // ProfilePhoto (SubProfile -> Photo) makes the document the picture; other links are kept by nobody.
      todo.push({ photo: isProfile(source) && opt(r, 'RelationshipName')?.trim() === 'ProfilePhoto' ? id : undefined });
    }
    for (const t of todo) if (t.photo !== undefined) await orFault(() => profiles.setPhoto(ctx.principal.accountId, t.photo!));
    return answer(ctx, (ns) => `<CreateRelationshipsResponse xmlns="${ns}"/>`);
  };

  const deleteRelationships: SoapAction = async (ctx) => {
    const source = parseHandle(child(ctx.soap.body, 'sourceHandle'), ctx.principal);
    const targets = children(child(ctx.soap.body, 'targetHandles'), 'ObjectHandle').map((h) => parseHandle(h, ctx.principal));
    if (targets.length === 0) throw SoapFault.client('No target handles', 'BadArgument');
    for (const t of targets) {
      if (t.kind !== 'document') continue;
      // Out of /UserTiles: the document goes; out of the profile: it is no longer the picture.
      // Already gone is fine (WLM removes a picture from both in turn).
      if (source.kind === 'usertiles') await profiles.deleteDocument(ctx.principal.accountId, t.id);
      else if (isProfile(source)) await profiles.unsetPhoto(ctx.principal.accountId, t.id);
    }
    return answer(ctx, (ns) => `<DeleteRelationshipsResponse xmlns="${ns}"/>`);
  };

  const shareItem: SoapAction = async (ctx) => {
    const rid = opt(ctx.soap.body, 'resourceID') ?? '';
    if (!isProfile(parseRid(rid, ctx.principal))) throw doesNotExist('not a profile');
    if (!(await profiles.get(ctx.principal.accountId))) throw doesNotExist('the profile has not been created');
    // Contacts see the profile through the notification server; sharing is a no-op kept for the client's sequence.
    return answer(ctx, (ns) => `<ShareItemResponse xmlns="${ns}">${el('ShareItemResult', profileRid(ctx.principal.accountId))}</ShareItemResponse>`);
  };

  return {
    GetProfile: getProfile,
    CreateProfile: createProfile,
    UpdateProfile: updateProfile,
    CreateDocument: createDocument,
    UpdateDocument: updateDocument,
    FindDocuments: findDocuments,
    CreateRelationships: createRelationships,
    DeleteRelationships: deleteRelationships,
    ShareItem: shareItem,
  };
}
