// Requests per account on the SOAP services: a token bucket each, shared by
// every ticket of the account (a ticket is one sign-in; an account holds at
// most 16), forgotten once full again.

/** How often full buckets are dropped. */
const SWEEP_EVERY_MS = 60_000;

export class AccountRate {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();
  private nextSweep = 0;

  constructor(
    /** Requests per second on average (0: no limit)... */
    private readonly rate: number,
    /** ...and at most this many at once. */
    private readonly burst: number,
  ) {}

  /** Counts one request; false if the account is over its rate. */
  take(accountId: number, now: number): boolean {
    if (this.rate <= 0) return true;
    this.sweep(now);
    let b = this.buckets.get(accountId);
    if (!b) this.buckets.set(accountId, (b = { tokens: this.burst, at: now }));
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
    for (const [id, b] of this.buckets) if (b.tokens + ((now - b.at) * this.rate) / 1000 >= this.burst) this.buckets.delete(id);
  }
}
