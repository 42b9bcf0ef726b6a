// Small helpers for writing SOAP answers: escaping, element builders and the
// time formats the address-book clients parse.

/**
 * Text for an element or attribute: escaped, and without the characters XML
 * 1.0 forbids (a contact's name may hold control characters, and one of them
 * makes the client's parser refuse the whole address book).
 */
export function esc(s: string): string {
  return s
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<name>text</name>`, text escaped. */
export function el(name: string, text: string | number | boolean): string {
  return `<${name}>${esc(String(text))}</${name}>`;
}

/** The "never" time the services use for absent dates (msnab_datatypes.xsd defaults). */
export const NEVER = '0001-01-01T00:00:00';

/** 100-nanosecond ticks since the Unix epoch (the precision .NET DateTime has). */
export type Ticks = bigint;

export const TICKS_PER_MS = 10_000n;

/**
 * `YYYY-MM-DDTHH:MM:SS.fffffffZ`: seven fractional digits, as the address
 * book wrote times. COMPAT: MSNPSharp 3.2.1 keeps a list only when its
 * `LastChange` is strictly later than the one it holds, so changes within
 * one second must differ (client-quirks.md "Address book and memberships").
 */
export function abTime(t: Ticks): string {
  const ms = t / TICKS_PER_MS;
  const rest = t % TICKS_PER_MS;
  const iso = new Date(Number(ms)).toISOString(); // …:SS.mmmZ
  return `${iso.slice(0, 23)}${rest.toString().padStart(4, '0')}Z`;
}

/**
 * A client's `lastChange`/`LastChanged` as ticks: any fraction up to seven
 * digits, `Z`, an offset or none (then UTC). Undefined when unreadable.
 */
export function parseAbTime(s: string | undefined): Ticks | undefined {
  if (s === undefined) return undefined;
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?\s*$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac = '', zone = 'Z'] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  // Years below 100 map to 19xx in Date.UTC; the "never" time is all that uses them.
  const fixed = Number(y) < 100 ? new Date(base).setUTCFullYear(Number(y)) : base;
  if (!Number.isFinite(fixed)) return undefined;
  let offsetMs = 0;
  if (zone !== 'Z') offsetMs = (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  return BigInt(fixed - offsetMs) * TICKS_PER_MS + BigInt(frac.padEnd(7, '0'));
}
