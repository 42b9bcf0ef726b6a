// The SOAP framework's refusals over real HTTPS: missing, unknown, revoked,
// expired and foreign tickets; unknown and mismatched actions; oversized,
// deep, DTD-carrying, malformed and non-SOAP bodies; plain HTTP. Each gets
// the SOAP fault (HTTP 500, soap:Fault with detail/errorcode), never a bare
// error or a hang, and the server answers the next good request. A seeded
// fuzzer mutates captured requests (FUZZ_SEED=<n> replays a run). Also:
// reading the address book never uses up the ticket's one sign-in.
import { redirectTarget } from '../src/web/soap/redirector.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RawResponse } from './helpers/https.js';
import type { Clock } from '../src/core/clock.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { signInWithTicket, ticketFor } from './helpers/tickets.js';
import { all, capturedRequests, faultOf, parseTree, replay, soapPost, withTicket } from './helpers/soap.js';
import { nestingDepth } from '../src/web/soap/envelope.js';

const AB = '/abservice/abservice.asmx';
const SHARING = '/abservice/SharingService.asmx';
const NS = 'http://www.msn.com/webservices/AddressBook';
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);

const paged = () => capturedRequests().find((r) => r.client === 'msnpsharp-3.2.1' && r.soapaction.includes('ABFindContactsPaged'))!;
const membership = () => capturedRequests().find((r) => r.client === 'pidgin-2.11' && r.soapaction.includes('FindMembership'))!;

