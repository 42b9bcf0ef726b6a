// IMS ON|OFF (MSNP3+, WebTV): whether the user takes part in conversations.
import { ProtocolError } from '../../session.js';
import { me, signedIn } from './util.js';

export const IMS = signedIn('IMS', [3, 12], 2, (s, cmd, t) => {
  const v = cmd.args[1]!;
  if (v !== 'ON' && v !== 'OFF') throw new ProtocolError(201);
  s.ctx.core.presence.setAcceptsInvitations(me(s).id, v === 'ON');
  s.send(`IMS ${t} 0 ${v}`);
});
