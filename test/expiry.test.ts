// Everything that expires does so from the shared deadline heap, on the
// core's (injected) clock: switchboard cookies, invitations, lonely
// conversations, Passport tickets, sign-in, partial-command and challenge
// deadlines. And whatever goes away takes its deadline with it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SbClient } from '../src/client/sb-client.js';
import type { Clock } from '../src/core/clock.js';
import { HOST, sleep, startTestServer, type TestServer } from './helpers/server.js';
import { challengedSilently } from './helpers/ns.js';

/** The server's clock, moved forward by hand. */
function shiftedClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => (offset += ms) };
}

/** Waits (generously) for a condition the server's next tick makes true. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await sleep(20);
  }
  assert.fail(`still waiting for: ${what}`);
}

async function serverWithClock(env: Record<string, string> = {}): Promise<{ t: TestServer; clock: ReturnType<typeof shiftedClock> }> {
  const clock = shiftedClock();
  const t = await startTestServer(env, undefined, { clock });
  return { t, clock };
}

/** A raw connection, resolving when the server closes it. */
function rawConnection(t: TestServer): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(t.ns, HOST, () => resolve({ socket, closed: new Promise((r) => socket.once('close', () => r())) }));
    socket.on('error', reject);
    socket.on('data', () => undefined);
  });
}

describe('expiry on the shared deadline heap (injected clock)', () => {
  test('an unused switchboard cookie expires, with its place in the account list of cookies; the heap empties when everyone leaves', async () => {
    const { t, clock } = await serverWithClock();
    const core = t.server.core;
    await t.user('x@example.com');
    const c = await t.login('x@example.com', 7);
    const r = await c.conn.request('XFR', ['SB']);
    assert.equal(core.tokens.size, 1);
    assert.equal(core.chats.pendingTickets, 1);
    clock.advance(t.config.cookieTtl * 1000 + 1000);
    await until(() => core.tokens.size === 0, 'the cookie to expire');
    assert.equal(core.chats.pendingTickets, 0);
    const sb = await SbClient.connect(HOST, t.sb);
    await assert.rejects(sb.usr('x@example.com', r.args[4]!));
    sb.conn.destroy();
    c.close();
    await until(() => core.timers.size === 0, 'no deadline left once every connection is gone');
    await t.stop();
  });

  test('an invitation nobody answers expires; then the caller, alone, is disconnected after the lonely timeout', async () => {
    const { t, clock } = await serverWithClock();
    const core = t.server.core;
    await t.user('caller@example.com');
    await t.user('callee@example.com');
    const a = await t.login('caller@example.com', 7);
    const b = await t.login('callee@example.com', 7);
    await a.conn.request('ADD', ['FL', 'callee@example.com', 'x', '0']);
    await b.conn.request('ADD', ['FL', 'caller@example.com', 'x', '0']);
    const sa = await a.openChat();
    const chatId = await sa.call('callee@example.com');
    const rng = await b.conn.expect('RNG');
    const chat = core.chats.get(chatId)!;
    assert.equal(chat.invited.size, 1);
    assert.equal(chat.lonelySince, undefined);

    clock.advance(t.config.ringTimeout * 1000 + 1000);
    await until(() => chat.invited.size === 0, 'the invitation to expire');
    assert.notEqual(chat.lonelySince, undefined, 'alone from the moment the invitation lapsed');
    const late = await SbClient.connect(HOST, t.sb);
    await assert.rejects(late.ans('callee@example.com', rng.args[3]!, chatId));
    late.conn.destroy();
    assert.equal(sa.conn.closed, false);

    clock.advance(t.config.sbLonelyTimeout * 1000 + 1000);
    await sa.conn.closedByPeer(10_000);
    await until(() => core.chats.count === 0, 'the conversation to end');
    a.close();
    b.close();
    await until(() => core.timers.size === 0, 'no deadline left once every connection is gone');
    await t.stop();
  });

  test('Passport tickets are freed when they expire', async () => {
    const { t, clock } = await serverWithClock();
    const core = t.server.core;
    await t.user('p@example.com');
    const c = await t.login('p@example.com', 8);
    assert.ok(core.tickets.size >= 1);
    c.close();
    clock.advance(t.config.ticketTtl * 1000 + 1000);
    await until(() => core.tickets.size === 0, 'the ticket to be freed');
    await until(() => core.timers.size === 0, 'no deadline left');
    await t.stop();
  });

  test('a challenge not answered by its deadline gets 540 and a close', async () => {
    const { t, clock } = await serverWithClock({ MSNPD_CHALLENGES: 'enforce', MSNPD_CHALLENGE_DELAY: '0' });
    const silent = await challengedSilently(t);
    clock.advance(t.config.challengeTimeout * 1000 + 1000);
    assert.equal((await silent.conn.expect('540', 10_000)).line, '540 0');
    await silent.conn.closedByPeer();
    await t.stop();
  });

  test('a connection that never signs in, and one whose command never finishes, are closed at their deadlines', async () => {
    const { t, clock } = await serverWithClock({ MSNPD_AUTH_TIMEOUT: '600', MSNPD_PARTIAL_TIMEOUT: '30' });
    const quiet = await rawConnection(t);
    const partial = await rawConnection(t);
    partial.socket.write('VER 1 MSNP7');
    await until(() => t.server.stats().notificationConnections === 2, 'both connections to be accepted');
    // (The partial command's deadline counts from when its bytes arrive, on the real clock: advancing now is never too early.)
    clock.advance(31_000);
    await partial.closed;
    assert.equal(quiet.socket.destroyed, false);
    clock.advance(600_000);
    await quiet.closed;
    await until(() => t.server.core.timers.size === 0, 'no deadline left');
    await t.stop();
  });
});
