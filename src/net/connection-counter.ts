// Connections per remote address (IPv6 per prefix, see address.ts), shared by
// every listener that is given the same counter; refuses beyond the limit.
import type { Logger } from '../log.js';
import { addressKey, DEFAULT_IPV6_PREFIX } from './address.js';

export class ConnectionCounter {
  private readonly counts = new Map<string, number>();
  private lastWarning = 0;

  constructor(
    private readonly max: number,
    private readonly log: Logger,
    private readonly ipv6Prefix = DEFAULT_IPV6_PREFIX,
  ) {}

  /** The key a connection from this address counts under (give it back to `remove`). */
  keyOf(ip: string): string {
    return addressKey(ip, this.ipv6Prefix);
  }

  /** Counts a new connection; false (and nothing counted) if its address is at the limit. */
  add(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (this.max > 0 && n >= this.max) {
      const now = Date.now();
      if (now - this.lastWarning > 60_000) {
        this.lastWarning = now;
        this.log.warn({ address: key, limit: this.max }, 'refusing connections: too many from one address (MSNPD_MAX_CONNECTIONS_PER_IP)');
      }
      return false;
    }
    this.counts.set(key, n + 1);
    return true;
  }

  remove(key: string): void {
    const n = (this.counts.get(key) ?? 1) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }
}
