// E-mail addresses are account names. They are compared case-insensitively and
// stored in lower case; MSNP tokens cannot hold spaces, so those are refused.

const EMAIL = /^[A-Za-z0-9._%+\-!#$&'*/=?^`{|}~]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+$/;

/** Longest address we accept (the local part of the original service was at most 64). */
export const MAX_EMAIL_LENGTH = 129;

export function normaliseEmail(s: string): string {
  return s.trim().toLowerCase();
}

/** Why an address is unusable, or undefined when it is fine. */
export function emailProblem(s: string): string | undefined {
  if (s.length === 0) return 'the address is empty';
  if (s.length > MAX_EMAIL_LENGTH) return `the address is longer than ${MAX_EMAIL_LENGTH} characters`;
  if (/\s/.test(s)) return 'the address contains a space (MSNP tokens cannot hold one)';
  if (!s.includes('@')) return 'the address has no @';
  if (s.indexOf('@') !== s.lastIndexOf('@')) return 'the address has more than one @';
  if (s.endsWith('@')) return 'the address has no domain';
  if (!EMAIL.test(s)) return 'the address is not of the form name@domain.tld';
  return undefined;
}

export function isValidEmail(s: string): boolean {
  return emailProblem(s) === undefined;
}
