// FND: the member directory search. We keep no public directory (it would
// expose who uses the service): MSNP2-7 find nobody (`FND t 0 0`); from
// MSNP8 the command is disabled (502), as it was on the original service.
import { ProtocolError } from '../../session.js';
import { ALL, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const FND: NsCommand = {
  verb: 'FND',
  versions: ALL,
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    if (s.v.presenceCaps) throw new ProtocolError(502);
    s.send(`FND ${t} 0 0`);
  },
};
