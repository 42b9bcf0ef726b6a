// Arguments shared by the group commands (MSNP7).
import { ProtocolError } from '../../session.js';
import { urlDecode } from '../../wire/urlcode.js';
import { encodedLength } from './util.js';

/** A group id token: 0-29 as the original service numbered them. */
export function groupId(token: string | undefined): number {
  if (token === undefined || !/^\d{1,3}$/.test(token)) throw new ProtocolError(201);
  const g = Number(token);
  if (g > 29) throw new ProtocolError(224);
  return g;
}

/** A URL-encoded group name of at most `maxBytes` encoded bytes (229 otherwise). */
export function groupName(token: string | undefined, maxBytes: number): string {
  if (token === undefined) throw new ProtocolError(201);
  if (encodedLength(token) > maxBytes) throw new ProtocolError(229);
  const name = urlDecode(token);
  if (name.trim().length === 0) throw new ProtocolError(201);
  return name;
}
