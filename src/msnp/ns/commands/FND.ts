// FND: the member directory search. We keep no public directory (it would
// expose who uses the service), so every search finds nobody: `FND t 0 0`.
import { needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const FND: NsCommand = {
  verb: 'FND',
  versions: [2, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    s.send(`FND ${t} 0 0`);
  },
};
