// The `<ml>` documents of ADL, RML and FQY (MSNP13+): which contacts, on which
// lists, the client means. flows.md §4.1-4.2; errors.md 240/241/204.
// `<ml [l="1"]><d n="domain"><c n="local" l="bits" t="network"/>…</d>…</ml>`,
// no whitespace between elements in what clients send (tolerated here).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { hasDtd } from '../../core/client-xml.js';
import { isValidEmail, normaliseEmail } from '../../core/email.js';

/**
 * Largest document accepted. **uncertain**: the real limit is not in the
 * notes; WLM and Pidgin split long lists into several ADLs of a few KiB.
 */
export const MAX_ML_BYTES = 16384;

export interface MlEntry {
  email: string;
  /** List bits: FL 1, AL 2, BL 4, RL 8, PL 16 (0 when absent, as in FQY). */
  lists: number;
  /** Network id: 1 Messenger (the only one msnpd has), 32 Yahoo!, 4 phone... */
  network: number;
}

export type MlResult =
  | { ok: true; initial: boolean; entries: MlEntry[] }
  /** 240: a domain without contacts; 241: anything else malformed. Both close the connection. */
  | { ok: false; code: 240 | 241; why: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  ignoreDeclaration: true,
  isArray: (name) => name === 'd' || name === 'c',
  parseAttributeValue: false,
  parseTagValue: false,
});

type Node = Record<string, unknown>;

const BITS = /^\d{1,2}$/;
const NETWORK = /^\d{1,3}$/;

/** Reads an `<ml>` document; RL/PL bits are the caller's to judge (initial ADL vs later). */
export function parseMl(payload: Buffer): MlResult {
  if (payload.length > MAX_ML_BYTES) return { ok: false, code: 241, why: 'too large' };
  const text = payload.toString('utf8');
  if (hasDtd(text) || XMLValidator.validate(text) !== true) return { ok: false, code: 241, why: 'not well-formed XML' };
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch {
    // e.g. nesting past the parser's own limit: malformed, never a 500.
    return { ok: false, code: 241, why: 'not well-formed XML' };
  }
  const keys = Object.keys(doc);
  if (keys.length !== 1 || keys[0] !== 'ml') return { ok: false, code: 241, why: 'the root must be one <ml>' };
  const ml = (doc.ml === '' ? {} : doc.ml) as Node;
  if (typeof ml !== 'object') return { ok: false, code: 241, why: '<ml> holds text' };
  const initial = ml['@l'] === '1';
  const entries: MlEntry[] = [];
  const domains = new Set<string>();
  for (const [k, v] of Object.entries(ml)) {
    if (k === '@l') continue;
    if (k !== 'd') return { ok: false, code: 241, why: `unexpected <${k}> in <ml>` };
    for (const d of v as unknown[]) {
      if (typeof d !== 'object' || d === null) return { ok: false, code: 240, why: 'a domain without contacts' };
      const dn = (d as Node)['@n'];
      if (typeof dn !== 'string' || dn === '') return { ok: false, code: 241, why: 'a domain without a name' };
      const domain = dn.toLowerCase();
      if (domains.has(domain)) return { ok: false, code: 241, why: `domain ${domain} twice` };
      domains.add(domain);
      const cs = (d as Node).c as unknown[] | undefined;
      if (!cs || cs.length === 0) return { ok: false, code: 240, why: `domain ${domain} without contacts` };
      for (const [dk] of Object.entries(d as Node)) {
        if (dk !== '@n' && dk !== 'c') return { ok: false, code: 241, why: `unexpected ${dk} in <d>` };
      }
      for (const c of cs) {
        if (typeof c !== 'object' || c === null) return { ok: false, code: 241, why: '<c> without attributes' };
        const { '@n': n, '@l': l, '@t': t } = c as Record<string, unknown>;
        if (typeof n !== 'string' || n === '') return { ok: false, code: 241, why: 'a contact without a name' };
        if (l !== undefined && (typeof l !== 'string' || !BITS.test(l) || Number(l) > 31)) return { ok: false, code: 241, why: `bad list bits ${String(l)}` };
        if (t !== undefined && (typeof t !== 'string' || !NETWORK.test(t))) return { ok: false, code: 241, why: `bad network ${String(t)}` };
        const email = normaliseEmail(`${n}@${domain}`);
        if (!isValidEmail(email)) return { ok: false, code: 241, why: `bad address ${n}@${domain}` };
        entries.push({ email, lists: l === undefined ? 0 : Number(l), network: t === undefined ? 1 : Number(t) });
      }
    }
  }
  return { ok: true, initial, entries };
}

/** One contact as a server-pushed `<ml>` (ADL/RML 0, flows.md §4.2). */
export function mlFor(email: string, lists: number, friendlyName?: string): string {
  const at = email.lastIndexOf('@');
  const f = friendlyName ? ` f="${xmlAttr(friendlyName)}"` : '';
  return `<ml><d n="${xmlAttr(email.slice(at + 1))}"><c n="${xmlAttr(email.slice(0, at))}" t="1" l="${lists}"${f}/></d></ml>`;
}

/** FQY's answer: the known addresses, each with its network (1). */
export function fqyAnswer(emails: readonly string[]): string {
  const byDomain = new Map<string, string[]>();
  for (const e of emails) {
    const at = e.lastIndexOf('@');
    const d = e.slice(at + 1);
    byDomain.set(d, [...(byDomain.get(d) ?? []), e.slice(0, at)]);
  }
  let out = '<ml>';
  for (const [d, names] of byDomain) out += `<d n="${xmlAttr(d)}">${names.map((n) => `<c n="${xmlAttr(n)}" t="1"/>`).join('')}</d>`;
  return out + '</ml>';
}

/** An attribute value: escaped, without the characters XML 1.0 forbids (a name may hold control characters). */
function xmlAttr(s: string): string {
  return s
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
