// GSB (MSNP11-12): the subscription state; there are no subscriptions.
import { NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const GSB: NsCommand = {
  verb: 'GSB',
  versions: [11, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    s.send(`SBS ${tridOf(cmd)} null`);
  },
};
