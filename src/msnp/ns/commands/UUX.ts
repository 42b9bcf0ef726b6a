// UUX (MSNP11+): the personal message and current media, an XML document the
// client writes; it is relayed to watchers (UBX) as written. `UUX t 0`.
import { personalMessageProblem } from '../../../core/client-xml.js';
import { ProtocolError } from '../../session.js';
import { me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

/** Largest personal-message document kept (the official client stays far below it). */
const MAX_DOCUMENT = 4096;

export const UUX: NsCommand = {
  verb: 'UUX',
  versions: [11, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const payload = cmd.payload ?? Buffer.alloc(0);
    const text = payload.toString('utf8');
    // Watchers' clients parse it: only one well-formed <Data> document without a DTD is passed on.
    if (payload.length > MAX_DOCUMENT || personalMessageProblem(text)) throw new ProtocolError(201);
    s.ctx.core.presence.setPersonal(me(s).id, text);
    s.send(`UUX ${t} 0`);
  },
};
