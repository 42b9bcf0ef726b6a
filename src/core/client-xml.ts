// XML that clients write and other clients parse (personal messages, MSNObjects)
// or that we parse ourselves (SOAP). Nothing with a DTD is accepted: 2005-2008
// clients (MSXML, libxml in Pidgin, Miranda) expand entities, so a relayed
// "billion laughs" document would hang every watcher.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A DOCTYPE or entity declaration anywhere in the text. */
export function hasDtd(text: string): boolean {
  return /<!(?:DOCTYPE|ENTITY)/i.test(text);
}

const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false, processEntities: false, ignoreDeclaration: true });

/** The top-level elements of a well-formed document (declaration and whitespace left out). */
function roots(text: string): { name: string; node: Record<string, unknown> }[] | undefined {
  if (XMLValidator.validate(text) !== true) return undefined;
  // Processing instructions other than the leading declaration are never sent by clients.
  if (/<\?(?!xml\s)/.test(text) || (text.indexOf('<?xml') > 0 && text.slice(0, text.indexOf('<?xml')).trim() !== '')) return undefined;
  const nodes = ordered.parse(text) as Record<string, unknown>[];
  const out: { name: string; node: Record<string, unknown> }[] = [];
  for (const n of nodes) {
    const name = Object.keys(n).find((k) => k !== ':@');
    if (name === undefined || name === '#text') continue;
    out.push({ name, node: n });
  }
  return out;
}

/**
 * Why a personal-message document (UUX, MSNP11+) is refused, or undefined when
 * it is fine: well-formed, no DTD, exactly one root element named `Data`.
 * An empty document clears the message and is fine.
 */
export function personalMessageProblem(text: string): string | undefined {
  if (text.length === 0) return undefined;
  if (hasDtd(text)) return 'DTD';
  const r = roots(text);
  if (!r) return 'not well-formed XML';
  if (r.length !== 1 || r[0]!.name !== 'Data') return 'the root element must be one <Data>';
  return undefined;
}

/**
 * The root element's name of a client document (MSNP16+ UUX: `Data`,
 * `EndpointData`, `PrivateEndpointData`), or why it is refused: well-formed,
 * no DTD, exactly one root element among `names`.
 */
export function documentRoot(text: string, names: readonly string[]): { root: string } | { problem: string } {
  if (hasDtd(text)) return { problem: 'DTD' };
  const r = roots(text);
  if (!r) return { problem: 'not well-formed XML' };
  if (r.length !== 1 || !names.includes(r[0]!.name)) return { problem: `the root element must be one of ${names.join(', ')}` };
  return { root: r[0]!.name };
}

/** Why an MSNObject (CHG, MSNP9+) is refused: it must be one `<msnobj …/>` element. */
export function msnObjectProblem(text: string): string | undefined {
  if (hasDtd(text)) return 'DTD';
  const r = roots(text);
  if (!r) return 'not well-formed XML';
  if (r.length !== 1 || r[0]!.name !== 'msnobj') return 'must be one <msnobj/> element';
  return undefined;
}
