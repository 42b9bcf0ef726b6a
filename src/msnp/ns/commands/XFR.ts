// XFR SB: a cookie for a new switchboard conversation. 913 when the user may
// not start one (no status yet, hidden, or IMS OFF).
import { ProtocolError } from '../../session.js';
import { sbSuffix } from '../render/classic.js';
import { NEWEST, me, signedIn } from './util.js';

export const XFR = signedIn('XFR', [2, NEWEST], 1, (s, cmd, t) => {
  if (cmd.args[1] !== 'SB') throw new ProtocolError(201);
  const cookie = s.ctx.core.chats.ticket(me(s).id, s.version);
  if (!cookie) throw new ProtocolError(913);
  s.send(`XFR ${t} SB ${s.switchboardAddress()} CKI ${cookie}${sbSuffix(s.v, 'messenger.msn.com')}`);
});
