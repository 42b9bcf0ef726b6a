// SDC: the MSNP5+ form of SND, with a text payload. Acknowledged; no e-mail is sent.
import { signedIn } from './util.js';

export const SDC = signedIn('SDC', [5, 12], 3, (s, _cmd, t) => {
  s.send(`SDC ${t} OK`);
});
