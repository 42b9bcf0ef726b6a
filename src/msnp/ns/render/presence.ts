// Presence lines for every version: ILN/NLN gain capabilities in MSNP8 and
// the MSNObject in MSNP9; MSNP11+ clients also get the personal message (UBX);
// MSNP14+ name the network (1 = Messenger) after the address, MSNP16+ add the
// extended capabilities (`caps:extcaps`), MSNP18 writes the handle as `1:email`
// (flows.md §5.1, §6.1; versions.md §2c).
import type { VersionTraits } from '../../versions.js';
import { urlEncode } from '../../wire/urlcode.js';

export interface PresenceLike {
  status: string;
  email: string;
  friendlyName: string;
  caps: number;
  extCaps: number;
  msnObject: string;
}

/** `caps`, or from MSNP16 `caps:extcaps`. */
export function capsToken(t: VersionTraits, caps: number, extCaps: number): string {
  return t.endpoints ? `${caps >>> 0}:${extCaps >>> 0}` : `${caps >>> 0}`;
}

/** The tokens after the handle: name, and by version caps and MSNObject (omitted when there is none). */
function tail(t: VersionTraits, p: PresenceLike): string {
  let s = urlEncode(p.friendlyName);
  if (t.presenceCaps) s += ` ${capsToken(t, p.caps, p.extCaps)}`;
  if (t.presenceMsnObject && p.msnObject) s += ` ${urlEncode(p.msnObject)}`;
  // COMPAT: WLM 8.x logs show `0` for "no display picture" (flows.md §4.1).
  else if (t.msnObjectZero) s += ' 0';
  return s;
}

/**
 * The address, from MSNP14 with the network id (every msnpd account is on
 * Messenger, 1): `email 1`, and on MSNP18 `1:email`. COMPAT: Pidgin 2.11
 * splits MSNP18 handles at the colon and crashes on a bare address.
 */
export function who(t: VersionTraits, email: string): string {
  if (t.handlePrefix) return `1:${email}`;
  return t.presenceNetworkId ? `${email} 1` : email;
}

export function iln(t: VersionTraits, trid: number, p: PresenceLike): string {
  return `ILN ${trid} ${p.status} ${who(t, p.email)} ${tail(t, p)}`;
}

export function nln(t: VersionTraits, p: PresenceLike): string {
  return `NLN ${p.status} ${who(t, p.email)} ${tail(t, p)}`;
}

/** `FLN email`; MSNP14-15 `FLN email 1 0`; MSNP16-17 `FLN email 1 0:0`; MSNP18 `FLN 1:email 0:0`. */
export function fln(t: VersionTraits, email: string): string {
  return t.flnCaps ? `FLN ${who(t, email)} ${capsToken(t, 0, 0)}` : `FLN ${email}`;
}

/** What watchers get when a contact clears the message (an empty UBX leaves the old text shown). */
export const CLEARED_PERSONAL = '<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>';

/** The UBX header for a personal message (the payload is the client's own XML); undefined before MSNP11. */
export function ubxHead(t: VersionTraits, email: string): string | undefined {
  return t.personalMessage ? `UBX ${who(t, email)}` : undefined;
}
