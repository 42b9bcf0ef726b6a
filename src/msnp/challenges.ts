// CHL/QRY: the server's challenge and the client's answer (MSNP6+).
// MSNP6-10 answer MD5(challenge || product key); MSNP11+ use the "lock and
// key" algorithm. The key is chosen by the product id the client presents,
// not by dialect (client-quirks.md). Vectors: ../shared/protocol/vectors.md §2-3.
import { createHash, randomInt } from 'node:crypto';

/** Product id -> product key (versions.md §2d). */
export const PRODUCT_KEYS: ReadonlyMap<string, string> = new Map([
  ['msmsgs@msnmsgr.com', 'Q1P7W2E4J9R8U3S5'],
  ['PROD0038W!61ZTF9', 'VT6PX?UQTM4WM%YR'],
  ['PROD0058#7IL2{QD', 'QHDCY@7R1TB6W?5B'],
  ['PROD0061VRRZH@4F', 'JXQ6J@TUOGYV@N0M'],
  ['PROD00504RLUG%WL', 'I2EBK%PYNLZL5_J4'],
  ['PROD0076ENE8*@AW', 'CEQJ8}OE0!WTSWII'],
  ['PROD0090YUAUV{2B', 'YMM8C_H7KCQ2S_KL'],
  ['PROD0101{0RM?UBW', 'CFHUR$52U_{VIX5T'],
  ['PROD00974#MT*RC2', 'LMCVO*18PQJ3H!K3'],
  ['PROD0104U6VVM{UJ', 'VK67B}379XYM5}$T'],
  ['PROD01065C%ZFN6F', 'O4BG@C7BWLYQX?5G'],
  ['PROD0112J1LW7%NB', 'RH96F{PHI8PPX_TJ'],
  ['PROD0113H11T8$X_', 'RG@XY*28Q5QHS%Q5'],
  ['PROD0114ES4Z%Q5W', 'PK}_A_0N_K%O?A9S'],
  ['PROD0118R6%2WYOS', 'YIXPX@5I2P0UT*LK'],
  ['PROD0119GSJUC$18', 'ILTXC!4IXB5FB*PX'],
  ['PROD0120PW!CCV9@', 'C1BX{V4W}Q3*10SM'],
]);

/** A 20-digit challenge, as the original service sent. */
export function newChallenge(): string {
  let s = String(randomInt(1, 10));
  while (s.length < 20) s += String(randomInt(0, 10));
  return s;
}

export function md5Answer(challenge: string, productKey: string): string {
  return createHash('md5').update(challenge + productKey, 'latin1').digest('hex');
}

/** The MSNP11+ algorithm, vectors.md §3.1. */
export function lockAndKeyAnswer(challenge: string, productId: string, productKey: string): string {
  const digest = createHash('md5').update(challenge + productKey, 'latin1').digest();
  const w = [0, 1, 2, 3].map((i) => digest.readUInt32LE(i * 4));
  const m = w.map((x) => BigInt(x & 0x7fffffff));
  let s = challenge + productId;
  if (s.length % 8 !== 0) s += '0'.repeat(8 - (s.length % 8));
  const bytes = Buffer.from(s, 'latin1');
  const x: bigint[] = [];
  for (let i = 0; i < bytes.length; i += 4) x.push(BigInt(bytes.readUInt32LE(i)));
  const MOD = 0x7fffffffn;
  let high = 0n;
  let low = 0n;
  for (let i = 0; i < x.length; i += 2) {
    let t = (x[i]! * 0x0e79a9c1n) % MOD;
    t = (m[0]! * (t + high) + m[1]!) % MOD;
    high = (m[2]! * ((x[i + 1]! + t) % MOD) + m[3]!) % MOD;
    low = low + high + t;
  }
  high = (high + m[1]!) % MOD;
  low = (low + m[3]!) % MOD;
  const out = Buffer.alloc(16);
  const h = Number(high);
  const l = Number(low);
  out.writeUInt32LE((w[0]! ^ h) >>> 0, 0);
  out.writeUInt32LE((w[1]! ^ l) >>> 0, 4);
  out.writeUInt32LE((w[2]! ^ h) >>> 0, 8);
  out.writeUInt32LE((w[3]! ^ l) >>> 0, 12);
  return out.toString('hex');
}

export type ChallengeAlgorithm = 'md5' | 'lockkey';

/** The answer a client with this product id must give, or undefined for an unknown id. */
export function expectedAnswer(alg: ChallengeAlgorithm, challenge: string, productId: string): string | undefined {
  const key = PRODUCT_KEYS.get(productId);
  if (key === undefined) return undefined;
  return alg === 'md5' ? md5Answer(challenge, key) : lockAndKeyAnswer(challenge, productId, key);
}
