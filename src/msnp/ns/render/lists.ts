// List lines that differ by era, chosen from the version's traits: the list
// download, reverse-list and server-side removals, and phone-number pushes.
import type { VersionTraits } from '../../versions.js';
import { urlEncode } from '../../wire/urlcode.js';
import { abchSync } from './abch.js';
import { classicSync, contactProperties, prop, type SyncData } from './classic.js';
import { tweenerSync } from './tweener.js';

/** The whole answer to a SYN that asks for everything. */
export function syncLines(t: VersionTraits, trid: number, d: SyncData): string[] {
  if (t.era === 'classic') return classicSync(t, trid, d);
  if (t.era === 'tweener') return tweenerSync(trid, d);
  return abchSync(t, trid, d);
}

/**
 * The short answer when the client's cached list is current (MSNP2-7 only),
 * or undefined when the whole list must be sent. A cache of version 0 is
 * never current (clients that cache nothing send 0). From MSNP8 the answer is
 * always the full form with counts: COMPAT: Pidgin 2.4.3 disconnects on the
 * two-field form (client-quirks.md "SYN for MSNP8+", ../shared/DECISIONS.md).
 */
export function syncIfCurrent(t: VersionTraits, trid: number, version: number, cached: string[]): string | undefined {
  if (t.era !== 'classic') return undefined;
  return version !== 0 && cached[0] === String(version) ? `SYN ${trid} ${version}` : undefined;
}

/** Someone added me to (or removed me from) their forward list. */
export function reverseList(t: VersionTraits, e: { op: 'add' | 'remove'; email: string; friendlyName: string; version: number }): string {
  if (t.abch) return e.op === 'add' ? `ADC 0 RL N=${e.email} F=${urlEncode(e.friendlyName)}` : `REM 0 RL ${e.email}`;
  return e.op === 'add' ? `ADD 0 RL ${e.version} ${e.email} ${urlEncode(e.friendlyName)}` : `REM 0 RL ${e.version} ${e.email}`;
}

/** An entry removed by the server (the account was deleted). */
export function serverRemoval(t: VersionTraits, list: string, version: number, email: string, guid: string | undefined): string | undefined {
  if (!t.abch) return list === 'PL' ? undefined : `REM 0 ${list} ${version} ${email}`;
  if (list === 'RL' || list === 'PL') return `REM 0 ${list} ${email}`;
  if (list === 'FL') return guid ? `REM 0 FL ${guid}` : undefined;
  return `REM 0 ${list} ${email}`;
}

/** A contact's phone number changed. */
export function bprPush(t: VersionTraits, version: number, email: string, key: string, value: string): string {
  return t.abch ? `BPR ${email} ${prop(key, value)}` : `BPR ${version} ${email} ${prop(key, value)}`;
}

/** After a new forward-list entry (MSNP5-9): its numbers, blank until the next full download. */
export function bprsAfterAdd(t: VersionTraits, version: number, email: string): string[] {
  return t.phoneProperties && !t.abch ? contactProperties(version, email, {}) : [];
}
