// The documents an MSNP16+ client sends with UUX (versions.md §2c, flows.md
// §6.1, captures of Pidgin 2.11 and MSNPSharp 3.2.1): `<Data>` (personal
// message, current media, machine GUID: relayed), `<EndpointData>`
// (`<Capabilities>caps:extcaps</Capabilities>`) and `<PrivateEndpointData>`
// (EpName, Idle, ClientType, State). Only well-formed documents without a DTD
// get here (documentRoot); the children read are text-only elements.
import { documentRoot } from '../../core/client-xml.js';
import { isStatus } from '../../core/presence-types.js';
import type { PrivateEndpoint } from '../../core/presence.js';

export type UuxDocument =
  | { kind: 'Data' }
  | { kind: 'EndpointData'; caps: number; extCaps: number }
  | { kind: 'PrivateEndpointData'; data: PrivateEndpoint };

/** Longest endpoint name kept (characters). **uncertain**: WLM's own limit is not in the notes. */
export const MAX_EP_NAME = 256;

/** The raw (still escaped) text of the first `<name>` child, '' for `<name/>`; undefined when absent or not text-only. */
export function childText(doc: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s*/>|\\s*>([^<]*)</${name}\\s*>)`).exec(doc);
  return m ? (m[1] ?? '') : undefined;
}

/** Character data with its references resolved (the five predefined entities and `&#…;`). */
export function decodeXmlText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (_, r: string) => {
    if (r[0] === '#') {
      const cp = r[1] === 'x' ? parseInt(r.slice(2), 16) : parseInt(r.slice(1), 10);
      return isXmlChar(cp) ? String.fromCodePoint(cp) : '';
    }
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[r]!;
  });
}

/** A character XML 1.0 allows (a reference to any other is dropped: watchers' parsers would refuse the document). */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** `caps` or `caps:extcaps`, each a 32-bit unsigned decimal; undefined otherwise. */
export function parseCaps(s: string, allowExt: boolean): { caps: number; extCaps: number } | undefined {
  const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(s);
  if (!m || (m[2] !== undefined && !allowExt)) return undefined;
  const caps = Number(m[1]);
  const extCaps = m[2] === undefined ? 0 : Number(m[2]);
  return caps > 0xffffffff || extCaps > 0xffffffff ? undefined : { caps, extCaps };
}

/** The document of an MSNP16+ UUX, or why it is refused. */
export function readUux(text: string): UuxDocument | { problem: string } {
  const r = documentRoot(text, ['Data', 'EndpointData', 'PrivateEndpointData']);
  if ('problem' in r) return r;
  if (r.root === 'Data') return { kind: 'Data' };
  if (r.root === 'EndpointData') {
    const raw = childText(text, 'Capabilities');
    // COMPAT: Pidgin 2.11 writes `caps:%02d` (`…:00`); numbers either way (client-quirks.md).
    const caps = raw === undefined ? { caps: 0, extCaps: 0 } : parseCaps(decodeXmlText(raw).trim(), true);
    return caps ? { kind: 'EndpointData', ...caps } : { problem: 'bad Capabilities' };
  }
  const name = decodeXmlText(childText(text, 'EpName') ?? '');
  const idle = childText(text, 'Idle') ?? 'false';
  const clientType = childText(text, 'ClientType') ?? '1';
  const state = childText(text, 'State') ?? '';
  if ([...name].length > MAX_EP_NAME) return { problem: 'EpName too long' };
  if (idle !== 'true' && idle !== 'false') return { problem: 'bad Idle' };
  if (!/^\d{1,3}$/.test(clientType)) return { problem: 'bad ClientType' };
  if (state !== '' && !isStatus(state)) return { problem: 'bad State' };
  return { kind: 'PrivateEndpointData', data: { name, idle: idle === 'true', clientType: Number(clientType), state } };
}
