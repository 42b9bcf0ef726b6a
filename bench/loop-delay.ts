// Preloaded into the benchmarked msnpd (`node --import`), never part of the
// service: measures how late the event loop runs. On SIGHUP it prints one
// line with the figures since the previous SIGHUP, then starts a new window.
// Being a preload, it measures any msnpd build the same way (before/after).
//
// Two measures: perf_hooks' monitorEventLoopDelay (wall clock: includes the
// time the OS left the process waiting for a CPU, which on a loaded machine
// can dwarf everything else), and the same lateness minus the time the main
// thread spent runnable but not running (Linux schedstat): what is left is
// msnpd's own doing, whether it computed or slept (SQLite's busy handler
// sleeps), which is what a stall from storage or housekeeping looks like.
import fs from 'node:fs';
import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';

const RESOLUTION_MS = 5;
const wall = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
wall.enable();

/** Nanoseconds the main thread has waited on a run queue (the preload's timers run on it). */
function runQueueWaitNs(): number {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
}

const own = createHistogram();
let lastAt = performance.now();
let lastWait = runQueueWaitNs();
setInterval(() => {
  const now = performance.now();
  const waited = runQueueWaitNs();
  const late = now - lastAt - RESOLUTION_MS;
  const ours = late - (waited - lastWait) / 1e6;
  if (Number.isFinite(ours)) own.record(Math.max(1, Math.round(ours * 1000)));
  lastAt = now;
  lastWait = waited;
}, RESOLUTION_MS).unref();

const ms = (ns: number) => Math.round(ns / 1e4) / 100;
const msFromUs = (us: number) => Math.round(us / 10) / 100;

process.on('SIGHUP', () => {
  const report = {
    maxMs: ms(wall.max),
    p99Ms: ms(wall.percentile(99)),
    p50Ms: ms(wall.percentile(50)),
    ownMaxMs: msFromUs(own.max),
    ownP99Ms: msFromUs(own.percentile(99)),
    samples: wall.count,
    resolutionMs: RESOLUTION_MS,
  };
  fs.writeSync(1, `loop-delay ${JSON.stringify(report)}\n`);
  wall.reset();
  own.reset();
});
