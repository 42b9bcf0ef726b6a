// USR t email cookie: the caller opens a new conversation with its XFR SB cookie.
import { normaliseEmail } from '../../../core/email.js';
import { ProtocolError } from '../../session.js';
import { trid } from '../../wire/command.js';
import { ANY_VERSION, type SbCommand } from './util.js';

export const USR: SbCommand = {
  verb: 'USR',
  versions: ANY_VERSION,
  states: ['new'],
  outOfState: 207,
  async handle(s, cmd) {
    const t = trid(cmd);
    if (t === undefined || cmd.args.length < 3) return s.close('malformed USR');
    const email = normaliseEmail(cmd.args[1]!);
    const opened = await s.ctx.core.chats.open(cmd.args[2]!, email, (ticket) => s.become(ticket));
    if (!opened) throw new ProtocolError(911, true);
    if (s.closed) return s.ctx.core.chats.leave(opened.chat, opened.member);
    s.joined(opened.chat);
    s.send(`USR ${t} OK ${s.email} ${s.wireName}`);
  },
};
