// Requests per address (IPv6 per prefix, as every per-address limit): a token
// bucket each, forgotten once full again.
import { addressKey, DEFAULT_IPV6_PREFIX } from '../../net/address.js';

export class AddressRate {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Requests per second on average (0: no limit)... */
    private readonly rate: number,
    /** ...and at most this many at once. */
    private readonly burst: number,
    private readonly ipv6Prefix = DEFAULT_IPV6_PREFIX,
  ) {}

  /** Counts one request; false if the address is over its rate. */
  take(ip: string, now: number): boolean {
    if (this.rate <= 0) return true;
    const key = addressKey(ip, this.ipv6Prefix);
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: this.burst, at: now }));
    if (now > b.at) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.rate) / 1000);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Drops buckets that would be full by now (memory stays bounded by active addresses). */
  sweep(now: number): void {
    for (const [ip, b] of this.buckets) if (b.tokens + ((now - b.at) * this.rate) / 1000 >= this.burst) this.buckets.delete(ip);
  }
}
