// Passwords at rest.
//
// Two things are kept per account:
//  - a slow hash (scrypt) for every sign-in that carries the password itself
//    (Passport/HTTPS logins from MSNP8 on, and the CLI);
//  - for MSNP2-7, whose USR MD5 sign-in sends MD5(salt || password), a fixed
//    per-account salt and that MD5 value (the "verifier"). The verifier is
//    password-equivalent: whoever reads it from the database, or sniffs one
//    sign-in, can sign in as that user with an MD5 client. That is the price of
//    supporting MSN Messenger 1.0-4.x; MSNPD_LEGACY_MD5=off stops storing it.
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Passport allowed at most 16 characters; Pidgin and the official clients cut longer ones. */
export const MAX_PASSWORD_LENGTH = 16;

export function passwordProblem(pw: string): string | undefined {
  if (pw.length === 0) return 'the password is empty';
  if ([...pw].length > MAX_PASSWORD_LENGTH) return `the password is longer than ${MAX_PASSWORD_LENGTH} characters (Messenger clients cut passwords to 16)`;
  if (/[\r\n\0]/.test(pw)) return 'the password contains a line break or NUL';
  return undefined;
}

const R = 8;
const P = 1;
const KEYLEN = 32;

function scryptAsync(pw: string, salt: Buffer, n: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: n, r: R, p: P, maxmem: 256 * n * R + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(pw, salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64 parts). */
export async function hashPassword(pw: string, n: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pw, salt, n);
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(pw: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const n = Number(parts[1]);
  if (Number(parts[2]) !== R || Number(parts[3]) !== P || !Number.isInteger(n)) return false;
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scryptAsync(pw, Buffer.from(parts[4]!, 'base64'), n);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A salt shaped like the original service's (`1013928519.693957190`). */
export function newMd5Salt(): string {
  return `${randomInt(1_000_000_000, 2_000_000_000)}.${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

export function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** What an MSNP2-7 client sends in `USR t MD5 S <response>`. */
export function md5Verifier(salt: string, pw: string): string {
  return md5Hex(salt + pw);
}

export function verifyMd5Response(response: string, verifier: string): boolean {
  const a = Buffer.from(response.toLowerCase(), 'utf8');
  const b = Buffer.from(verifier, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
