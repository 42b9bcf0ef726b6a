// SND: "invite a friend by e-mail". We send no e-mail; the request is
// acknowledged as the original service did.
import { ALL, emailArg, signedIn } from './util.js';

export const SND = signedIn('SND', ALL, 2, (s, cmd, t) => {
  emailArg(cmd.args[1]);
  s.send(`SND ${t} OK`);
});
