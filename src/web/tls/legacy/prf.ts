// The TLS 1.0 pseudo-random function and key derivation (RFC 2246 §5, §6.3, §8.1).
import { createHash, createHmac } from 'node:crypto';

function pHash(alg: 'md5' | 'sha1', secret: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  let a = seed;
  while (total < length) {
    a = createHmac(alg, secret).update(a).digest();
    const block = createHmac(alg, secret).update(Buffer.concat([a, seed])).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** PRF(secret, label, seed) = P_MD5(S1, label+seed) XOR P_SHA-1(S2, label+seed). */
export function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const half = Math.ceil(secret.length / 2);
  const s1 = secret.subarray(0, half);
  const s2 = secret.subarray(secret.length - half);
  const ls = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const a = pHash('md5', s1, ls, length);
  const b = pHash('sha1', s2, ls, length);
  for (let i = 0; i < length; i++) a[i]! ^= b[i]!;
  return a;
}

export function masterSecret(preMaster: Buffer, clientRandom: Buffer, serverRandom: Buffer): Buffer {
  return prf(preMaster, 'master secret', Buffer.concat([clientRandom, serverRandom]), 48);
}

export interface KeyBlock {
  clientMac: Buffer;
  serverMac: Buffer;
  clientKey: Buffer;
  serverKey: Buffer;
  clientIv: Buffer;
  serverIv: Buffer;
}

export function keyBlock(master: Buffer, clientRandom: Buffer, serverRandom: Buffer, macLength: number, keyLength: number, ivLength: number): KeyBlock {
  const kb = prf(master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 2 * (macLength + keyLength + ivLength));
  let p = 0;
  const take = (n: number) => {
    const b = kb.subarray(p, p + n);
    p += n;
    return Buffer.from(b);
  };
  return {
    clientMac: take(macLength),
    serverMac: take(macLength),
    clientKey: take(keyLength),
    serverKey: take(keyLength),
    clientIv: take(ivLength),
    serverIv: take(ivLength),
  };
}

/** Finished verify_data: PRF(master, label, MD5(handshake) + SHA-1(handshake))[0..12]. */
export function finishedData(master: Buffer, label: 'client finished' | 'server finished', handshake: Buffer): Buffer {
  const seed = Buffer.concat([createHash('md5').update(handshake).digest(), createHash('sha1').update(handshake).digest()]);
  return prf(master, label, seed, 12);
}
