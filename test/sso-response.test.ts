// The MSNP15+ SSO challenge response (MBI) against every vector of
// ../shared/protocol/vectors.md §4, and a seeded property check of the
// verifier (FUZZ_SEED=<n> replays a run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  computeSsoResponse,
  newSsoNonce,
  parseSsoResponse,
  SSO_NONCE_LENGTH,
  SSO_RESPONSE_LENGTH,
  ssoKeys,
  ssoResponseBlob,
  verifySsoResponse,
} from '../src/core/sso-response.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

interface Vector {
  name: string;
  secret: string;
  nonce: string;
  iv: string;
  key2: string;
  key3: string;
  hash: string;
  cipher?: string;
  header?: string;
  blob: string;
}

const VECTORS: Vector[] = [
  {
    name: 'A',
    secret: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYX',
    nonce: 'E4Fhehbe0q2Je+SUSp7IRnJV+rN4uME75ljIpUjIZ1Si+DgmrfuiIL+AFmkMA6Wv',
    iv: '0102030405060708',
    key2: '06af2ac1f46df3fde6e65fef60a13bd21eabb69f09a542c0',
    key3: '2dd0114b936beb17cc1d7fa10191010bb4b7b487404c43e3',
    hash: '52ede1e9090efc372429a101d5aa010231b30b9a',
    cipher:
      '18c78b36238cd9e0ee64ab93c0dafc252a84292d9ade5bac93a7e1ab3f35bcacecb5a00d0cbc7fcf332a846daaac7745cb010ef4a0fd68499a1d173bdcc3308871611508b6180143',
    header: '1c000000010000000366000004800000080000001400000048000000',
    blob: 'HAAAAAEAAAADZgAABIAAAAgAAAAUAAAASAAAAAECAwQFBgcIUu3h6QkO/DckKaEB1aoBAjGzC5oYx4s2I4zZ4O5kq5PA2vwlKoQpLZreW6yTp+GrPzW8rOy1oA0MvH/PMyqEbaqsd0XLAQ70oP1oSZodFzvcwzCIcWEVCLYYAUM=',
  },
  {
    name: 'B',
    secret: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    nonce: 'A'.repeat(64),
    iv: '0000000000000000',
    key2: '51fecc58efdcf0b3a156dd7fb63b2b35525abb6e44fb28bc',
    key3: '5fb82627f21ddea543ca19997f4ad06e16aa09a623b78152',
    hash: '5eae93a39f938396b2ee1a82b5732ddff77afdef',
    blob: 'HAAAAAEAAAADZgAABIAAAAgAAAAUAAAASAAAAAAAAAAAAAAAXq6To5+Tg5ay7hqCtXMt3/d6/e+JohyYcK5l5MJSitab33scxJeK/RQXcUr0L+R2ZA9CEAzn0izmUzSMp2LZdxSbHtnuxCmptgtoSXtTEz+tzTcpU4ERtT9vq8w=',
  },
];

for (const v of VECTORS) {
  test(`vector ${v.name}: keys, hash, cipher, header and blob`, () => {
    const secret = Buffer.from(v.secret, 'base64');
    assert.equal(secret.length, 24);
    const { hashKey, encryptionKey } = ssoKeys(secret);
    assert.equal(hashKey.toString('hex'), v.key2, 'key2');
    assert.equal(encryptionKey.toString('hex'), v.key3, 'key3');
    const blob = ssoResponseBlob(secret, v.nonce, Buffer.from(v.iv, 'hex'));
    assert.equal(blob.length, 128);
    if (v.header) assert.equal(blob.subarray(0, 28).toString('hex'), v.header, 'header');
    assert.equal(blob.subarray(28, 36).toString('hex'), v.iv, 'iv');
    assert.equal(blob.subarray(36, 56).toString('hex'), v.hash, 'hash');
    if (v.cipher) assert.equal(blob.subarray(56).toString('hex'), v.cipher, 'cipher');
    assert.equal(computeSsoResponse(secret, v.nonce, Buffer.from(v.iv, 'hex')), v.blob, 'base64 blob');
    assert.equal(v.blob.length, SSO_RESPONSE_LENGTH);
    // The verifier accepts the published answer, with the key and nonce it was made for only.
    assert.ok(verifySsoResponse(secret, v.nonce, v.blob));
    assert.ok(!verifySsoResponse(Buffer.alloc(24, 0x55), v.nonce, v.blob), 'another key');
    assert.ok(!verifySsoResponse(secret, v.nonce.slice(1) + 'x', v.blob), 'another nonce');
  });
}

