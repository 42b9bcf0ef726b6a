// Single-purpose, single-use, expiring random tokens (switchboard cookies now,
// Passport tickets later). A token is bound to what it was issued for; taking
// it removes it, so it can never be used twice.
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Deadline, DeadlineHeap } from './deadline-heap.js';

interface Entry<T> {
  purpose: string;
  data: T;
  expiresAt: number;
  /** Forgets the token when it expires unused (the shared heap: no scan of every token). */
  expiry: Deadline;
}

/** `1234567890.1234567890.12345`: the shape of the original cookies, 80 random bits. */
export function newCookie(): string {
  const b = randomBytes(10);
  return `${b.readUInt32BE(0)}.${b.readUInt32BE(4)}.${b.readUInt16BE(8)}`;
}

export class TokenStore {
  private readonly entries = new Map<string, Entry<unknown>>();

  constructor(
    private readonly clock: Clock,
    private readonly timers: DeadlineHeap,
  ) {}

  /** `onExpire` runs if the token expires without being taken or revoked. */
  issue<T>(purpose: string, data: T, ttlMs: number, make: () => string = newCookie, onExpire?: (data: T, token: string) => void): string {
    let token = make();
    while (this.entries.has(token)) token = make();
    const expiresAt = this.clock.now() + ttlMs;
    const expiry = this.timers.add(expiresAt, () => {
      if (this.entries.get(token)?.expiry !== expiry) return;
      this.entries.delete(token);
      onExpire?.(data, token);
    });
    this.entries.set(token, { purpose, data, expiresAt, expiry });
    return token;
  }

  /** Returns the token's data and forgets it, if it exists, is unexpired and has this purpose. */
  take<T>(purpose: string, token: string): T | undefined {
    const e = this.entries.get(token);
    if (!e || e.purpose !== purpose) return undefined;
    this.entries.delete(token);
    this.timers.cancel(e.expiry);
    if (e.expiresAt <= this.clock.now()) return undefined;
    return e.data as T;
  }

  /** Whether an unexpired token of this purpose exists (without taking it). */
  has(purpose: string, token: string): boolean {
    const e = this.entries.get(token);
    return !!e && e.purpose === purpose && e.expiresAt > this.clock.now();
  }

  /** Forgets every token of this purpose whose data matches. */
  revoke(purpose: string, match: (data: unknown) => boolean): void {
    for (const [k, e] of this.entries) {
      if (e.purpose !== purpose || !match(e.data)) continue;
      this.entries.delete(k);
      this.timers.cancel(e.expiry);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
