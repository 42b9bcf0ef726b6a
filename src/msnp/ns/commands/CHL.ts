// CHL t from the client: asks for a challenge now (the server also sends them unasked).
import { NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const CHL: NsCommand = {
  verb: 'CHL',
  versions: [6, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    s.sendChallenge(tridOf(cmd), s.ctx.core.clock.now());
  },
};
