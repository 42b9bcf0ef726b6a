// One shared timer structure for everything that expires: sessions (sign-in,
// idle, partial command and challenge deadlines), switchboard cookies,
// invitations, lonely conversations, Passport tickets, sign-in failure
// windows. A binary min-heap keyed on the deadline: the periodic tick pops
// only what is due (O(due * log n)), instead of scanning everything that
// exists. No per-connection setTimeout (DECISIONS: idle memory per session).
// Times come from the caller (core.clock), so injected clocks keep working.

/** An object that handles its own deadline (a session: no closure per connection). */
export interface DeadlineTarget {
  onDeadline(now: number): void;
}

/** A scheduled callback; reschedule or cancel it through its heap. */
export class Deadline {
  /** When it is due (ms, on the clock the heap is run with). */
  at = 0;
  /** Position in the heap; -1 when not scheduled; POPPED while due in the current run. */
  index = -1;
  /** Tie-break: equal deadlines fire in the order they were scheduled. */
  seq = 0;

  constructor(readonly target: ((now: number) => void) | DeadlineTarget) {}

  fire(now: number): void {
    const t = this.target;
    if (typeof t === 'function') t(now);
    else t.onDeadline(now);
  }

  get scheduled(): boolean {
    return this.index !== -1;
  }
}

const POPPED = -2;

export class DeadlineHeap {
  private readonly items: Deadline[] = [];
  private seq = 0;

  constructor(private readonly onError: (e: unknown) => void = () => undefined) {}

  get size(): number {
    return this.items.length;
  }

  /** The earliest deadline, if any. */
  get next(): number | undefined {
    return this.items[0]?.at;
  }

  /** A new deadline at `at`. */
  add(at: number, fire: (now: number) => void): Deadline {
    const d = new Deadline(fire);
    this.schedule(d, at);
    return d;
  }

  /** (Re)schedules `d` at `at`, whether or not it is scheduled now. */
  schedule(d: Deadline, at: number): void {
    d.at = at;
    d.seq = ++this.seq;
    if (d.index >= 0) {
      this.fix(d.index);
      return;
    }
    d.index = this.items.length;
    this.items.push(d);
    this.up(d.index);
  }

  /** Moves `d` earlier only: if it is not scheduled or due later than `at`. */
  scheduleBy(d: Deadline, at: number): void {
    if (d.index < 0 || at < d.at) this.schedule(d, at);
  }

  cancel(d: Deadline): void {
    const i = d.index;
    if (i === POPPED) d.index = -1;
    if (i < 0) return;
    d.index = -1;
    const last = this.items.pop()!;
    if (last !== d) {
      this.items[i] = last;
      last.index = i;
      this.fix(i);
    }
  }

  /**
   * Fires every deadline due at `now` (at <= now), earliest first. What the
   * callbacks schedule for `now` or earlier waits for the next run, so a
   * callback that reschedules itself cannot loop. Returns how many fired.
   */
  runDue(now: number): number {
    const due: Deadline[] = [];
    while (this.items.length > 0 && this.items[0]!.at <= now) {
      const d = this.items[0]!;
      this.cancel(d);
      d.index = POPPED;
      due.push(d);
    }
    let fired = 0;
    for (const d of due) {
      // Cancelled or rescheduled by an earlier callback of this run.
      if (d.index !== POPPED) continue;
      d.index = -1;
      fired++;
      try {
        d.fire(now);
      } catch (e) {
        this.onError(e);
      }
    }
    return fired;
  }

  private less(a: Deadline, b: Deadline): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private fix(i: number): void {
    if (i > 0 && this.less(this.items[i]!, this.items[(i - 1) >> 1]!)) this.up(i);
    else this.down(i);
  }

  private up(i: number): void {
    const items = this.items;
    const d = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!this.less(d, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = p;
    }
    items[i] = d;
    d.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const d = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r]!, items[l]!) ? r : l;
      if (!this.less(items[c]!, d)) break;
      items[i] = items[c]!;
      items[i]!.index = i;
      i = c;
    }
    items[i] = d;
    d.index = i;
  }
}
