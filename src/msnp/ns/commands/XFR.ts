// XFR SB: a cookie for a new switchboard conversation.
import { ProtocolError } from '../../session.js';
import { me, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const XFR: NsCommand = {
  verb: 'XFR',
  versions: [2, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    if (cmd.args[1] !== 'SB') throw new ProtocolError(201);
    const account = me(s);
    const p = s.ctx.core.presence.get(account.id);
    // Appearing offline (or no status yet) cannot start conversations; nor can IMS OFF.
    if (!p || p.status === undefined || p.status === 'HDN' || s.imsOff) throw new ProtocolError(913);
    const cookie = s.ctx.core.chats.ticket({
      accountId: account.id, email: account.email, friendlyName: p.friendlyName, caps: p.caps, version: s.version,
    });
    s.send(`XFR ${t} SB ${s.switchboardAddress()} CKI ${cookie}`);
  },
};
