// `lastChange` times for an account's address book and memberships. The core
// counts changes (the list version, bumped by every change to any of the
// account's lists or groups) but keeps no times; this gives each list version
// the time this process first rendered it, strictly later than the version
// before (COMPAT: MSNPSharp 3.2.1 takes a list only when its LastChange is
// strictly later than the one it holds, client-quirks.md). Versions rendered
// before a restart get a new, later time: clients then fetch the whole list
// once more, which is correct, only not minimal.
import { TICKS_PER_MS, type Ticks } from './xml.js';

/** Accounts remembered; past this the least recently rendered is forgotten (it then just looks changed). */
const MAX_ACCOUNTS = 100_000;

export class ChangeClock {
  private readonly seen = new Map<number, { version: number; at: Ticks }>();

  constructor(private readonly now: () => number) {}

  /** The time of `version` of the account's lists. */
  at(accountId: number, version: number): Ticks {
    const s = this.seen.get(accountId);
    this.seen.delete(accountId);
    let at: Ticks;
    if (s && s.version === version) at = s.at;
    else {
      const now = BigInt(this.now()) * TICKS_PER_MS;
      at = s && s.at >= now ? s.at + 1n : now;
    }
    this.seen.set(accountId, { version, at });
    if (this.seen.size > MAX_ACCOUNTS) this.seen.delete(this.seen.keys().next().value!);
    return at;
  }
}
