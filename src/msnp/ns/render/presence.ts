// Presence lines for every version: ILN/NLN gain capabilities in MSNP8 and
// the MSNObject in MSNP9; MSNP11+ clients also get the personal message (UBX).
import type { PresenceEntry } from '../../../core/presence.js';
import type { VersionTraits } from '../../versions.js';
import { urlEncode } from '../../wire/urlcode.js';

export interface PresenceLike {
  status: string;
  email: string;
  friendlyName: string;
  caps: number;
  msnObject: string;
}

/** The tokens after the e-mail: name, and by version caps and MSNObject (omitted when there is none). */
function tail(t: VersionTraits, p: PresenceLike): string {
  let s = urlEncode(p.friendlyName);
  if (t.presenceCaps) s += ` ${p.caps >>> 0}`;
  if (t.presenceMsnObject && p.msnObject) s += ` ${urlEncode(p.msnObject)}`;
  return s;
}

export function iln(t: VersionTraits, trid: number, p: PresenceEntry): string {
  return `ILN ${trid} ${p.status} ${p.email} ${tail(t, p)}`;
}

export function nln(t: VersionTraits, p: PresenceLike): string {
  return `NLN ${p.status} ${p.email} ${tail(t, p)}`;
}

export function fln(email: string): string {
  return `FLN ${email}`;
}

/** The UBX header for a personal message (the payload is the client's own XML); undefined before MSNP11. */
/** What watchers get when a contact clears the message (an empty UBX leaves the old text shown). */
export const CLEARED_PERSONAL = '<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>';

export function ubxHead(t: VersionTraits, email: string): string | undefined {
  return t.personalMessage ? `UBX ${email}` : undefined;
}
