// UUX (MSNP11+): the personal message and current media, an XML document the
// client writes; it is relayed to watchers (UBX) as written. `UUX t 0`.
import { personalMessageProblem } from '../../../core/client-xml.js';
import { ProtocolError } from '../../session.js';
import { NEWEST, me, signedIn } from './util.js';

/** Largest personal-message document kept (the official client stays far below it). */
const MAX_DOCUMENT = 4096;

export const UUX = signedIn('UUX', [11, NEWEST], 2, (s, cmd, t) => {
  const payload = cmd.payload ?? Buffer.alloc(0);
  const text = payload.toString('utf8');
  // Watchers' clients parse it: only one well-formed <Data> document without a DTD is passed on.
  if (payload.length > MAX_DOCUMENT || personalMessageProblem(text)) throw new ProtocolError(201);
  s.ctx.core.presence.setPersonal(me(s).id, text);
  s.send(`UUX ${t} 0`);
});
