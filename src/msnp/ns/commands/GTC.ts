// GTC: whether the client asks its user when someone adds them (stored only).
import { ProtocolError } from '../../session.js';
import { ALL, core, me, needArgs, NOT_LOGGED_IN, replyHead, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const GTC: NsCommand = {
  verb: 'GTC',
  versions: ALL,
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const v = cmd.args[1]!;
    if (v !== 'A' && v !== 'N') throw new ProtocolError(201);
    const version = await core(s, () => s.ctx.core.contacts.setAddPrompt(me(s).id, v));
    s.send(`${replyHead(s, 'GTC', t, version)} ${v}`);
  },
};
