// Endpoint (machine) GUIDs and the `email;{guid}` handles of MSNP16+, in one
// place. Clients write the same GUID differently: Pidgin 2.11 sends it upper
// case without braces in `USR SSO S` and braced upper case on the
// switchboard, MSNPSharp 3.2.1 braced lower case everywhere (captures/).
// Compared as `{lower-case}`; written back the way the endpoint wrote it.

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** A GUID with or without braces, in any case, as `{lower-case}`; undefined if it is none. */
export function normaliseGuid(s: string): string | undefined {
  const m = GUID.exec(s);
  return m && s.startsWith('{') === s.endsWith('}') ? `{${m[1]!.toLowerCase()}}` : undefined;
}

/** An endpoint as a switchboard names it: its key (for comparing) and its GUID as the endpoint wrote it (for the wire). */
export interface EndpointGuid {
  key: string;
  wire: string;
}

/**
 * `email` or `email;{guid}` (USR/ANS, P2P-Dest, P2P-Src). Undefined when a
 * suffix is there but is not a braced GUID (MSNPSharp parses whatever follows
 * the `;` as a GUID: anything else must not be relayed to it).
 */
export function parseHandle(handle: string): { email: string; guid: EndpointGuid | undefined } | undefined {
  const semi = handle.indexOf(';');
  if (semi < 0) return { email: handle, guid: undefined };
  const wire = handle.slice(semi + 1);
  const key = wire.startsWith('{') ? normaliseGuid(wire) : undefined;
  if (!key) return undefined;
  return { email: handle.slice(0, semi), guid: { key, wire } };
}
