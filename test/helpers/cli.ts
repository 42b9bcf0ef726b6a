// The CLI against a running test server: a command, then proof the server applied it.
import assert from 'node:assert/strict';
import { runCli, testEnv, type TestServer } from './server.js';

/**
 * Runs the CLI command, then deletes a signed-in sentinel account with the CLI
 * and waits for the sentinel's OUT: the server applies admin events in order,
 * so the command's event has been applied by then.
 */
export async function cliApplied(t: TestServer, args: string[]): Promise<void> {
  const cli = (a: string[]) => runCli(a, testEnv(t.dir));
  const sentinel = `sentinel${Date.now()}${Math.random().toString(36).slice(2, 6)}@example.com`;
  await t.user(sentinel);
  const s = await t.login(sentinel, 7);
  const r = await cli(args);
  assert.equal(r.code, 0, r.stderr);
  const d = await cli(['user', 'delete', sentinel]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal((await s.conn.expect('OUT', 15000)).line, 'OUT');
}
