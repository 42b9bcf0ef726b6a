// PGD (MSNP9+): page a mobile device or Web Watch. There is no paging
// gateway: 800, the original "could not be sent" answer.
import { ProtocolError } from '../../session.js';
import { needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const PGD: NsCommand = {
  verb: 'PGD',
  versions: [9, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(_s, cmd) {
    tridOf(cmd);
    needArgs(cmd, 4);
    throw new ProtocolError(800);
  },
};
