// Slows password guessing: an address that fails to sign in too often within
// a window is refused (without checking) until the window ends. Counted per
// address rather than per account, so nobody can lock another user out.
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
  ) {}

  /** True while sign-ins from this address are refused. */
  blocked(ip: string): boolean {
    const f = this.failures.get(ip);
    if (!f) return false;
    if (this.clock.now() - f.since > this.windowMs) {
      this.forget(ip, f);
      return false;
    }
    return f.count >= this.maxFailures;
  }

  failed(ip: string): void {
    const now = this.clock.now();
    const f = this.failures.get(ip);
    if (f && now - f.since <= this.windowMs) {
      f.count++;
      return;
    }
    if (f) this.forget(ip, f);
    const entry: Failures = { count: 1, since: now, expiry: undefined! };
    entry.expiry = this.timers.add(now + this.windowMs + 1, () => this.forget(ip, entry));
    this.failures.set(ip, entry);
  }

  private forget(ip: string, f: Failures): void {
    this.timers.cancel(f.expiry);
    if (this.failures.get(ip) === f) this.failures.delete(ip);
  }
}
