// SDC: the MSNP5+ form of SND, with a text payload. Acknowledged; no e-mail is sent.
import { needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const SDC: NsCommand = {
  verb: 'SDC',
  versions: [5, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 3);
    s.send(`SDC ${t} OK`);
  },
};
