// CHG: set one's status. The first CHG of a session also lists the contacts
// the user may see online (ILN) and starts the challenge schedule (MSNP6+).
import { isStatus } from '../../../core/presence-types.js';
import { ProtocolError } from '../../session.js';
import { iln } from '../render/classic.js';
import { me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const CHG: NsCommand = {
  verb: 'CHG',
  versions: [2, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const status = cmd.args[1]!;
    // FLN is what others see, never a state one sets.
    if (!isStatus(status)) throw new ProtocolError(201);
    const account = me(s);
    const core = s.ctx.core;
    core.presence.setStatus(account.id, status, 0, '');
    s.send(`CHG ${t} ${status}`);
    if (s.initialStatusSent) return;
    s.initialStatusSent = true;
    const list = core.lists.peek(account.id);
    if (list) for (const p of core.presence.visibleContacts(list)) s.send(iln(t, p));
    s.nextChallengeAt = core.clock.now() + s.ctx.config.challengeDelay * 1000;
  },
};
