// Passport tickets at the notification server (issue 5 review): bound to the
// address they were issued for without being burnt by a wrong one, single
// use and expiring on every Passport version, and revoked when the CLI
// changes the password or deletes the account while the service runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../src/core/clock.js';
import { runCli, startTestServer, testEnv, type TestServer } from './helpers/server.js';
import { signInWithTicket, ticketFor } from './helpers/tickets.js';
import { code } from './helpers/ns.js';
import { cliApplied } from './helpers/cli.js';


/** Lets a test move the server's clock forward (tickets read it when checked). */
function shiftableClock(t: TestServer): { advance(ms: number): void; restore(): void } {
  const core = t.server.core as unknown as { clock: Clock };
  const original = core.clock;
  let offset = 0;
  core.clock = { now: () => original.now() + offset };
  return {
    advance: (ms) => (offset += ms),
    restore: () => (core.clock = original),
  };
}

describe('tickets at USR TWN S', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_TICKET_TTL: '30', MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
    await t.user('owner@example.com', 'secret', 'Owner');
    await t.user('other@example.com', 'secret', 'Other');
  });
  after(() => t.stop());

  test("a ticket shown under another address: 911 and a close; its owner can still use it", async () => {
    for (const [v, method] of [[8, 'login2'], [9, 'login2'], [10, 'login2'], [11, 'login2'], [12, 'rst']] as const) {
      const ticket = await ticketFor(t, 'owner@example.com', 'secret', method);
      await assert.rejects(signInWithTicket(t.ns, 'other@example.com', ticket, v), code(911), `MSNP${v}`);
      const ok = await signInWithTicket(t.ns, 'owner@example.com', ticket, v);
      assert.equal(ok.args[1], 'OK', `MSNP${v}`);
      assert.equal(ok.args[2], 'owner@example.com');
      // Now burnt.
      await assert.rejects(signInWithTicket(t.ns, 'owner@example.com', ticket, v), code(911), `MSNP${v} replay`);
    }
  });

  for (const v of [8, 10, 11, 12]) {
    test(`MSNP${v}: a replayed ticket and an expired ticket get 911`, async () => {
      const method = v >= 12 ? 'rst' : 'login2';
      const ticket = await ticketFor(t, 'owner@example.com', 'secret', method);
      assert.equal((await signInWithTicket(t.ns, 'owner@example.com', ticket, v)).args[1], 'OK');
      await assert.rejects(signInWithTicket(t.ns, 'owner@example.com', ticket, v), code(911), 'replayed');
      const clock = shiftableClock(t);
      try {
        const late = await ticketFor(t, 'owner@example.com', 'secret', method);
        const fresh = await ticketFor(t, 'owner@example.com', 'secret', method);
        clock.advance(29_000);
        assert.equal((await signInWithTicket(t.ns, 'owner@example.com', fresh, v)).args[1], 'OK', 'still live just before the TTL');
        clock.advance(1_000);
        await assert.rejects(signInWithTicket(t.ns, 'owner@example.com', late, v), code(911), 'expired');
      } finally {
        clock.restore();
      }
    });
  }
});

describe('tickets and the CLI while the service runs', () => {
  let t: TestServer;
  const cli = (args: string[]) => runCli(args, testEnv(t.dir));
  before(async () => {
    t = await startTestServer({ MSNPD_LOGIN_FAILURES_PER_IP: '1000' });
  });
  after(() => t.stop());

  const applied = (args: string[]) => cliApplied(t, args);

  test('user passwd revokes unused tickets; a ticket for the new password works', async () => {
    await t.user('pw@example.com', 'oldpass');
    const before = [await ticketFor(t, 'pw@example.com', 'oldpass', 'login2'), await ticketFor(t, 'pw@example.com', 'oldpass', 'rst')];
    await applied(['user', 'passwd', 'pw@example.com', 'newpass']);
    await assert.rejects(signInWithTicket(t.ns, 'pw@example.com', before[0]!, 9), code(911), 'login2 ticket from before the change');
    await assert.rejects(signInWithTicket(t.ns, 'pw@example.com', before[1]!, 12), code(911), 'RST ticket from before the change');
    await assert.rejects(ticketFor(t, 'pw@example.com', 'oldpass'), code(911), 'the old password');
    const after = await ticketFor(t, 'pw@example.com', 'newpass');
    assert.equal((await signInWithTicket(t.ns, 'pw@example.com', after, 11)).args[1], 'OK');
  });

  test('user delete with a live ticket: 911, and the server goes on', async () => {
    await t.user('gone@example.com');
    await t.user('stays@example.com');
    const live = await t.login('gone@example.com', 11);
    const ticket = await ticketFor(t, 'gone@example.com', 'secret');
    const r = await cli(['user', 'delete', 'gone@example.com']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await live.conn.expect('OUT', 15000)).line, 'OUT');
    await assert.rejects(signInWithTicket(t.ns, 'gone@example.com', ticket, 11), code(911));
    const c = await t.login('stays@example.com', 12);
    c.conn.sendLine(['PNG']);
    assert.equal((await c.conn.expect('QNG')).verb, 'QNG');
  });
});

describe('a ticket of an account deleted before the service noticed', () => {
  test('USR TWN S gets 911 (not a crash or 500); the server goes on', async () => {
    // The admin feed is read at the first tick and then not for an hour: the
    // ticket is still live when it is presented, the account already gone.
    const t = await startTestServer({ MSNPD_ADMIN_POLL: '3600' });
    try {
      await t.user('early@example.com');
      await t.user('late@example.com');
      const ticket = await ticketFor(t, 'early@example.com', 'secret');
      const r = await runCli(['user', 'delete', 'early@example.com'], testEnv(t.dir));
      assert.equal(r.code, 0, r.stderr);
      for (const v of [9, 12]) await assert.rejects(signInWithTicket(t.ns, 'early@example.com', ticket, v), code(911), `MSNP${v}`);
      const c = await t.login('late@example.com', 12);
      c.conn.sendLine(['PNG']);
      assert.equal((await c.conn.expect('QNG')).verb, 'QNG');
    } finally {
      await t.stop();
    }
  });
});
