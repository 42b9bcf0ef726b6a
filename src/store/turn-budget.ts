// Keeps synchronous storage work within one turn of the event loop short.
// better-sqlite3 runs every statement synchronously, and operations queued on
// the connection (a backlog after the database was locked, a burst of
// sign-ins) would otherwise all run back to back in the same turn, through
// promise continuations, while no socket is read. Past a budget of work in
// one turn, the next operation waits for the next turn (setImmediate).
import { performance } from 'node:perf_hooks';

export class TurnBudget {
  private used = 0;
  private resetPending = false;

  constructor(private readonly budgetMs: number) {}

  /** Resolves when the caller may run more work in this turn (at once, or in a later turn). */
  async wait(): Promise<void> {
    while (this.used >= this.budgetMs) await new Promise<void>((r) => setImmediate(r));
  }

  /** Counts `ms` of synchronous work against the current turn. */
  charge(ms: number): void {
    this.used += ms;
    if (this.resetPending) return;
    this.resetPending = true;
    setImmediate(() => {
      this.used = 0;
      this.resetPending = false;
    });
  }

  /** Runs `fn` after wait(), counting the time until it settles against the turn (for work with no real I/O inside). */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.wait();
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.charge(performance.now() - t0);
    }
  }
}
