// USR and ANS are the two ways into a conversation: the caller with its XFR SB
// cookie, an invitee with its RNG cookie and the session id. Both check the
// line the same way, ask the core, join, and leave again if the connection
// died while the core was asked; only the core call and the reply differ.
// MSNP16+ clients name their endpoint: `email;{guid}` (flows.md §6.2; Pidgin
// 2.11 and MSNPSharp 3.2.1 always do, captures/).
import type { Chat, ChatMember, ChatTicket } from '../../../core/chats.js';
import { normaliseEmail } from '../../../core/email.js';
import { parseHandle } from '../../endpoint-guid.js';
import { ProtocolError } from '../../session.js';
import { trid, type Command } from '../../wire/command.js';
import type { SbSession } from '../session.js';
import { ANY_VERSION, type SbCommand } from './util.js';

interface Entered {
  chat: Chat;
  member: ChatMember;
}

export function entryCommand<E extends Entered>(
  verb: 'USR' | 'ANS',
  /** Arguments after the verb, the transaction id included. */
  minArgs: number,
  enter: (s: SbSession, email: string, cmd: Command, member: (t: ChatTicket) => ChatMember | undefined) => Promise<E | undefined>,
  reply: (s: SbSession, trid: number, entered: E) => void,
): SbCommand {
  return {
    verb,
    versions: ANY_VERSION,
    states: ['new'],
    outOfState: 207,
    async handle(s, cmd) {
      const t = trid(cmd);
      if (t === undefined || cmd.args.length < minArgs) return s.close(`malformed ${verb}`);
      const handle = parseHandle(cmd.args[1]!);
      // A suffix that is not a GUID: not an endpoint anyone could be given.
      if (!handle) throw new ProtocolError(911, true);
      s.endpoint = handle.guid && { key: handle.guid.key, written: handle.guid.wire };
      const entered = await enter(s, normaliseEmail(handle.email), cmd, (ticket) => s.become(ticket));
      if (!entered) throw new ProtocolError(911, true);
      if (s.closed) return s.ctx.core.chats.leave(entered.chat, entered.member);
      s.joined(entered.chat);
      reply(s, t, entered);
    },
  };
}
