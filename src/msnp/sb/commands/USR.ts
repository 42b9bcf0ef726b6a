// USR t email cookie: the caller opens a new conversation with its XFR SB
// cookie. MSNP16+: `USR t email;{guid} cookie`, answered `USR t OK
// email;{guid} name` (flows.md §6.2). COMPAT: MSNPSharp 3.2.1 invites its own
// address only when the account before any `;` equals its owner's,
// case-insensitively (SBMessageHandler.OnUSRReceived); Pidgin 2.11 reads no
// argument of it (switchboard.c usr_cmd).
import { entryCommand } from './enter.js';

export const USR = entryCommand(
  'USR',
  3,
  (s, email, cmd, member) => s.ctx.core.chats.open(cmd.args[2]!, email, s.switchboardAddress, member),
  (s, t) => s.send(`USR ${t} OK ${s.ownHandle} ${s.wireName}`),
);
