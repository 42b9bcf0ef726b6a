// GCF t Shields.xml (MSNP11-12): the client's feature-block configuration.
// Nothing is blocked; the document is minimal and well-formed (MSNPSharp parses it).
import { ProtocolError } from '../../session.js';
import { needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const SHIELDS =
  '<?xml version="1.0" encoding="utf-8" ?><config><shield><cli maj="7" min="0" minbld="0" maxbld="9999" deny=" " /></shield><block></block></config>';

export const GCF: NsCommand = {
  verb: 'GCF',
  versions: [11, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    if (cmd.args[1] !== 'Shields.xml') throw new ProtocolError(201);
    s.sendWithPayload(`GCF ${t} Shields.xml`, SHIELDS);
  },
};
