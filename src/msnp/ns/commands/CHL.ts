// CHL t from the client: asks for a challenge now (the server also sends them unasked).
import { NEWEST, signedIn } from './util.js';

export const CHL = signedIn('CHL', [6, NEWEST], 1, (s, _cmd, t) => {
  s.sendChallenge(t, s.ctx.core.clock.now());
});
