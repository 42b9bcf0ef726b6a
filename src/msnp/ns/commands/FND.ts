// FND: the member directory search. We keep no public directory (it would
// expose who uses the service): MSNP2-7 find nobody (`FND t 0 0`); from
// MSNP8 the command is disabled (502), as it was on the original service.
import { ProtocolError } from '../../session.js';
import { ALL, signedIn } from './util.js';

export const FND = signedIn('FND', ALL, 2, (s, _cmd, t) => {
  if (s.v.presenceCaps) throw new ProtocolError(502);
  s.send(`FND ${t} 0 0`);
});
