// WAL checkpoints off the service's thread. The service's connection turns
// automatic checkpoints off; a worker thread with its own connection runs a
// passive checkpoint every `intervalMs` instead.
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs: number, onError: (e: unknown) => void = () => undefined): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs } });
  worker.unref();
  let exited = false;
  let stopping: Promise<void> | undefined;
  let failed = false;
  const fail = (e: unknown) => {
    if (failed) return;
    failed = true;
    onError(e);
  };
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exit.then(() => {
    exited = true;
    // Gone without being asked: the caller must take checkpoints back.
    if (!stopping) fail(new Error('the checkpoint worker exited'));
  });
  worker.on('error', fail);
  return {
    stop: () =>
      (stopping ??= (async () => {
        if (exited) return;
        worker.once('message', () => void worker.terminate());
        worker.postMessage('stop');
        await exit;
      })()),
  };
}
