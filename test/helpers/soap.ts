// SOAP requests against a test server over real HTTPS, the requests real
// clients sent (test/fixtures/soap, from the Pidgin 2.11, MSNPSharp 3.2.1 and
// MSNPSharp 5.x captures in the shared protocol notes), and readers for the answers.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { httpRequest, httpsRequest, type RawResponse } from './https.js';
import type { TestServer } from './server.js';
import { redirectTarget } from '../../src/web/soap/redirector.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/soap');

export interface CapturedRequest {
  client: 'pidgin-2.11' | 'msnpsharp-3.2.1' | 'msnpsharp-5-msnp21';
  /** Line in the client's http.jsonl. */
  line: number;
  host: string;
  path: string;
  soapaction: string;
  'content-type': string;
  /** With `{ticket}` where the client's TicketToken was. */
  body: string;
}

export function capturedRequests(file = 'address-book-reads.jsonl'): CapturedRequest[] {
  return fs
    .readFileSync(path.join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CapturedRequest);
}

/**
 * A captured body carrying `ticket` (`t=…&p=…`) as that client sent tickets:
 * COMPAT: Pidgin 2.11 sends the bare `t=…`, MSNPSharp `t=…&amp;p=…`.
 */
export function withTicket(r: CapturedRequest, ticket: string): string {
  const t = /(?:^|&)t=([^&]*)/.exec(ticket)?.[1] ?? ticket;
  const p = /&p=([^&]*)/.exec(ticket)?.[1] ?? '';
  const token = r.client === 'pidgin-2.11' ? `t=${t}` : `t=${t}&amp;p=${p}`;
  return r.body.replace('{ticket}', token);
}

/** POSTs a SOAP body over HTTPS (or plain HTTP with `plain`). */
export function soapPost(t: TestServer, o: { path: string; action?: string; body: string | Buffer; host?: string; plain?: boolean; contentType?: string }): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Content-Type': o.contentType ?? 'text/xml; charset=utf-8' };
  if (o.action !== undefined) headers['SOAPAction'] = o.action;
  const req = { host: o.host ?? 'contacts.msn.com', method: 'POST', path: o.path, headers, body: o.body };
  return o.plain ? httpRequest(t.server.ports.http!, req) : httpsRequest(t.server.ports.https!, req);
}

/**
 * A captured request replayed with a ticket, at the host the client makes the
 * real call to (MSNPSharp's redirector names answer 301: web/soap/redirector.ts).
 */
export function replay(t: TestServer, r: CapturedRequest, ticket: string): Promise<RawResponse> {
  return soapPost(t, { host: redirectTarget(r.host) ?? r.host, path: r.path, action: r.soapaction, body: withTicket(r, ticket), contentType: r['content-type'] });
}

/** `names` appear in the order `order[kind]` lists (each at most once, none unknown): the schema's element order. */
export function assertSchemaOrder(order: Record<string, string[]>, names: string[], kind: string): void {
  const want = order[kind]!;
  let last = -1;
  for (const n of names) {
    const i = want.indexOf(n);
    if (!(i > last)) throw new Error(`${kind}: ${n} out of order or unknown in [${names.join(' ')}]`);
    last = i;
  }
}

/**
 * A captured body with some texts inside soap:Body replaced (the header, and
 * so the ticket, stays as it was): each edit is (which text, counted cyclically; new value).
 */
export function withBodyTexts(body: string, edits: readonly (readonly [number, string])[]): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const start = body.indexOf('Body');
  let b = body.slice(start);
  for (const [i, v] of edits) {
    const texts = [...b.matchAll(/>([^<>]+)</g)];
    if (texts.length === 0) break;
    const m = texts[i % texts.length]!;
    b = b.slice(0, m.index! + 1) + escape(v) + b.slice(m.index! + 1 + m[1]!.length);
  }
  return body.slice(0, start) + b;
}

const tree = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: false, parseTagValue: false, isArray: (_name, _path, _leaf, attr) => !attr });
const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false });

export type Tree = Record<string, unknown>;

/** The answer as a tree in which every element is an array (prefixes kept). */
export function parseTree(xml: string): Tree {
  return tree.parse(xml) as Tree;
}

/** Every element at `path` (names with prefixes as sent), e.g. `soap:Envelope/soap:Body/FindMembershipResponse`. */
export function all(doc: Tree, p: string): Tree[] {
  let cur: Tree[] = [doc];
  for (const name of p.split('/')) cur = cur.flatMap((n) => (n[name] as Tree[] | undefined) ?? []);
  return cur;
}

export function text(doc: Tree, p: string): string | undefined {
  const n = all(doc, p)[0];
  if (n === undefined) return undefined;
  return typeof n === 'string' ? n : String((n as Tree)['#text'] ?? '');
}

/** The names of an element's children in document order, for every element at `p` (first one). */
export function childOrder(xml: string, p: string): string[] {
  let nodes = ordered.parse(xml) as Tree[];
  for (const name of p.split('/')) {
    const hit = nodes.find((n) => Object.hasOwn(n, name));
    if (!hit) return [];
    nodes = hit[name] as Tree[];
  }
  return nodes.map((n) => Object.keys(n).find((k) => k !== ':@')!).filter((k) => k !== '#text');
}

/** The fault's faultstring and detail/errorcode, when the answer is a fault. */
export function faultOf(r: RawResponse): { faultcode: string; faultstring: string; errorcode: string } | undefined {
  const doc = parseTree(r.body.toString('utf8'));
  const f = all(doc, 'soap:Envelope/soap:Body/soap:Fault')[0];
  if (!f) return undefined;
  const s = (p: string) => text(f, p) ?? '';
  return { faultcode: s('faultcode'), faultstring: s('faultstring'), errorcode: s('detail/errorcode') };
}
