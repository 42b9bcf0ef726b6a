// Reading a SOAP request: limits first (size, nesting, no DTD), then a
// well-formedness check, then a tree by local names (whatever prefixes the
// client chose: Pidgin writes `soap:`, WLM `soap:` or none, MSNPSharp
// declares default namespaces), and the action named by the SOAPAction
// header and the body's element.
import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { hasDtd } from '../../core/client-xml.js';
import type { WebRequest } from '../router.js';
import { SoapFault } from './fault.js';

export interface SoapLimits {
  /** Bytes of request body (the captured requests are at most 5.2 KiB). */
  maxBody: number;
  /** Nesting of elements (the deepest captured request nests 9). */
  maxDepth: number;
}

export const DEFAULT_SOAP_LIMITS: SoapLimits = { maxBody: 64 * 1024, maxDepth: 32 };

export type XmlNode = Record<string, unknown>;

export interface SoapRequest {
  /** The action's name (`ABFindAll`), from the body element. */
  action: string;
  /** `soap:Header` (empty when absent). */
  header: XmlNode;
  /** The action element inside `soap:Body`. */
  body: XmlNode;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Only the five predefined entities and character references: there is never a DTD,
  // and other named references are refused before parsing. `htmlEntities` is what makes
  // the parser decode `&#39;`/`&#x41;` (COMPAT: Pidgin escapes ' as &#39;).
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
});

/**
 * Deepest element nesting, counted over the raw text in one linear pass (so
 * that a deep document is refused before any parser walks it).
 */
export function nestingDepth(text: string): number {
  // Comments, declarations and processing instructions (`<!`, `<?`) open nothing.
  // Quoted attribute values are skipped whole (a `>` or `/>` inside one ends no
  // tag); they cannot hold `<` in XML, so each scan stops at the next `<`.
  const tag = /<(?![!?])(\/?)(?:[^<>"']|"[^"<]*"|'[^'<]*')*?(\/?)>/g;
  let depth = 0;
  let max = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(text))) {
    if (m[1] === '/') depth--;
    else if (m[2] !== '/') max = Math.max(max, ++depth);
  }
  return max;
}

export function children(n: unknown, name: string): unknown[] {
  if (!n || typeof n !== 'object') return [];
  const v = (n as XmlNode)[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function child(n: unknown, ...path: string[]): unknown {
  let cur: unknown = n;
  for (const p of path) cur = children(cur, p)[0];
  return cur;
}

/** An element's text (undefined when the element is absent). */
export function textOf(n: unknown): string | undefined {
  if (n === undefined || n === null) return undefined;
  if (typeof n === 'string' || typeof n === 'number' || typeof n === 'boolean') return String(n);
  const t = (n as XmlNode)['#text'];
  return t === undefined ? '' : String(t);
}

/** `true`/`1` as the xsd:boolean they are. */
export function boolOf(n: unknown): boolean {
  const t = textOf(n)?.trim();
  return t === 'true' || t === '1';
}

/** The element names of a node, without attributes and text. */
function elementNames(n: unknown): string[] {
  if (!n || typeof n !== 'object') return [];
  return Object.keys(n).filter((k) => !k.startsWith('@') && k !== '#text');
}

/**
 * The action a SOAPAction header names: its last path segment, quotes
 * stripped (MSNPSharp quotes it, Pidgin does not). SOAP 1.2 carries it as the
 * content type's `action` parameter.
 */
export function headerAction(req: WebRequest): string | undefined {
  const raw = req.headers['soapaction'] ?? /;\s*action="?([^";]*)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (raw === undefined) return undefined;
  const v = raw.trim().replace(/^"|"$/g, '').trim();
  if (v === '') return undefined;
  return v.slice(v.lastIndexOf('/') + 1);
}

/**
 * Takes the long base64 texts of the `names` elements out of `text` (each
 * replaced by a marker), so that the XML checks and the parser, slow on long
 * texts (about 100 ms for a 128 KiB picture), see only the small rest. Base64
 * holds no markup, so the document's structure is unchanged.
 */
