// Why a core operation was refused, in the core's own words. Each front maps
// these to its wire format (MSNP error codes per version, SOAP faults, ...).
export type CoreErrorKind =
  | 'no-such-user'
  | 'invalid-address'
  | 'invalid-list'
  | 'already-on-list'
  | 'not-on-list'
  | 'in-opposite-list'
  | 'list-full'
  | 'no-such-group'
  | 'not-in-group'
  | 'group-exists'
  | 'group-name-invalid'
  | 'too-many-groups'
  | 'cannot-remove-default-group'
  | 'invalid-name'
  | 'invalid-property';

export class CoreError extends Error {
  constructor(readonly kind: CoreErrorKind, detail?: string) {
    super(detail ? `${kind}: ${detail}` : kind);
  }
}
