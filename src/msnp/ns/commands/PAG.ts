// PAG: page a contact's mobile phone. There is no paging gateway, so no
// contact accepts pages: 220, the original "not accepting pages" answer;
// from MSNP9 (where PGD replaced it) 715, as the original service answered.
import { ProtocolError } from '../../session.js';
import { signedIn } from './util.js';

export const PAG = signedIn('PAG', [5, 12], 3, (s, _cmd, _t) => {
  throw new ProtocolError(s.v.presenceMsnObject ? 715 : 220);
});
