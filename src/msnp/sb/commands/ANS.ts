// ANS t email cookie sessionid: the invitee joins; it learns who is there (IRO,
// n of total in join order), the others learn of it (JOI).
import { urlEncode } from '../../wire/urlcode.js';
import { entryCommand } from './enter.js';

export const ANS = entryCommand(
  'ANS',
  4,
  (s, email, cmd, member) => s.ctx.core.chats.answer(cmd.args[2]!, email, cmd.args[3]!, member),
  (s, t, joined) => {
    const n = joined.others.length;
    joined.others.forEach((m, i) => s.send(`IRO ${t} ${i + 1} ${n} ${m.email} ${urlEncode(m.friendlyName)}${s.capsSuffix(m.caps)}`));
    s.send(`ANS ${t} OK`);
  },
);
