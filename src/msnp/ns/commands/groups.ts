// Arguments shared by the group commands: numeric ids up to MSNP9, GUIDs from MSNP10.
import { ProtocolError } from '../../session.js';
import { urlDecode } from '../../wire/urlcode.js';
import type { NsSession } from '../session.js';
import { encodedLength, me } from './util.js';

/** A group id token: 0-29 as the original service numbered them. */
export function groupId(token: string | undefined): number {
  if (token === undefined || !/^\d{1,3}$/.test(token)) throw new ProtocolError(201);
  const g = Number(token);
  if (g > 29) throw new ProtocolError(224);
  return g;
}

/** A group named the version's way (a numeric id, or from MSNP10 a GUID; a name too, as MSN 7.0 sometimes sends). */
export function groupRef(s: NsSession, token: string | undefined): number {
  if (!s.v.abch) return groupId(token);
  if (token === undefined) throw new ProtocolError(201);
  const list = s.ctx.core.lists.peek(me(s).id);
  const byGuid = list?.groupByGuid(token);
  if (byGuid && byGuid.id !== 0) return byGuid.id;
  // COMPAT: MSN 7.0 sometimes sends the group's name instead of its id (ns-msnp8-12 §3.17).
  const name = urlDecode(token);
  for (const g of list?.groups.values() ?? []) if (g.id !== 0 && g.name === name) return g.id;
  throw new ProtocolError(224);
}

/** A URL-encoded group name of at most `maxBytes` encoded bytes (229 otherwise). */
export function groupName(token: string | undefined, maxBytes: number): string {
  if (token === undefined) throw new ProtocolError(201);
  if (encodedLength(token) > maxBytes) throw new ProtocolError(229);
  const name = urlDecode(token);
  if (name.trim().length === 0) throw new ProtocolError(201);
  return name;
}
