// XFR SB: a cookie for a new switchboard conversation. 913 when the user may
// not start one (no status yet, hidden, or IMS OFF).
import { ProtocolError } from '../../session.js';
import { ALL, me, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const XFR: NsCommand = {
  verb: 'XFR',
  versions: ALL,
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    if (cmd.args[1] !== 'SB') throw new ProtocolError(201);
    const cookie = s.ctx.core.chats.ticket(me(s).id, s.version);
    if (!cookie) throw new ProtocolError(913);
    s.send(`XFR ${t} SB ${s.switchboardAddress()} CKI ${cookie}`);
  },
};
