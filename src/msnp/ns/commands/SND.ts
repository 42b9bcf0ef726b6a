// SND: "invite a friend by e-mail". We send no e-mail; the request is
// acknowledged as the original service did.
import { ALL, emailArg, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const SND: NsCommand = {
  verb: 'SND',
  versions: ALL,
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    emailArg(cmd.args[1]);
    s.send(`SND ${t} OK`);
  },
};
