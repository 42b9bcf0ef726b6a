// The MSNP16+ UBX document, built by the server (flows.md §6.1): the
// contact's personal message and current media as its client wrote them,
// then what the server knows: machine GUID, friendly name, picture location
// and one `<EndpointData id="{GUID}">` per endpoint; the user's own UBX also
// has `<PrivateEndpointData id="{GUID}">`. Older watchers get the client's
// document as written (render/presence.ts).
import type { OwnEndpointView, ProfileView } from '../../../core/presence.js';
import { urlEncode } from '../../wire/urlcode.js';
import { childText, decodeXmlText } from '../uux-documents.js';

/** Text for an element or attribute: escaped, and without characters XML 1.0 forbids (a name may hold control characters). */
function esc(s: string): string {
  return s
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text-only children of a client's `<Data>` the server-built UBX carries on, in this order (flows.md §6.1). */
const RELAYED = ['DDP', 'SignatureSound', 'Scene', 'ColorScheme'] as const;

/**
 * COMPAT: MSNPSharp 3.2.1 renames a contact to its address when `<FriendlyName>`
 * is missing and fetches a picture only with `<UserTileLocation>` (the NLN
 * MSNObject token); Pidgin 2.11 crashes on an `<EndpointData>` without `id`
 * and compares ids from their second character, so braces are required
 * (client-quirks.md "Machine GUIDs", "UBX carries <FriendlyName>").
 */
export function ubxDocument(p: ProfileView, own?: readonly OwnEndpointView[]): string {
  // Text-only children of a document validated on UUX, read back and escaped again: the raw
  // text may come from a comment or CDATA section (a bare `&`) or hold an undefined entity or
  // a reference to a forbidden character, which would make every watcher's parser refuse it.
  const psm = esc(decodeXmlText(childText(p.personal, 'PSM') ?? ''));
  const media = esc(decodeXmlText(childText(p.personal, 'CurrentMedia') ?? ''));
  let doc = `<Data><PSM>${psm}</PSM><CurrentMedia>${media}</CurrentMedia>`;
  const first = p.endpoints[0];
  if (first) doc += `<MachineGuid>${first.machineGuid}</MachineGuid>`;
  // WLM 2009's own elements, relayed when its UUX had them, in the order of
  // the original service's UBX (flows.md §6.1): without them watchers lose the
  // contact's scene, colour, dynamic picture and sound (MSNPSharp 3.2.1 reads
  // //Data/SignatureSound).
  for (const name of RELAYED) {
    const text = childText(p.personal, name);
    if (text !== undefined) doc += `<${name}>${text}</${name}>`;
  }
  doc += `<FriendlyName>${esc(p.friendlyName)}</FriendlyName>`;
  if (p.msnObject) doc += `<UserTileLocation>${esc(urlEncode(p.msnObject))}</UserTileLocation>`;
  for (const e of p.endpoints) {
    doc += `<EndpointData id="${e.machineGuid}"><Capabilities>${e.caps >>> 0}:${e.extCaps >>> 0}</Capabilities></EndpointData>`;
  }
  for (const e of own ?? []) {
    doc +=
      `<PrivateEndpointData id="${e.machineGuid}"><EpName>${esc(e.name)}</EpName><Idle>${e.idle}</Idle>` +
      `<ClientType>${e.clientType}</ClientType><State>${e.state}</State></PrivateEndpointData>`;
  }
  return doc + '</Data>';
}
