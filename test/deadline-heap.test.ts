// The shared deadline heap: order, ties, cancellation, rescheduling, what a
// callback may do during a run, and a seeded comparison with a plain model.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DeadlineHeap, type Deadline } from '../src/core/deadline-heap.js';

describe('deadline heap', () => {
  test('fires what is due, earliest first, equal deadlines in the order they were set; nothing early', () => {
    const h = new DeadlineHeap();
    const fired: string[] = [];
    for (const [name, at] of [['c', 30], ['a', 10], ['b1', 20], ['d', 40], ['b2', 20], ['b3', 20]] as const) h.add(at, () => fired.push(name));
    assert.equal(h.next, 10);
    assert.equal(h.runDue(9), 0);
    assert.deepEqual(fired, []);
    assert.equal(h.runDue(20), 4);
    assert.deepEqual(fired, ['a', 'b1', 'b2', 'b3']);
    assert.equal(h.size, 2);
    h.runDue(1000);
    assert.deepEqual(fired, ['a', 'b1', 'b2', 'b3', 'c', 'd']);
    assert.equal(h.size, 0);
    assert.equal(h.next, undefined);
  });

  test('a cancelled deadline never fires; cancelling twice or after firing does nothing', () => {
    const h = new DeadlineHeap();
    const fired: number[] = [];
    const ds = [5, 1, 4, 2, 3].map((at) => h.add(at, () => fired.push(at)));
    h.cancel(ds[2]!);
    h.cancel(ds[2]!);
    assert.equal(ds[2]!.scheduled, false);
    h.runDue(10);
    assert.deepEqual(fired, [1, 2, 3, 5]);
    h.cancel(ds[0]!);
    assert.equal(h.size, 0);
  });

  test('rescheduling moves a deadline either way; scheduleBy only ever brings it forward', () => {
    const h = new DeadlineHeap();
    const fired: string[] = [];
    const a = h.add(10, () => fired.push('a'));
    const b = h.add(20, () => fired.push('b'));
    h.schedule(a, 30);
    h.scheduleBy(b, 25);
    assert.equal(b.at, 20);
    h.scheduleBy(b, 5);
    assert.equal(b.at, 5);
    h.runDue(29);
    assert.deepEqual(fired, ['b']);
    // A fired deadline can be set again.
    h.schedule(b, 31);
    h.runDue(100);
    assert.deepEqual(fired, ['b', 'a', 'b']);
  });

  test('during a run: a callback can cancel another due one; what it schedules for now waits for the next run', () => {
    const h = new DeadlineHeap();
    const fired: string[] = [];
    let again: Deadline | undefined;
    let second: Deadline;
    h.add(1, (now) => {
      fired.push('first');
      h.cancel(second);
      again = h.add(now, () => fired.push('again'));
    });
    second = h.add(1, () => fired.push('second'));
    const self: Deadline = h.add(1, (now) => {
      fired.push('self');
      h.schedule(self, now);
    });
    assert.equal(h.runDue(1), 2);
    assert.deepEqual(fired, ['first', 'self']);
    assert.ok(again?.scheduled);
    h.runDue(1);
    assert.deepEqual(fired, ['first', 'self', 'again', 'self']);
  });

  test('a callback that throws is reported and the others still fire', () => {
    const errors: unknown[] = [];
    const h = new DeadlineHeap((e) => errors.push(e));
    const fired: number[] = [];
    h.add(1, () => {
      throw new Error('boom');
    });
    h.add(2, () => fired.push(2));
    h.runDue(5);
    assert.deepEqual(fired, [2]);
    assert.equal(errors.length, 1);
  });

  test('seeded random operations fire exactly what a sorted list would (FUZZ_SEED replays)', () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), at: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('cancel' as const), i: fc.nat(60) }),
      fc.record({ kind: fc.constant('move' as const), i: fc.nat(60), at: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('run' as const), step: fc.integer({ min: 0, max: 40 }) }),
    );
    try {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
          const h = new DeadlineHeap();
          const handles: Deadline[] = [];
          // The model: id -> [at, seq] while scheduled.
          const model = new Map<number, [number, number]>();
          let seq = 0;
          let now = 0;
          const fired: number[] = [];
          for (const o of ops) {
            if (o.kind === 'add') {
              const id = handles.length;
              handles.push(h.add(o.at, () => fired.push(id)));
              model.set(id, [o.at, ++seq]);
            } else if (o.kind === 'cancel' && handles.length > 0) {
              const id = o.i % handles.length;
              h.cancel(handles[id]!);
              model.delete(id);
            } else if (o.kind === 'move' && handles.length > 0) {
              const id = o.i % handles.length;
              h.schedule(handles[id]!, o.at);
              model.set(id, [o.at, ++seq]);
            } else if (o.kind === 'run') {
              now += o.step;
              const due = [...model].filter(([, [at]]) => at <= now).sort(([, x], [, y]) => x[0] - y[0] || x[1] - y[1]).map(([id]) => id);
              for (const id of due) model.delete(id);
              fired.length = 0;
              h.runDue(now);
              assert.deepEqual(fired, due);
            }
            assert.equal(h.size, model.size);
          }
        }),
        { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
      );
    } catch (e) {
      throw new Error(`FUZZ_SEED=${seed}: ${(e as Error).message}`);
    }
  });
});
