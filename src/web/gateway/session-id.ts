// Gateway session ids: the `<digits>.<digits>` shape the clients need, with
// enough randomness behind it that nobody can guess another user's session.
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * A new id: a unique number (what msn-pecan keys its sessions by: the part
 * before the dot) and 64 random bits in decimal after it. COMPAT: Pidgin
 * 2.4.3 and msn-pecan cut the id at the dot without checking there is one
 * (client-quirks.md "HTTP gateway"); the original ids looked like
 * `954547325.13160` (hypothetic.org "HTTP examples").
 */
export function newSessionId(taken: (prefix: string) => boolean): { prefix: string; id: string } {
  let prefix: string;
  do prefix = String(randomInt(1_000_000_000, 4_294_967_296));
  while (taken(prefix));
  const secret = randomBytes(8).readBigUInt64BE().toString().padStart(20, '0');
  return { prefix, id: `${prefix}.${secret}` };
}

const SHAPE = /^(\d{1,10})\.\d{1,20}$/;

/** The part before the dot of a well-formed id, or undefined. */
export function sessionIdPrefix(id: string): string | undefined {
  return SHAPE.exec(id)?.[1];
}

/** Compares a presented id with the real one in constant time. */
export function sameSessionId(presented: string, real: string): boolean {
  const a = Buffer.from(presented, 'latin1');
  const b = Buffer.from(real, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
