// PAG: page a contact's mobile phone. There is no paging gateway, so no
// contact accepts pages: 220, the original "not accepting pages" answer;
// from MSNP9 (where PGD replaced it) 715, as the original service answered.
import { ProtocolError } from '../../session.js';
import { needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const PAG: NsCommand = {
  verb: 'PAG',
  versions: [5, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    tridOf(cmd);
    needArgs(cmd, 3);
    throw new ProtocolError(s.v.presenceMsnObject ? 715 : 220);
  },
};
