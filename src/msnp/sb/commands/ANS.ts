// ANS t email cookie sessionid: the invitee joins; it learns who is there (IRO,
// n of total in join order), the others learn of it (JOI). MSNP16+ invitees
// get a line per endpoint and one per account (SbSession.handles), counted in
// the total.
import { urlEncode } from '../../wire/urlcode.js';
import { entryCommand } from './enter.js';

export const ANS = entryCommand(
  'ANS',
  4,
  (s, email, cmd, member) => s.ctx.core.chats.answer(cmd.args[2]!, email, cmd.args[3]!, member),
  (s, t, joined) => {
    const lines = joined.others.flatMap((m) => s.handles(m.email, m.endpoint).map((h) => `${h} ${urlEncode(m.friendlyName)}${s.capsSuffix(m.caps, m.extCaps)}`));
    lines.forEach((l, i) => s.send(`IRO ${t} ${i + 1} ${lines.length} ${l}`));
    s.send(`ANS ${t} OK`);
  },
);
