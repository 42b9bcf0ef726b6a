// `USR t SHA A <circle-ticket>` (MSNP18): the client presents the CircleTicket
// of ABFindContactsPaged (base64 of its SignedTicket) so the server lets it
// join its circles' conversations. The user is already signed in, and msnpd
// has no circles yet (issue 14), so the ticket grants nothing: it is answered
// `USR t OK email 1 0`, as many times as it comes (MSNPSharp 3.2.1 sends it
// after every address-book sync). COMPAT: Pidgin 2.11 disconnects on 911 and
// 500-class errors to any USR (client-quirks.md); MSNPSharp 3.2.1 reads the
// third value of `USR t OK` as "verified", so it is 1 here too.
import type { Command } from '../../wire/command.js';
import { ProtocolError } from '../../session.js';
import type { NsSession } from '../session.js';
import { me } from './util.js';

/** A circle ticket as clients send it: base64, at most this long (a SignedTicket is a few hundred bytes). */
const TICKET = /^[A-Za-z0-9+/]{4,8192}={0,2}$/;

/** USR once signed in: only `SHA A` on versions with circles; 207 (already signed in) otherwise. */
export function circleAuth(s: NsSession, cmd: Command, trid: number): void {
  const [, pkg, stage, ticket] = cmd.args;
  if (!s.v.circles || pkg !== 'SHA') throw new ProtocolError(207);
  if (stage !== 'A' || ticket === undefined || cmd.args.length !== 4 || !TICKET.test(ticket)) throw new ProtocolError(201);
  s.send(`USR ${trid} OK ${me(s).email} 1 0`);
}
