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
  // Group 0 ("Other Contacts") is no group from MSNP10 on.
  const g = s.ctx.core.contacts.findGroup(me(s).id, token, urlDecode(token));
  if (g && g.id !== 0) return g.id;
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
