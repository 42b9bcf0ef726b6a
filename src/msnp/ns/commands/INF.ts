// INF: the authentication packages on offer (MSNP2-7): only MD5.
import { tridOf, type NsCommand } from './util.js';

export const INF: NsCommand = {
  verb: 'INF',
  versions: [2, 7],
  states: ['ver', 'auth', 'online'],
  outOfState: 'close',
  handle(s, cmd) {
    s.send(`INF ${tridOf(cmd)} MD5`);
  },
};