test('answers start with the header every client sends (msnpiki MSNP15:SSO prefix)', () => {
  const r = computeSsoResponse(Buffer.alloc(24, 7), newSsoNonce());
  assert.ok(r.startsWith('HAAAAAEAAAADZgAABIAAAAgAAAAUAAAASAAAA'), r);
  assert.equal(r.length, SSO_RESPONSE_LENGTH);
});

test('nonces are 64 ASCII characters and differ', () => {
  const a = newSsoNonce();
  assert.equal(a.length, SSO_NONCE_LENGTH);
  assert.match(a, /^[A-Za-z0-9+/]{64}$/);
  assert.notEqual(a, newSsoNonce());
});

test('malformed answers are refused with a reason, never thrown', () => {
  const good = VECTORS[0]!.blob;
  const blob = Buffer.from(good, 'base64');
  const withWord = (i: number, v: number) => {
    const b = Buffer.from(blob);
    b.writeUInt32LE(v, i * 4);
    return b.toString('base64');
  };
  const cases: [string, string][] = [
    ['', 'empty'],
    ['not base64!', 'not base64'],
    [good.slice(0, -4), 'truncated'],
    [good + 'AAAA', 'trailing bytes'],
    [good.replace(/=$/, 'A'), 'non-canonical padding'],
    [withWord(0, 29), 'header size'],
    [withWord(2, 0x6610), 'algorithm'],
    [withWord(4, 16), 'iv length'],
    [withWord(6, 64), 'cipher length'],
    ['A'.repeat(4096), 'huge'],
  ];
  const secret = Buffer.from(VECTORS[0]!.secret, 'base64');
  for (const [r, what] of cases) {
    assert.equal(parseSsoResponse(r).ok, false, what);
    assert.equal(verifySsoResponse(secret, VECTORS[0]!.nonce, r), false, what);
  }
  assert.equal(parseSsoResponse(good).ok, true);
});

test(`property: an answer verifies for its key and nonce, and no single changed byte does (seed ${SEED})`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat(127), fc.integer({ min: 1, max: 255 }), (key, iv, at, delta) => {
      const secret = Buffer.from(key);
      const nonce = Buffer.from(key).toString('base64').repeat(2).padEnd(64, 'x').slice(0, 64);
      const answer = computeSsoResponse(secret, nonce, Buffer.from(iv));
      if (!verifySsoResponse(secret, nonce, answer)) return false;
      const b = Buffer.from(answer, 'base64');
      b[at] = (b[at]! + delta) & 0xff;
      return !verifySsoResponse(secret, nonce, b.toString('base64'));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('USR SSO S arguments as MSNPSharp 3.2.1 and Pidgin 2.11 sent them (captures)', async () => {
  const { parseSsoSignIn } = await import('../src/msnp/ns/sso-sign-in.js');
  const { normaliseGuid: normaliseMachineGuid } = await import('../src/msnp/endpoint-guid.js');
  const key = Buffer.from(VECTORS[0]!.secret, 'base64');
  const nonce = newSsoNonce();
  const response = computeSsoResponse(key, nonce);
  const ticket = 't=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&p=BBBB';
  // `USR 4 SSO S {ticket} {mbi-response} {99e0c157-…}` (MSNPSharp) and `… B5929066-…` (Pidgin).
  for (const [guid, want] of [
    ['{99e0c157-5658-4eea-ab70-c308835176c7}', '{99e0c157-5658-4eea-ab70-c308835176c7}'],
    ['B5929066-5AAA-7E8D-3743-789D4C532D70', '{b5929066-5aaa-7e8d-3743-789d4c532d70}'],
    [undefined, undefined],
  ] as const) {
    const args = parseSsoSignIn(guid === undefined ? [ticket, response] : [ticket, response, guid]);
    assert.ok(args, String(guid));
    assert.equal(args.machineGuid, want);
    assert.equal(args.ticket, ticket);
    assert.ok(verifySsoResponse(key, nonce, args.response));
  }
  for (const bad of [[ticket], [ticket, response, '{not-a-guid}'], ['p=only', response], [ticket, response, 'x', 'y'], [ticket, response, '{99e0c157-5658-4eea-ab70-c308835176c7']]) {
    assert.equal(parseSsoSignIn(bad), undefined, bad.join(' '));
  }
  assert.equal(normaliseMachineGuid('99e0c157-5658-4eea-ab70-c308835176c7}'), undefined);
});
