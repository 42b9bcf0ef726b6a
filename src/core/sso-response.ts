// The MSNP15+ single sign-on challenge response ("MBI"): the client proves it
// holds the proof key (the BinarySecret of its messengerclear.live.com token)
// by answering the nonce of `USR t SSO S <policy> <nonce>` with a 128-byte
// blob. Pure functions: the notification server issues the nonce, keeps it,
// and calls verifySsoResponse on `USR t SSO S <ticket> <response>`.
// Algorithm: /work/shared/protocol/services.md §3.3; vectors: vectors.md §4.
import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const HASH_LABEL = 'WS-SecureConversationSESSION KEY HASH';
const ENCRYPTION_LABEL = 'WS-SecureConversationSESSION KEY ENCRYPTION';

/** The header's seven little-endian words before the cipher length (services.md §3.3 step 5). */
const HEADER_SIZE = 28;
const CRYPT_MODE_CBC = 1;
const CALG_3DES = 0x6603;
const CALG_SHA1 = 0x8004;
const IV_LENGTH = 8;
const HASH_LENGTH = 20;

/** Nonce length: the clients hard-code the 72-byte cipher block it gives (client-quirks.md "RST and RST2"). */
export const SSO_NONCE_LENGTH = 64;
/** Length of the base64 answer to a 64-character nonce: 28 + 8 + 20 + 72 = 128 bytes. */
export const SSO_RESPONSE_LENGTH = 172;

const hmac = (key: Buffer, data: Buffer) => createHmac('sha1', key).update(data).digest();

/** The WS-SecureConversation key derivation: HMAC-SHA1 chain, 24 bytes (services.md §3.3 step 1). */
export function deriveSsoKey(key: Buffer, label: string): Buffer {
  const l = Buffer.from(label, 'ascii');
  const h1 = hmac(key, l);
  const h2 = hmac(key, Buffer.concat([h1, l]));
  const h3 = hmac(key, h1);
  const h4 = hmac(key, Buffer.concat([h3, l]));
  return Buffer.concat([h2, h4.subarray(0, 4)]);
}

/** The two keys derived from the proof key: one for the HMAC, one for 3DES. */
export function ssoKeys(proofKey: Buffer): { hashKey: Buffer; encryptionKey: Buffer } {
  return { hashKey: deriveSsoKey(proofKey, HASH_LABEL), encryptionKey: deriveSsoKey(proofKey, ENCRYPTION_LABEL) };
}

/** The raw blob for this proof key, nonce (taken as ASCII text, never decoded) and IV. */
export function ssoResponseBlob(proofKey: Buffer, nonce: string, iv: Buffer): Buffer {
  if (iv.length !== IV_LENGTH) throw new RangeError(`the IV is ${IV_LENGTH} bytes`);
  const { hashKey, encryptionKey } = ssoKeys(proofKey);
  const plain = Buffer.from(nonce, 'ascii');
  const hash = hmac(hashKey, plain);
  // PKCS#5 padding (Node's default): eight 0x08 bytes for a 64-byte nonce.
  const c = createCipheriv('des-ede3-cbc', encryptionKey, iv);
  const cipher = Buffer.concat([c.update(plain), c.final()]);
  const header = Buffer.alloc(HEADER_SIZE);
  [HEADER_SIZE, CRYPT_MODE_CBC, CALG_3DES, CALG_SHA1, IV_LENGTH, HASH_LENGTH, cipher.length].forEach((w, i) => header.writeUInt32LE(w, i * 4));
  return Buffer.concat([header, iv, hash, cipher]);
}

/** What a client answers: base64 of the blob (random IV unless given). */
export function computeSsoResponse(proofKey: Buffer, nonce: string, iv: Buffer = randomBytes(IV_LENGTH)): string {
  return ssoResponseBlob(proofKey, nonce, iv).toString('base64');
}

export type ParsedSsoResponse = { ok: true; iv: Buffer; hash: Buffer; cipher: Buffer } | { ok: false; reason: string };

/** Splits a client's answer, checking the base64 and the six fixed header words and the lengths. */
export function parseSsoResponse(response: string): ParsedSsoResponse {
  // Strict base64: a lenient decoder would accept many spellings of one blob.
  if (response.length > 1024 || response.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(response)) return { ok: false, reason: 'not base64' };
  const blob = Buffer.from(response, 'base64');
  if (blob.toString('base64') !== response) return { ok: false, reason: 'not canonical base64' };
  if (blob.length < HEADER_SIZE) return { ok: false, reason: 'shorter than its header' };
  const w = (i: number) => blob.readUInt32LE(i * 4);
  const fixed = [HEADER_SIZE, CRYPT_MODE_CBC, CALG_3DES, CALG_SHA1, IV_LENGTH, HASH_LENGTH];
  if (fixed.some((v, i) => w(i) !== v)) return { ok: false, reason: 'unexpected header words' };
  const cipherLength = w(6);
  if (cipherLength === 0 || cipherLength % 8 !== 0 || blob.length !== HEADER_SIZE + IV_LENGTH + HASH_LENGTH + cipherLength) return { ok: false, reason: 'lengths do not add up' };
  const ivAt = HEADER_SIZE;
  const hashAt = ivAt + IV_LENGTH;
  const cipherAt = hashAt + HASH_LENGTH;
  return { ok: true, iv: blob.subarray(ivAt, hashAt), hash: blob.subarray(hashAt, cipherAt), cipher: blob.subarray(cipherAt) };
}

/**
 * Whether `response` answers `nonce` under `proofKey`: recomputes the hash
 * and the cipher with the client's IV and compares the whole blob in
 * constant time.
 */
export function verifySsoResponse(proofKey: Buffer, nonce: string, response: string): boolean {
  const p = parseSsoResponse(response);
  if (!p.ok) return false;
  const expected = ssoResponseBlob(proofKey, nonce, Buffer.from(p.iv));
  const got = Buffer.from(response, 'base64');
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** A fresh nonce for `USR t SSO S <policy> <nonce>`: 64 base64 characters (48 random bytes). */
export function newSsoNonce(): string {
  return randomBytes(48).toString('base64');
}
