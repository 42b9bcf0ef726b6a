// MSG t U|N|A|D|S len: relay a message to the other participants, byte for
// byte. U: no answer; N: NAK on failure; A and D: ACK when delivered, else
// NAK; S (invitations from MSN 6+, yellows111 MSG page): ACK on success only.
// P2P data (application/x-msnmsgrp2p) goes only to the P2P-Dest participant:
// P2Pv1 names an account (`P2P-Dest: email`, every endpoint of it), P2Pv2
// (MSNP16+) one endpoint (`P2P-Dest: email;{guid}`) and the sender's own in
// `P2P-Src` (flows.md §6.2; MSNPSharp 3.2.1 P2PHandler reads the GUIDs of
// both). A P2P-Src naming anyone but the sending endpoint is not relayed:
// the receiving client would answer the wrong peer.
import type { ChatAddressee } from '../../../core/chats.js';
import { normaliseEmail } from '../../../core/email.js';
import { parseHandle } from '../../endpoint-guid.js';
import { trid } from '../../wire/command.js';
import type { SbSession } from '../session.js';
import { ANY_VERSION, type SbCommand } from './util.js';

const ACK_TYPES = new Set(['U', 'N', 'A', 'D', 'S']);
const HEADER_END = Buffer.from('\r\n\r\n');
// COMPAT: MSNPSharp 3.2.1 trims header names (MimeDictionary.Parse): ` P2P-Src:` is P2P-Src to it.
const P2P_TYPE = /^[ \t]*content-type[ \t]*:\s*application\/x-msnmsgrp2p/im;
const P2P_DEST = /^[ \t]*p2p-dest[ \t]*:[ \t]*([^\r\n]*)/gim;
const P2P_SRC = /^[ \t]*p2p-src[ \t]*:[ \t]*([^\r\n]*)/gim;
/** Nobody: P2P data without a usable P2P-Dest (or with a false P2P-Src) reaches no one. */
const NOBODY: ChatAddressee = { email: '', endpoint: undefined };

/**
 * The MIME headers of a message, all of them (the receiving client reads them
 * all: a P2P-Src or Content-Type past a cut-off would go unchecked), or
 * undefined if it is not P2P data.
 */
function p2pHead(payload: Buffer): string | undefined {
  const end = payload.indexOf(HEADER_END);
  const head = payload.toString('latin1', 0, end < 0 ? payload.length : end);
  return P2P_TYPE.test(head) ? head : undefined;
}

/** The values of every `name:` header matched by `re` (a global regex). */
function headerValues(head: string, re: RegExp): string[] {
  return [...head.matchAll(re)].map((m) => m[1]!.trim());
}

/** Who a P2P message is for, or undefined for everything else (relayed to every member). */
export function p2pAddressee(payload: Buffer, from?: Pick<SbSession, 'email' | 'endpoint'>): ChatAddressee | undefined {
  const head = p2pHead(payload);
  if (head === undefined) return undefined;
  // One of each at most: clients keep the last of repeated headers, the check would see the first.
  const dests = headerValues(head, P2P_DEST);
  const srcs = headerValues(head, P2P_SRC);
  if (dests.length !== 1 || srcs.length > 1) return NOBODY;
  const to = parseHandle(dests[0]!);
  if (!to) return NOBODY;
  if (srcs.length === 1 && from) {
    const me = parseHandle(srcs[0]!);
    if (!me || normaliseEmail(me.email) !== from.email || (me.guid && me.guid.key !== from.endpoint?.key)) return NOBODY;
  }
  return { email: normaliseEmail(to.email), endpoint: to.guid?.key };
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
    const r = s.ctx.core.chats.send(chat, s, payload, p2pAddressee(payload, s));
    const ok = r.delivered > 0 && !r.failed;
    if (ack === 'A' || ack === 'D') s.send(ok ? `ACK ${t}` : `NAK ${t}`);
    else if (ack === 'N' && !ok) s.send(`NAK ${t}`);
    else if (ack === 'S' && ok) s.send(`ACK ${t}`);
  },
};
