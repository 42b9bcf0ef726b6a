// Arguments shared by ADD and REM.
import type { ListName } from '../../../core/model.js';
import { ProtocolError } from '../../session.js';
import type { NsSession } from '../session.js';
import { groupId } from './groups.js';

/** FL, AL or BL: the lists a client edits (RL belongs to the server). */
export function userList(token: string | undefined): ListName {
  if (token === 'FL' || token === 'AL' || token === 'BL') return token;
  throw new ProtocolError(201);
}

/** A group id argument (MSNP7, forward list only); undefined where groups do not apply. */
export function groupArg(s: NsSession, list: ListName, token: string | undefined): number | undefined {
  if (!s.v.groups || list !== 'FL' || token === undefined) return undefined;
  return groupId(token);
}
