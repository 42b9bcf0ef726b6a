// Slows password guessing: an address that fails to sign in too often within
// a window is refused (without checking) until the window ends. Counted per
// address (IPv6: per prefix) rather than per account, so nobody can lock
// another user out.
import { addressKey, DEFAULT_IPV6_PREFIX } from '../net/address.js';
import type { Clock } from './clock.js';
import type { Deadline, DeadlineHeap } from './deadline-heap.js';

interface Failures {
  count: number;
  since: number;
  /** Forgets the address when its window ends. */
  expiry: Deadline;
}

export class LoginGuard {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
    private readonly timers: DeadlineHeap,
    private readonly ipv6Prefix = DEFAULT_IPV6_PREFIX,
  ) {}

  /** True while sign-ins from this address are refused. */
  blocked(ip: string): boolean {
    const key = addressKey(ip, this.ipv6Prefix);
    const f = this.failures.get(key);
    if (!f) return false;
    if (this.clock.now() - f.since > this.windowMs) {
      this.forget(key, f);
      return false;
    }
    return f.count >= this.maxFailures;
  }

  failed(ip: string): void {
    const key = addressKey(ip, this.ipv6Prefix);
    const now = this.clock.now();
    const f = this.failures.get(key);
    if (f && now - f.since <= this.windowMs) {
      f.count++;
      return;
    }
    if (f) this.forget(key, f);
    const entry: Failures = { count: 1, since: now, expiry: undefined! };
    entry.expiry = this.timers.add(now + this.windowMs + 1, () => this.forget(key, entry));
    this.failures.set(key, entry);
  }

  private forget(ip: string, f: Failures): void {
    this.timers.cancel(f.expiry);
    if (this.failures.get(ip) === f) this.failures.delete(ip);
  }
}
