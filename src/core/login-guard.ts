// Slows password guessing: an address that fails to sign in too often within
// a window is refused (without checking) until the window ends. Counted per
// address (IPv6: per prefix) rather than per account, so nobody can lock
// another user out.
import { addressKey, DEFAULT_IPV6_PREFIX } from '../net/address.js';
import type { Clock } from './clock.js';

export class LoginGuard {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
    private readonly ipv6Prefix = DEFAULT_IPV6_PREFIX,
  ) {}

  /** True while sign-ins from this address are refused. */
  blocked(ip: string): boolean {
    const key = addressKey(ip, this.ipv6Prefix);
    const f = this.failures.get(key);
    if (!f) return false;
    if (this.clock.now() - f.since > this.windowMs) {
      this.failures.delete(key);
      return false;
    }
    return f.count >= this.maxFailures;
  }

  failed(ip: string): void {
    const key = addressKey(ip, this.ipv6Prefix);
    const now = this.clock.now();
    const f = this.failures.get(key);
    if (!f || now - f.since > this.windowMs) this.failures.set(key, { count: 1, since: now });
    else f.count++;
  }

  sweep(): void {
    const now = this.clock.now();
    for (const [ip, f] of this.failures) if (now - f.since > this.windowMs) this.failures.delete(ip);
  }
}
