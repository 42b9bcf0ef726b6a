// Seeded fuzzing of the OIM store and RSI over real HTTPS: Store2 requests
// with a valid token and lock key whose Content, To, MessageNumber and
// attributes are replaced by random text, and RSI requests with random ids.
// Every answer is a 200 or a fault with a q0:/soap: code; never an internal
// error, a bare 500 or a hang (issue 13 item 8). FUZZ_SEED replays a run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestServer, type TestServer } from './helpers/server.js';
import { deleteMessages, getMessage, oimContent, oimFault, oimStore, rsi, rst2Tokens, storeWithChallenge } from './helpers/oim.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

describe(`fuzzing the OIM store and RSI (FUZZ_SEED=${SEED})`, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ MSNPD_SOAP_REQUEST_RATE: '0', MSNPD_OIM_MAX_PER_SENDER: '100000', MSNPD_OIM_MAX_PER_RECIPIENT: '100000' });
    await t.user('fa@example.com', 'secret');
    await t.user('fb@example.com', 'secret');
  });
  after(() => t.stop());

  test(`${RUNS} mutated Store2 and RSI requests: 200 or a readable fault, never an internal error`, async () => {
    const https = t.server.ports.https!;
    const a = await rst2Tokens(https, 'fa@example.com', 'secret');
    const b = await rst2Tokens(https, 'fb@example.com', 'secret');
    const { lockkey } = await storeWithChallenge(https, { from: 'fa@example.com', to: 'fb@example.com', ticket: a['messengersecure.live.com']!, text: 'seed' });
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.constantFrom('', '\n\n', 'Content-Transfer-Encoding: base64\n\n====', 'Content-Transfer-Encoding: quoted-printable\n\n=41', 'Content-Type: text/plain; charset=x-unknown\n\nhi', 'x'.repeat(5000), '-1', '99999999999999999999', 'fb@example.com', 'nobody@example.com', '{}', '{AAAA}'),
    );
    const field = fc.constantFrom('content', 'to', 'seq', 'appid', 'runId', 'rsi-id', 'rsi-delete');
    await fc.assert(
      fc.asyncProperty(field, text, async (f, v) => {
        let res;
        if (f === 'rsi-id') res = await rsi(https, 'GetMessage', b['messenger.msn.com']!, getMessage(v.replace(/[<&]/g, '')));
        else if (f === 'rsi-delete') res = await rsi(https, 'DeleteMessages', b['messenger.msn.com']!, deleteMessages(v.replace(/[<&]/g, '')));
        else {
          const o = { from: 'fa@example.com', to: 'fb@example.com', ticket: a['messengersecure.live.com']!, lockkey, text: 'x' };
          if (f === 'content') res = await oimStore(https, { ...o, content: v });
          else if (f === 'to') res = await oimStore(https, { ...o, to: v });
          else if (f === 'appid') res = await oimStore(https, { ...o, appid: v });
          else if (f === 'runId') res = await oimStore(https, { ...o, content: oimContent('x', v.replace(/\n/g, ''), 1) });
          else res = await oimStore(https, { ...o, seq: 1, content: oimContent('x', 'AB', 1).replace('X-OIM-Sequence-Num: 1', `X-OIM-Sequence-Num: ${v.replace(/\n/g, '')}`) });
        }
        if (res.status === 200) return;
        assert.equal(res.status, 500);
        const fault = oimFault(res);
        assert.ok(fault, `${f}=${JSON.stringify(v).slice(0, 80)}: not a SOAP fault: ${res.body.toString('utf8').slice(0, 200)}`);
        assert.match(fault.code, /^(q0:[A-Za-z]+|soap:Client)$/, `${f}=${JSON.stringify(v).slice(0, 80)}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
