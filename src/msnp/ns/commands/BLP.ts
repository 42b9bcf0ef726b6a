// BLP: what people on neither the allow nor the block list may do.
import { ProtocolError } from '../../session.js';
import { ALL, core, me, needArgs, NOT_LOGGED_IN, replyHead, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const BLP: NsCommand = {
  verb: 'BLP',
  versions: ALL,
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const v = cmd.args[1]!;
    if (v !== 'AL' && v !== 'BL') throw new ProtocolError(201);
    const version = await core(s, () => s.ctx.core.contacts.setPrivacy(me(s).id, v));
    s.send(`${replyHead(s, 'BLP', t, version)} ${v}`);
  },
};
