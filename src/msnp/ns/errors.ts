// Core refusals as MSNP error codes (errors.md; per-version differences noted).
import type { CoreErrorKind } from '../../core/errors.js';

const CODES: Record<CoreErrorKind, number> = {
  'no-such-user': 205,
  'invalid-address': 201,
  'invalid-list': 201,
  'already-on-list': 215,
  'not-on-list': 216,
  'in-opposite-list': 219,
  'list-full': 210,
  'no-such-group': 224,
  'not-in-group': 225,
  'group-exists': 228,
  'group-name-invalid': 229,
  'too-many-groups': 223,
  'cannot-remove-default-group': 230,
  'invalid-name': 209,
  'invalid-property': 715,
};

export function errorCode(kind: CoreErrorKind, _version: number): number {
  return CODES[kind];
}
