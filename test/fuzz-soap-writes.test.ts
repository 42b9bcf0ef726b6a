// Seeded fuzzing of the address-book and sharing write actions over real
// HTTPS: the write requests Pidgin 2.11 and MSNPSharp 3.2.1 really sent, with
// the text of random elements replaced (empty, huge, numbers, GUIDs, other
// roles, bad addresses). Every answer is a 200 or a SOAP fault the client can
// read; never an internal error, a bare 500 or a hang (issue 13 item 8).
// FUZZ_SEED=<n> replays a run, FUZZ_RUNS sizes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestServer, type TestServer } from './helpers/server.js';
import { ticketFor } from './helpers/tickets.js';
import { accountMaker, addToFl } from './helpers/ns.js';
import { capturedRequests, withBodyTexts, faultOf, replay, type CapturedRequest } from './helpers/soap.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);


describe(`fuzzing the SOAP write actions (FUZZ_SEED=${SEED})`, () => {
  let t: TestServer;
  const users = accountMaker(() => t, 'fzw');
  before(async () => {
    // No per-account rate here: every request should reach its action.
    t = await startTestServer({ MSNPD_SOAP_REQUEST_RATE: '0' });
  });
  after(() => t.stop());

  test(`${RUNS} mutated captured write requests: 200 or a readable fault, never InternalError`, async () => {
    const [alice, bob] = await users(2);
    const a12 = await t.login(alice!, 12);
    await addToFl(a12, bob!);
    await a12.conn.request('ADG', ['Buddies']);
    const ticket = await ticketFor(t, alice!, 'secret', 'rst');
    const view = await t.server.core.contacts.syncView((await t.server.core.accounts.get(alice!))!.id);
    const bobGuid = view.contacts.find((c) => c.email === bob)!.guid;
    const group = view.groups.find((g) => g.name === 'Buddies')!.guid;
    const reqs = capturedRequests('address-book-writes.jsonl').map((r) => ({
      ...r,
      body: r.body.replaceAll('{alice}', bob!).replaceAll('{bob}', bob!).replace(/\{guid:[a-z]+\}/g, bobGuid).replace(/\{group:[^}]+\}/g, group),
    }));
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('', '0', '-1', '2147483648', 'Allow', 'Block', 'Reverse', 'Pending', 'Owner', 'true', 'false', 'Me', 'Regular', 'Space', 'DisplayName Annotation IsMessengerUser GroupName'),
      fc.constantFrom(bobGuid, group, '00000000-0000-0000-0000-000000000000', 'Pending/' + bobGuid, 'Allow/1', 'not-a-guid', 'nobody@example.com', 'a@b', 'x'.repeat(600)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reqs), fc.array(fc.tuple(fc.nat(), value), { minLength: 1, maxLength: 4 }), async (r: CapturedRequest, edits) => {
        const sent = withBodyTexts(r.body, edits);
        const res = await replay(t, { ...r, body: sent }, ticket);
        if (res.status === 200) return;
        assert.equal(res.status, 500, `${r.client} line ${r.line}: status ${res.status}`);
        const f = faultOf(res);
        assert.ok(f, `${r.client} line ${r.line}: not a fault: ${res.body.toString('utf8').slice(0, 200)}`);
        assert.notEqual(f.errorcode, 'InternalError', `${r.client} line ${r.line}: ${sent}`);
        assert.equal(f.faultcode, 'soap:Client');
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The server still answers MSNP.
    await a12.conn.request('PNG', []).catch(() => undefined);
    assert.ok((await t.server.core.accounts.get(alice!)) !== undefined);
  });
});
