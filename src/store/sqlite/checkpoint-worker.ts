// Runs in a worker thread (see checkpointer.ts): copies the WAL back into the
// database file with its own connection, so the service's thread never does
// that I/O itself (a checkpoint of SQLite's default 1,000 pages takes tens of
// ms, and whichever connection commits past that size would run it).
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
// This thread may wait: nobody's connection is waiting on it.
db.pragma('busy_timeout = 1000');
db.pragma('wal_autocheckpoint = 0');

const timer = setInterval(() => {
  try {
    // PASSIVE: copies what no reader still needs, never waits for readers or writers.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next round tries again.
  }
}, intervalMs);

parentPort!.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // as above
  }
  db.close();
  parentPort!.postMessage('stopped');
});
