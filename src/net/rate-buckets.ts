// Requests per key (an address, an account): a token bucket each, refilled at
// `rate` per second up to `burst`, forgotten once full again so memory stays
// bounded by the keys active lately. Full buckets are looked for at most once
// a minute (a scan proportional to the active keys, not to requests).

const SWEEP_EVERY_MS = 60_000;

export class RateBuckets<K> {
  private readonly buckets = new Map<K, { tokens: number; at: number }>();
  private nextSweep = 0;

  constructor(
    /** Requests per second on average (0: no limit)... */
    private readonly rate: number,
    /** ...and at most this many at once. */
    private readonly burst: number,
  ) {}

  /** Counts one request; false if the key is over its rate. */
  take(key: K, now: number): boolean {
    if (this.rate <= 0) return true;
    this.sweep(now);
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

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) * this.rate) / 1000 >= this.burst) this.buckets.delete(k);
  }
}
