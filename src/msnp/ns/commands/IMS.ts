// IMS ON|OFF (MSNP3+, WebTV): whether the user takes part in conversations.
import { ProtocolError } from '../../session.js';
import { me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const IMS: NsCommand = {
  verb: 'IMS',
  versions: [3, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const v = cmd.args[1]!;
    if (v !== 'ON' && v !== 'OFF') throw new ProtocolError(201);
    s.ctx.core.presence.setAcceptsInvitations(me(s).id, v === 'ON');
    s.send(`IMS ${t} 0 ${v}`);
  },
};
