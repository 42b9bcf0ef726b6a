// CAL t email: invite someone. 217 for anyone who cannot be reached, whatever
// the reason (offline, hidden, blocking or blocked), so nothing leaks.
// MSNP16+: calling one's own address rings one's other endpoints and is
// answered RINGING even when there are none (flows.md §6.2). COMPAT: MSNPSharp
// 3.2.1 calls its own address right after USR OK and invites the contact only
// after that RINGING (SBMessageHandler.OnUSRReceived, OnCALReceived).
import { isValidEmail, normaliseEmail } from '../../../core/email.js';
import { ProtocolError } from '../../session.js';
import { VERSIONS } from '../../versions.js';
import { trid } from '../../wire/command.js';
import { ANY_VERSION, type SbCommand } from './util.js';

export const CAL: SbCommand = {
  verb: 'CAL',
  versions: ANY_VERSION,
  states: ['chat'],
  outOfState: 'close',
  async handle(s, cmd) {
    const t = trid(cmd);
    if (t === undefined || cmd.args.length < 2) return s.close('malformed CAL');
    const email = normaliseEmail(cmd.args[1]!);
    if (!isValidEmail(email)) throw new ProtocolError(208);
    const chat = s.chat;
    if (!chat) return s.close('CAL outside a conversation');
    const core = s.ctx.core;
    if (email === s.email && VERSIONS.get(s.version)?.sbSelfCall) {
      const r = core.chats.callSelf(chat, s);
      if (!r.ok) throw new ProtocolError(913);
      return s.send(`CAL ${t} RINGING ${r.chatId}`);
    }
    const account = await core.accounts.get(email);
    if (!account) throw new ProtocolError(217);
    const r = core.chats.invite(chat, s, account.id, account.email);
    if (!r.ok) throw new ProtocolError(r.reason === 'already-there' ? 215 : r.reason === 'hidden' ? 913 : 217);
    s.send(`CAL ${t} RINGING ${r.chatId}`);
  },
};
