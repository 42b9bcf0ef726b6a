// PGD (MSNP9+): page a mobile device or Web Watch. There is no paging
// gateway: 800, the original "could not be sent" answer.
import { ProtocolError } from '../../session.js';
import { signedIn } from './util.js';

export const PGD = signedIn('PGD', [9, 12], 4, (_s, _cmd, _t) => {
  throw new ProtocolError(800);
});
