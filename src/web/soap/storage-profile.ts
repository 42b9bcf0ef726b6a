// The storage service's names and answers: resource ids, handles, the
// headers every answer carries, and the GetProfile result, in the element
// order of msnstorage_servicetypes.xsd / msnstorage_datatypes.xsd
// (msnp-sharp MSNPSHARP_31_STABLE, MSNWS.MSNStorageService).
import { createHash, randomBytes } from 'node:crypto';
import type { ProfileView } from '../../core/expression-profiles.js';
import type { StorageDocumentInfo } from '../../store/store.js';
import type { Principal } from './auth.js';
import { child, textOf, type SoapRequest } from './envelope.js';
import { SoapFault } from './fault.js';
import { cidOf } from './ids.js';
import { el, esc } from './xml.js';

/** WLM 2009 and MSNPSharp 3.x; WLM 8.5 speaks `w10` (services.md §6). */
export const STORAGE_NS = 'http://www.msn.com/webservices/storage/2008';
export const STORAGE_NS_W10 = 'http://www.msn.com/webservices/storage/w10';

/** The namespace to answer in: the one the client's SOAPAction names. */
export function storageNs(soapAction: string | undefined): string {
  return soapAction !== undefined && soapAction.includes('/storage/w10/') ? STORAGE_NS_W10 : STORAGE_NS;
}

/** The alias namespace clients name their own storage space with. */
const CID_NAMESPACE = 'mycidstuff';
/** The profile and the expression profile: fixed item numbers; documents count from DOC_BASE. */
const PROFILE_ITEM = 106;
const EXPRESSION_ITEM = 118;
const DOC_BASE = 200;

/** The account's CID as 16 hex digits, the owner part of its resource ids (`<cid>!106`). */
export function cidHex(accountId: number): string {
  return accountId.toString(16).padStart(16, '0');
}

export const profileRid = (accountId: number) => `${cidHex(accountId)}!${PROFILE_ITEM}`;
export const expressionRid = (accountId: number) => `${cidHex(accountId)}!${EXPRESSION_ITEM}`;
export const documentRid = (accountId: number, id: number) => `${cidHex(accountId)}!${DOC_BASE + id}`;

export function accessDenied(): SoapFault {
  return SoapFault.client('Access Denied', 'AccessDenied');
}

/** COMPAT: MSNPSharp 3.2.1 creates the profile when the GetProfile fault's text contains "does not exist". */
export function doesNotExist(what: string): SoapFault {
  return SoapFault.client(`Item does not exist: ${what}`, 'ItemDoesNotExist');
}

export type StorageItem = { kind: 'profile' } | { kind: 'expression' } | { kind: 'usertiles' } | { kind: 'document'; id: number };

/** What a resource id names; another account's ids are refused. */
export function parseRid(rid: string, p: Principal): StorageItem {
  const m = /^([0-9a-f]{1,16})!(\d{1,12})$/i.exec(rid.trim());
  if (!m) throw SoapFault.client(`Not a resource id: ${rid.slice(0, 64)}`, 'BadArgument');
  if (BigInt(`0x${m[1]}`) !== BigInt(p.accountId)) throw accessDenied();
  const n = Number(m[2]);
  if (n === PROFILE_ITEM) return { kind: 'profile' };
  if (n === EXPRESSION_ITEM) return { kind: 'expression' };
  if (n > DOC_BASE) return { kind: 'document', id: n - DOC_BASE };
  throw doesNotExist(rid);
}

/**
 * A `Handle` (datatypes.xsd): an alias of the account's own space
 * (`MyCidStuff` + its CID in decimal, as the address book gave it) with a
 * relationship name, or a resource id.
 */
export function parseHandle(h: unknown, p: Principal): StorageItem {
  const rid = textOf(child(h, 'ResourceID'))?.trim();
  const alias = child(h, 'Alias');
  if (alias !== undefined) {
    if (textOf(child(alias, 'NameSpace'))?.trim().toLowerCase() !== CID_NAMESPACE) throw SoapFault.client('Unknown alias namespace', 'BadArgument');
    if (textOf(child(alias, 'Name'))?.trim() !== cidOf(p.accountId)) throw accessDenied();
    const rel = textOf(child(h, 'RelationshipName'))?.trim().toLowerCase();
    if (rel === 'myprofile') return { kind: 'profile' };
    if (rel === '/usertiles') return { kind: 'usertiles' };
    throw doesNotExist(`relationship ${String(rel).slice(0, 64)}`);
  }
  if (rid) return parseRid(rid, p);
  throw SoapFault.client('The handle names no item', 'BadArgument');
}

