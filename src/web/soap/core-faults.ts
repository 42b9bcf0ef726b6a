// Core refusals as address-book and sharing faults: one table, as
// src/msnp/ns/errors.ts is for MSNP. MSNPSharp 3.2.1 matches on the
// faultstring text ("Contact Already Exists" with `conflictObjectId` in the
// detail, "Member already exists", "Member does not exist": it treats the
// last two as success), so those strings are kept exactly; the other codes
// follow services.md §4 where it names them, else they are our own.
import { CoreError, type CoreErrorKind } from '../../core/errors.js';
import { SoapFault } from './fault.js';
import { AB_NS } from './service-header.js';
import { esc } from './xml.js';

/** Which service refused: the address book speaks of contacts, the sharing service of members. */
export type FaultSide = 'contact' | 'member';

type Entry = [faultstring: string, errorcode: string];

const CONTACT: Record<CoreErrorKind, Entry> = {
  'no-such-user': ['Invalid Passport User', 'InvalidPassportUser'],
  'invalid-address': ['Invalid e-mail address', 'BadEmailArgument'],
  'invalid-list': ['Invalid argument', 'BadArgument'],
  'already-on-list': ['Contact Already Exists', 'ContactAlreadyExists'],
  'not-on-list': ['Contact Does Not Exist', 'ContactDoesNotExist'],
  'in-opposite-list': ['Contact is blocked', 'BadArgument'],
  'list-full': ['Quota limit reached: too many contacts', 'QuotaLimitReached'],
  'no-such-group': ['Group Does Not Exist', 'GroupDoesNotExist'],
  'not-in-group': ['Contact Does Not Exist in the group', 'ContactDoesNotExist'],
  'group-exists': ['Group Already Exists', 'GroupAlreadyExists'],
  'group-name-invalid': ['Group name too long or invalid', 'GroupNameTooLong'],
  'too-many-groups': ['Quota limit reached: too many groups', 'QuotaLimitReached'],
  'cannot-remove-default-group': ['Invalid argument: the default group', 'BadArgument'],
  'invalid-name': ['Invalid display name', 'BadArgument'],
  'invalid-property': ['Invalid argument', 'BadArgument'],
};

const MEMBER: Partial<Record<CoreErrorKind, Entry>> = {
  'already-on-list': ['Member already exists', 'MemberAlreadyExists'],
  'not-on-list': ['Member does not exist', 'MemberDoesNotExist'],
  'in-opposite-list': ['Member already exists in the opposite role', 'MemberAlreadyExists'],
  'list-full': ['Quota limit reached: too many members', 'QuotaLimitReached'],
};

/**
 * The fault for a core refusal; anything else is rethrown (the endpoint
 * answers it as `InternalError`). `conflictId`: the GUID of the existing
 * contact, which MSNPSharp reads from `conflictObjectId`.
 */
export function coreFault(e: unknown, side: FaultSide, conflictId?: string): SoapFault {
  if (!(e instanceof CoreError)) throw e;
  const [message, code] = (side === 'member' ? MEMBER[e.kind] : undefined) ?? CONTACT[e.kind];
  const extra =
    e.kind === 'already-on-list' && conflictId ? `<additionalDetails xmlns="${AB_NS}"><conflictObjectId>${esc(conflictId)}</conflictObjectId></additionalDetails>` : '';
  return SoapFault.client(message, code, extra);
}

/** Runs a core operation, turning its refusals into faults. */
export async function orFault<T>(side: FaultSide, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw coreFault(e, side);
  }
}
