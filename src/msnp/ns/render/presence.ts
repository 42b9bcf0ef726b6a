// Presence lines for every version: ILN/NLN gain capabilities in MSNP8 and
// the MSNObject in MSNP9; MSNP11+ clients also get the personal message (UBX);
// MSNP14+ name the network (1 = Messenger) after the address (flows.md §5.1).
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
  // COMPAT: WLM 8.x logs show `0` for "no display picture" (flows.md §4.1).
  else if (t.msnObjectZero) s += ' 0';
  return s;
}

/** The address, and from MSNP14 the network id (every msnpd account is on Messenger, 1). */
function who(t: VersionTraits, email: string): string {
  return t.presenceNetworkId ? `${email} 1` : email;
}

export function iln(t: VersionTraits, trid: number, p: PresenceEntry): string {
  return `ILN ${trid} ${p.status} ${who(t, p.email)} ${tail(t, p)}`;
}

export function nln(t: VersionTraits, p: PresenceLike): string {
  return `NLN ${p.status} ${who(t, p.email)} ${tail(t, p)}`;
}

export function fln(t: VersionTraits, email: string): string {
  return t.flnCaps ? `FLN ${who(t, email)} 0` : `FLN ${email}`;
}

/** The UBX header for a personal message (the payload is the client's own XML); undefined before MSNP11. */
/** What watchers get when a contact clears the message (an empty UBX leaves the old text shown). */
export const CLEARED_PERSONAL = '<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>';

export function ubxHead(t: VersionTraits, email: string): string | undefined {
  return t.personalMessage ? `UBX ${who(t, email)}` : undefined;
}
