// The RSA key exchange's pre-master secret, with the countermeasure against
// Bleichenbacher's attack (RFC 2246 §7.4.7.1): whatever is wrong with the
// decrypted block, the handshake carries on with a random secret and fails
// later at Finished, the same way as with a wrong key. Node no longer offers
// PKCS#1 v1.5 decryption (CVE-2023-46809), so the block is checked here.
import { constants, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';

export function decryptPreMaster(key: KeyObject, modulusBytes: number, encrypted: Buffer, clientVersion: number): Buffer {
  const fallback = randomBytes(48);
  fallback.writeUInt16BE(clientVersion, 0);
  if (encrypted.length !== modulusBytes) return fallback;
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encrypted);
  } catch {
    return fallback;
  }
  // EM = 0x00 0x02 PS (at least 8 non-zero bytes) 0x00 M, with M 48 bytes long.
  const k = em.length;
  let good = em[0] === 0 && em[1] === 2 ? 1 : 0;
  const sep = k - 48 - 1;
  if (sep < 10 || em[sep] !== 0) good = 0;
  for (let i = 2; i < sep; i++) if (em[i] === 0) good = 0;
  const m = em.subarray(k - 48);
  if (m.readUInt16BE(0) !== clientVersion) good = 0;
  return good ? Buffer.from(m) : fallback;
}

/** The client's side (the test client and the bench): a fresh pre-master secret and its PKCS#1 v1.5 encryption. */
export function encryptPreMaster(serverKey: KeyObject, clientVersion: number): { preMaster: Buffer; encrypted: Buffer } {
  const preMaster = randomBytes(48);
  preMaster.writeUInt16BE(clientVersion, 0);
  return { preMaster, encrypted: publicEncrypt({ key: serverKey, padding: constants.RSA_PKCS1_PADDING }, preMaster) };
}
