// ANS t email cookie sessionid: the invitee joins; it learns who is there (IRO,
// n of total in join order), the others learn of it (JOI).
import { normaliseEmail } from '../../../core/email.js';
import { ProtocolError } from '../../session.js';
import { trid } from '../../wire/command.js';
import { urlEncode } from '../../wire/urlcode.js';
import { ANY_VERSION, type SbCommand } from './util.js';

export const ANS: SbCommand = {
  verb: 'ANS',
  versions: ANY_VERSION,
  states: ['new'],
  outOfState: 207,
  async handle(s, cmd) {
    const t = trid(cmd);
    if (t === undefined || cmd.args.length < 4) return s.close('malformed ANS');
    const email = normaliseEmail(cmd.args[1]!);
    const joined = await s.ctx.core.chats.answer(cmd.args[2]!, email, cmd.args[3]!, (inv) => s.become(inv));
    if (!joined) throw new ProtocolError(911, true);
    if (s.closed) return s.ctx.core.chats.leave(joined.chat, joined.member);
    s.joined(joined.chat);
    const n = joined.others.length;
    joined.others.forEach((m, i) => s.send(`IRO ${t} ${i + 1} ${n} ${m.email} ${urlEncode(m.friendlyName)}${s.capsSuffix(m.caps)}`));
    s.send(`ANS ${t} OK`);
  },
};
