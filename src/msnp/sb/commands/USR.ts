// USR t email cookie: the caller opens a new conversation with its XFR SB cookie.
import { entryCommand } from './enter.js';

export const USR = entryCommand(
  'USR',
  3,
  (s, email, cmd, member) => s.ctx.core.chats.open(cmd.args[2]!, email, member),
  (s, t) => s.send(`USR ${t} OK ${s.email} ${s.wireName}`),
);