/** One cache key per process: clients echo it and never read it. */
const CACHE_KEY = `1p${randomBytes(48).toString('base64url')}`;

/**
 * The headers every answer carries (servicetypes.xsd: AffinityCacheHeader,
 * StorageUserHeader). COMPAT: MSNPSharp 3.2.1 reads `Puid` and `Cid` as
 * 32-bit ints and sends back what it got: echo the texts it sent
 * (client-quirks.md "Storage service").
 */
export function storageHeaders(ns: string, soap: SoapRequest): string {
  const user = child(soap.header, 'StorageUserHeader');
  const puid = textOf(child(user, 'Puid'))?.trim() || '0';
  const cid = textOf(child(user, 'Cid'))?.trim();
  const ticket = textOf(child(user, 'TicketToken'))?.trim() ?? '';
  return (
    `<AffinityCacheHeader xmlns="${ns}">${el('CacheKey', CACHE_KEY)}</AffinityCacheHeader>` +
    `<StorageUserHeader xmlns="${ns}">${el('Puid', puid)}${cid !== undefined ? el('Cid', cid) : ''}${el('TicketToken', ticket)}${el('IsAdmin', false)}</StorageUserHeader>`
  );
}

export const isoTime = (ms: number) => new Date(ms).toISOString();

/** Where a document is served (plain HTTP, no query: MSNPSharp appends `?t=<its storage ticket>`). */
export function pictureUrl(tileUrl: string, d: StorageDocumentInfo): string {
  return `${tileUrl}/storage/usertile/${d.urlKey}/static`;
}

/** A `documentBaseType` Photo with its one `UserTileStatic` stream (datatypes.xsd element order). */
export function photoXml(name: string, accountId: number, d: StorageDocumentInfo, url: string, sha1: string | undefined): string {
  const stream =
    `<DocumentStream xsi:type="PhotoStream">${el('DocumentStreamName', 'UserTileStatic')}${el('MimeType', d.contentType)}${el('DataSize', d.size)}` +
    `${el('PreAuthURL', url)}${el('PreAuthURLPartner', url)}${el('DocumentStreamType', 'UserTileStatic')}${el('WriteMode', 'Overwrite')}` +
    `${el('StreamVersion', 1)}${sha1 !== undefined ? el('SHA1Hash', sha1) : '<SHA1Hash/>'}${el('Genie', false)}</DocumentStream>`;
  return (
    `<${name}>${el('ResourceID', documentRid(accountId, d.id))}${el('Name', d.name)}${el('ItemType', 'Photo')}${el('DateModified', isoTime(d.modifiedAt))}` +
    `<DocumentStreams>${stream}</DocumentStreams></${name}>`
  );
}

export function sha1Of(data: Buffer): string {
  return createHash('sha1').update(data).digest('base64');
}

/** GetProfileResult (servicetypes.xsd GetProfileResultType); `fallbackName` when no display name was ever stored. */
export function profileXml(ns: string, v: ProfileView, fallbackName: string, tileUrl: string, photoSha1: string | undefined): string {
  const p = v.profile;
  const url = v.photo ? pictureUrl(tileUrl, v.photo) : '';
  return (
    `<GetProfileResponse xmlns="${ns}"><GetProfileResult>${el('ResourceID', profileRid(p.accountId))}${el('DateModified', isoTime(p.modifiedAt))}` +
    `<ExpressionProfile>${el('ResourceID', expressionRid(p.accountId))}${el('DateModified', isoTime(p.modifiedAt))}${el('Version', 205)}${el('Flags', p.flags)}` +
    (v.photo ? photoXml('Photo', p.accountId, v.photo, url, photoSha1) : '') +
    `${el('PersonalStatus', p.personalStatus ?? '')}${el('PersonalStatusLastModified', isoTime(p.personalStatusModifiedAt))}` +
    `${el('DisplayName', p.displayName ?? fallbackName)}${el('DisplayNameLastModified', isoTime(p.displayNameModifiedAt))}` +
    `<StaticUserTilePublicURL>${esc(url)}</StaticUserTilePublicURL></ExpressionProfile></GetProfileResult></GetProfileResponse>`
  );
}
