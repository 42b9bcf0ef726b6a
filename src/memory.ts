// A full garbage collection on demand (operators: SIGUSR2). V8 keeps pages
// that a burst of activity used until a later major collection; compacting
// shows (and returns to the system) what the service really holds.
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

export function compactMemory(): NodeJS.MemoryUsage {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
  return process.memoryUsage();
}
