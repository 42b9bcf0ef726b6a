// MSG t U|N|A|D|S len: relay a message to the other participants, byte for
// byte. U: no answer; N: NAK on failure; A and D: ACK when delivered, else
// NAK; S (invitations from MSN 6+, yellows111 MSG page): ACK on success only.
// P2P data (application/x-msnmsgrp2p) goes only to the P2P-Dest participant.
import { trid } from '../../wire/command.js';
import { ANY_VERSION, type SbCommand } from './util.js';

const ACK_TYPES = new Set(['U', 'N', 'A', 'D', 'S']);
const HEADER_END = Buffer.from('\r\n\r\n');
const P2P_TYPE = /^content-type:\s*application\/x-msnmsgrp2p/im;
const P2P_DEST = /^p2p-dest:\s*([^\r\n;]+)/im;

/** The P2P-Dest of a P2P message, or undefined for everything else. */
export function p2pDestination(payload: Buffer): string | undefined {
  const end = payload.indexOf(HEADER_END);
  const head = payload.toString('latin1', 0, end < 0 ? Math.min(payload.length, 1024) : Math.min(end, 1024));
  if (!P2P_TYPE.test(head)) return undefined;
  const m = P2P_DEST.exec(head);
  return m ? m[1]!.trim().toLowerCase() : '';
}

export const MSG: SbCommand = {
  verb: 'MSG',
  versions: ANY_VERSION,
  states: ['chat'],
  outOfState: 'close',
  handle(s, cmd) {
    const t = trid(cmd);
    const ack = cmd.args[1];
    if (t === undefined || cmd.args.length !== 3 || ack === undefined || !ACK_TYPES.has(ack)) return s.close('malformed MSG');
    const chat = s.chat;
    if (!chat) return s.close('MSG outside a conversation');
    const payload = cmd.payload!;
    const r = s.ctx.core.chats.send(chat, s, payload, p2pDestination(payload));
    const ok = r.delivered > 0 && !r.failed;
    if (ack === 'A' || ack === 'D') s.send(ok ? `ACK ${t}` : `NAK ${t}`);
    else if (ack === 'N' && !ok) s.send(`NAK ${t}`);
    else if (ack === 'S' && ok) s.send(`ACK ${t}`);
  },
};
