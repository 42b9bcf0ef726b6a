// The key under which per-address limits (connections, failed sign-ins) count
// a client. One IPv6 subscriber is usually handed a whole /64 (RFC 6177,
// RIPE-690), so counting exact IPv6 addresses would let one person evade every
// limit by cycling through their own prefix: IPv6 addresses are masked to a
// configurable prefix. IPv4 addresses (and IPv4-mapped IPv6) count as they are.
import net from 'node:net';

/** Default prefix length IPv6 addresses are counted under. */
export const DEFAULT_IPV6_PREFIX = 64;

/** `1.2.3.4` for `::ffff:1.2.3.4`; anything else unchanged. */
export function stripV4Mapped(a: string): string {
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or undefined. */
function groups(a: string): number[] | undefined {
  const addr = a.replace(/%.*$/, '');
  if (!net.isIPv6(addr)) return undefined;
  let text = addr;
  // A dotted IPv4 tail (::1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((b0 << 8) | b1).toString(16) + ':' + ((b2 << 8) | b3).toString(16);
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t].map((g) => parseInt(g, 16));
  return all.length === 8 ? all : undefined;
}

/** The counting key of a remote address: IPv4 as is, IPv6 masked to `/prefix` (`2001:db8:1:2::/64`). */
export function addressKey(address: string, ipv6Prefix = DEFAULT_IPV6_PREFIX): string {
  const a = stripV4Mapped(address);
  if (ipv6Prefix >= 128) return a;
  const g = groups(a);
  if (!g) return a;
  const masked = g.map((v, i) => {
    const bits = Math.max(0, Math.min(16, ipv6Prefix - i * 16));
    return bits === 0 ? 0 : v & ((0xffff << (16 - bits)) & 0xffff);
  });
  // Written with the trailing zero groups folded, so equal prefixes give equal keys.
  let end = 8;
  while (end > 0 && masked[end - 1] === 0) end--;
  const lead = masked.slice(0, end).map((v) => v.toString(16)).join(':');
  return `${end === 8 ? lead : lead + '::'}/${ipv6Prefix}`;
}
