// Waiting for another process's write lock without blocking the event loop.
// better-sqlite3 waits synchronously (busy_timeout), which would freeze every
// connection of the service; so the service's connection waits only a few ms
// there, and on SQLITE_BUSY the attempt is retried after a timer, letting
// other work run meanwhile, until an overall deadline.
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreBusyError } from '../store.js';

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, _SNAPSHOT, _TIMEOUT). */
export function isBusy(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

const FIRST_DELAY_MS = 2;
const MAX_DELAY_MS = 50;

/**
 * Runs `attempt` until it does not fail with SQLITE_BUSY, sleeping (on a
 * timer, never synchronously) between tries with exponential backoff. Past
 * `deadlineMs` (real time) it throws StoreBusyError; 0 means no retries.
 * `attempt` must have done nothing when it reports busy. `onBusy` hears of
 * the first busy answer (logs, tests). `start`: when the caller began waiting.
 */
export async function retryWhileBusy<T>(attempt: () => Promise<T>, deadlineMs: number, onBusy?: () => void, start = Date.now()): Promise<T> {
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (delay === FIRST_DELAY_MS) onBusy?.();
      const waited = Date.now() - start;
      if (waited >= deadlineMs) throw new StoreBusyError(`the database stayed locked by another process for ${waited} ms`);
      await sleep(Math.min(delay, deadlineMs - waited));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