function setAsideBulk(text: string, names: readonly string[]): { text: string; bulk: Map<string, string> } {
  const bulk = new Map<string, string>();
  if (names.length === 0) return { text, bulk };
  const nonce = randomBytes(8).toString('hex');
  const alt = names.map((n) => n.replace(/[^A-Za-z0-9]/g, '')).join('|');
  // Only the opening tags by regex (a counted repetition over the whole text is slow in V8); the text up to the next `<` by indexOf.
  const open = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?(?:${alt})(?:\\s[^<>]*)?>`, 'g');
  const parts: string[] = [];
  let done = 0;
  while (open.exec(text)) {
    const from = open.lastIndex;
    const to = text.indexOf('<', from);
    if (to < 0) break;
    if (to - from >= 1024 && text.startsWith('</', to) && /^[A-Za-z0-9+/=\s]*$/.test(text.slice(from, to))) {
      const key = `bulk-${nonce}-${bulk.size}`;
      bulk.set(key, text.slice(from, to));
      parts.push(text.slice(done, from), key);
      done = to;
    }
    open.lastIndex = to;
  }
  parts.push(text.slice(done));
  return { text: parts.join(''), bulk };
}

/** Puts the texts setAsideBulk took out back into the parsed tree. */
function restoreBulk(n: unknown, bulk: Map<string, string>): unknown {
  if (typeof n === 'string') return bulk.get(n) ?? n;
  if (Array.isArray(n)) return n.map((x) => restoreBulk(x, bulk));
  if (n && typeof n === 'object') {
    for (const [k, v] of Object.entries(n)) (n as XmlNode)[k] = restoreBulk(v, bulk);
  }
  return n;
}

/**
 * The request as a SoapRequest, or the fault to answer. `bulk`: names of
 * elements that may carry long base64 texts (the storage service's `Data`).
 * `wholeBody`: the action is the SOAPAction header's and `body` is all of
 * soap:Body (the OIM Store body holds two elements, MessageType and Content:
 * oim_ws.wsdl).
 */
export function parseSoap(req: WebRequest, limits: SoapLimits = DEFAULT_SOAP_LIMITS, opts: { bulk?: readonly string[]; wholeBody?: boolean } = {}): SoapRequest {
  const bulkNames = opts.bulk ?? [];
  const wholeBody = opts.wholeBody ?? false;
  if (req.body.length > limits.maxBody) throw SoapFault.client(`Request body larger than ${limits.maxBody} bytes`, 'BadArgument');
  const { text, bulk } = setAsideBulk(req.body.toString('utf8'), bulkNames);
  if (hasDtd(text)) throw SoapFault.client('Document type declarations are not accepted', 'BadArgument');
  if (nestingDepth(text) > limits.maxDepth) throw SoapFault.client(`Elements nested deeper than ${limits.maxDepth}`, 'BadArgument');
  // Without a DTD only the five predefined entities and character references exist.
  if (/&(?!(?:lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/.test(text)) throw SoapFault.client('Undefined entity reference', 'BadArgument');
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw SoapFault.client('The request is not well-formed XML', 'BadArgument');
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    throw SoapFault.client('The request is not well-formed XML', 'BadArgument');
  }
  if (bulk.size > 0) doc = restoreBulk(doc, bulk);
  const env = child(doc, 'Envelope');
  const body = child(env, 'Body');
  if (!env || typeof env !== 'object' || !body || typeof body !== 'object') throw SoapFault.client('No SOAP envelope with a body', 'BadArgument');
  const header0 = child(env, 'Header');
  if (wholeBody) {
    const named = headerAction(req);
    if (named === undefined) throw SoapFault.client('No SOAPAction', 'BadArgument');
    return { action: named, header: header0 && typeof header0 === 'object' ? (header0 as XmlNode) : {}, body: body as XmlNode };
  }
  const names = elementNames(body);
  if (names.length !== 1) throw SoapFault.client('The SOAP body must hold exactly one element', 'BadArgument');
  const action = names[0]!;
  const named = headerAction(req);
  if (named !== undefined && named !== action) {
    throw SoapFault.client(`SOAPAction ${named} does not match the body element ${action}`, 'BadArgument');
  }
  const header = child(env, 'Header');
  return { action, header: header && typeof header === 'object' ? (header as XmlNode) : {}, body: (child(body, action) ?? {}) as XmlNode };
}
