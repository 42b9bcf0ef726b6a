// GSB (MSNP11-12): the subscription state; there are no subscriptions.
import { signedIn } from './util.js';

export const GSB = signedIn('GSB', [11, 12], 1, (s, _cmd, t) => {
  s.send(`SBS ${t} null`);
});