function envelope(ticket: string, inner: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>` +
    `<ABAuthHeader xmlns="${NS}"><ManagedGroupRequest>false</ManagedGroupRequest><TicketToken>${ticket.replace(/&/g, '&amp;')}</TicketToken></ABAuthHeader>` +
    `</soap:Header><soap:Body>${inner}</soap:Body></soap:Envelope>`
  );
}

describe('SOAP faults and limits', () => {
  let t: TestServer;
  let ticket: string;
  const email = 'faults@example.com';
  before(async () => {
    t = await startTestServer();
    await t.user(email, 'secret');
    ticket = await ticketFor(t, email, 'secret', 'rst');
  });
  after(() => t.stop());

  /** The server still answers a good captured request. */
  async function stillFine(): Promise<void> {
    const res = await replay(t, paged(), ticket);
    assert.equal(res.status, 200, res.body.toString('utf8').slice(0, 300));
  }

  async function expectFault(res: RawResponse, errorcode: string, faultstring?: RegExp) {
    assert.equal(res.status, 500, res.body.toString('utf8').slice(0, 300));
    assert.match(res.header('content-type') ?? '', /^text\/xml/);
    const f = faultOf(res);
    assert.ok(f, `not a fault: ${res.body.toString('utf8').slice(0, 300)}`);
    assert.equal(f.errorcode, errorcode);
    if (faultstring) assert.match(f.faultstring, faultstring);
    await stillFine();
  }

  test('tickets: none, unknown, revoked → PassportAuthFail; the ticket stays good for its sign-in, and not for SOAP after it', async () => {
    const r = paged();
    await expectFault(await soapPost(t, { path: r.path, action: r.soapaction, body: r.body.replace('<TicketToken>{ticket}</TicketToken>', '') }), 'PassportAuthFail');
    await expectFault(await soapPost(t, { path: r.path, action: r.soapaction, body: withTicket(r, 't=nosuchticket&p=x') }), 'PassportAuthFail');
    await expectFault(await soapPost(t, { path: r.path, action: r.soapaction, body: r.body.replace('{ticket}', '') }), 'PassportAuthFail');

    // Reading the book does not burn the ticket: it still signs in (once). Once it has crossed
    // the notification connection (plain TCP) it no longer opens the address book: anyone on
    // the path may have read it there.
    const mine = await ticketFor(t, email, 'secret', 'rst');
    assert.equal((await replay(t, r, mine)).status, 200);
    assert.equal((await replay(t, r, mine)).status, 200);
    const ok = await signInWithTicket(t.ns, email, mine, 9);
    assert.match(ok.line, /^USR \d+ OK /);
    await expectFault(await replay(t, r, mine), 'PassportAuthFail');

    // A revoked ticket (password changed) is refused.
    const id = (await t.server.core.accounts.get(email))!.id;
    const doomed = await ticketFor(t, email, 'secret', 'rst');
    t.server.core.tickets.revokeAccount(id);
    ticket = await ticketFor(t, email, 'secret', 'rst');
    await expectFault(await replay(t, r, doomed), 'PassportAuthFail');
  });

  test('actions: unknown → a fault naming it; SOAPAction and body disagreeing → fault; no SOAPAction → the body decides', async () => {
    // An action the address book does not serve (ABFindByContactIds is in no client).
    const add = await soapPost(t, { path: AB, action: `${NS}/ABFindByContactIds`, body: envelope(ticket, `<ABFindByContactIds xmlns="${NS}"><abId>00000000-0000-0000-0000-000000000000</abId></ABFindByContactIds>`) });
    await expectFault(add, 'UnknownAction', /ABFindByContactIds/);
    assert.match(add.body.toString('utf8'), /<faultactor>http:\/\/www\.msn\.com\/webservices\/AddressBook\/ABFindByContactIds<\/faultactor>/);
    // FindMembership belongs to the sharing service, not the address book.
    const m = membership();
    await expectFault(await soapPost(t, { path: AB, action: m.soapaction, body: withTicket(m, ticket) }), 'UnknownAction', /FindMembership/);
    await expectFault(await soapPost(t, { path: SHARING, action: `${NS}/DeleteMember`, body: withTicket(m, ticket) }), 'BadArgument', /DeleteMember/);
    const res = await soapPost(t, { path: SHARING, body: withTicket(m, ticket) });
    assert.equal(res.status, 200);
  });

  test('bodies: oversized, deep, DTD, entity bombs, malformed, empty, not SOAP, two actions → BadArgument fault', async () => {
    const r = paged();
    const good = withTicket(r, ticket);
    const post = (body: string | Buffer) => soapPost(t, { path: r.path, action: r.soapaction, body });
    await expectFault(await post(good.replace('</soap:Body>', `<!--${'x'.repeat(100 * 1024)}--></soap:Body>`)), 'BadArgument', /larger/);
    await expectFault(await post(good.replace('<abView>', `${'<a>'.repeat(40)}${'</a>'.repeat(40)}<abView>`)), 'BadArgument', /nested/);
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>`;
    await expectFault(await post(bomb + good.replace(/^<\?xml[^>]*\?>/, '').replace('Full', '&lol2;')), 'BadArgument', /Document type/);
    await expectFault(await post(good.replace('<abView>', '<abView>&undefined;')), 'BadArgument');
    await expectFault(await post(good.slice(0, good.length - 40)), 'BadArgument', /well-formed/);
    await expectFault(await post(''), 'BadArgument');
    await expectFault(await post(Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x00])), 'BadArgument');
    await expectFault(await post('<html><body>hello</body></html>'), 'BadArgument', /envelope/);
    await expectFault(await post(good.replace('</soap:Body>', '<ABFindAll xmlns="http://www.msn.com/webservices/AddressBook"/></soap:Body>')), 'BadArgument', /exactly one/);
  });

  test('nesting is counted past a `>` or `/>` inside quoted attribute values, each scan stopping at the next <', () => {
    assert.equal(nestingDepth('<a b="/>">'.repeat(1000)), 1000);
    assert.equal(nestingDepth(`<a b='x>y'><c d="/"></c></a>`), 2);
    assert.equal(nestingDepth(`<a b='x>y'><c d="/"/></a>`), 1);
    assert.equal(nestingDepth('<a/><b></b>'), 1);
    // An unclosed quote stops at the next `<`: no tag scans to the end of a large body.
    assert.equal(nestingDepth('<a "'.repeat(20_000)), 0);
  });

  test('comments and the declaration do not count as nesting: 40 comments are fine', async () => {
    const r = paged();
    const res = await soapPost(t, { path: r.path, action: r.soapaction, body: withTicket(r, ticket).replace('<abView>', `${'<!-- c -->'.repeat(40)}<abView>`) });
    assert.equal(res.status, 200, res.body.toString('utf8').slice(0, 300));
  });

  test('plain HTTP: a fault (tickets travel only over TLS)', async () => {
    const r = paged();
    await expectFault(await soapPost(t, { path: r.path, action: r.soapaction, body: withTicket(r, ticket), plain: true }), 'BadArgument', /HTTPS/);
  });

  test(`fuzz: mutated captured requests get an answer or a fault, nothing else (seed ${SEED})`, async () => {
    console.log(`FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    const reqs = capturedRequests();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(reqs.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.oneof(fc.constantFrom('<', '>', '&', '"', '</', '<!DOCTYPE', '&amp;', '\u0000', ']]>', '<?', '<a>'), fc.string({ maxLength: 8 })), fc.nat(20)), { minLength: 1, maxLength: 4 }),
        async (i, edits) => {
          const r = reqs[i]!;
          let body = withTicket(r, ticket);
          for (const [at, insert, cut] of edits) {
            const p = Math.floor(at * body.length);
            body = body.slice(0, p) + insert + body.slice(p + cut);
          }
          const res = await soapPost(t, { host: redirectTarget(r.host) ?? r.host, path: r.path, action: r.soapaction, body });
          assert.ok(res.status === 200 || res.status === 500, `status ${res.status}`);
          assert.ok(res.header('content-length'));
          const doc = parseTree(res.body.toString('utf8'));
          assert.equal(all(doc, 'soap:Envelope/soap:Body').length, 1, res.body.toString('utf8').slice(0, 200));
          if (res.status === 500) assert.ok(faultOf(res), 'a 500 is a SOAP fault');
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    await stillFine();
  });
});

/** A server clock that moves only by hand. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe('SOAP tickets expire (injected clock)', () => {
  let t: TestServer;
  const clock = manualClock();
  before(async () => {
    t = await startTestServer({ MSNPD_TICKET_TTL: '60' }, undefined, { clock });
    await t.user('expiry@example.com', 'secret');
  });
  after(() => t.stop());

  test('a ticket past its lifetime → PassportAuthFail', async () => {
    const ticket = await ticketFor(t, 'expiry@example.com', 'secret', 'rst');
    clock.advance(59_000);
    assert.equal((await replay(t, paged(), ticket)).status, 200);
    clock.advance(2_000);
    const res = await replay(t, paged(), ticket);
    assert.equal(res.status, 500);
    assert.equal(faultOf(res)?.errorcode, 'PassportAuthFail');
  });
});

describe('SOAP request rate per account (injected clock)', () => {
  let t: TestServer;
  const clock = manualClock();
  before(async () => {
    t = await startTestServer({ MSNPD_SOAP_REQUEST_RATE: '1', MSNPD_SOAP_REQUEST_BURST: '3' }, undefined, { clock });
    await t.user('busy@example.com', 'secret');
    await t.user('calm@example.com', 'secret');
  });
  after(() => t.stop());

  test('past its burst an account gets TooManyRequests, on either service and with any of its tickets; another account is served; a second later one more', async () => {
    const busy = [await ticketFor(t, 'busy@example.com', 'secret', 'rst'), await ticketFor(t, 'busy@example.com', 'secret', 'rst')];
    const reqs = capturedRequests();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await replay(t, reqs[i]!, busy[i % 2]!)).status);
    assert.deepEqual(statuses, [200, 200, 200, 500, 500]);
    const refused = await replay(t, reqs[0]!, busy[0]!);
    assert.equal(faultOf(refused)?.errorcode, 'TooManyRequests');
    const calm = await ticketFor(t, 'calm@example.com', 'secret', 'rst');
    assert.equal((await replay(t, reqs[0]!, calm)).status, 200);
    clock.advance(1_000);
    assert.equal((await replay(t, reqs[1]!, busy[1]!)).status, 200);
    assert.equal((await replay(t, reqs[1]!, busy[1]!)).status, 500);
  });
});
