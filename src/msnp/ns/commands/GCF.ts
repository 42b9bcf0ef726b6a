// GCF t Shields.xml (MSNP11-12): the client's feature-block configuration.
// Nothing is blocked; the document is minimal and well-formed (MSNPSharp parses it).
import { ProtocolError } from '../../session.js';
import { NEWEST, signedIn } from './util.js';

export const SHIELDS =
  '<?xml version="1.0" encoding="utf-8" ?><config><shield><cli maj="7" min="0" minbld="0" maxbld="9999" deny=" " /></shield><block></block></config>';

export const GCF = signedIn('GCF', [11, NEWEST], 2, (s, cmd, t) => {
  if (cmd.args[1] !== 'Shields.xml') throw new ProtocolError(201);
  s.sendWithPayload(`GCF ${t} Shields.xml`, SHIELDS);
});
