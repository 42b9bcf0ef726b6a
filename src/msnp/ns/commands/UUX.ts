// UUX (MSNP11+): the personal message and current media, an XML document the
// client writes; it is relayed to watchers (UBX) as written. `UUX t 0`.
// MSNP16+ also send `<EndpointData>` (the endpoint's capabilities) and
// `<PrivateEndpointData>` (its name, idle flag, client type and state, seen
// only by the user's own endpoints): uux-documents.ts. Each UUX is followed
// by the user's own UBX (flows.md §6.1).
import { personalMessageProblem } from '../../../core/client-xml.js';
import { ProtocolError } from '../../session.js';
import { readUux } from '../uux-documents.js';
import { NEWEST, me, signedIn } from './util.js';

/** Largest personal-message document kept (the official client stays far below it). */
const MAX_DOCUMENT = 4096;

export const UUX = signedIn('UUX', [11, NEWEST], 2, (s, cmd, t) => {
  const payload = cmd.payload ?? Buffer.alloc(0);
  const text = payload.toString('utf8');
  if (payload.length > MAX_DOCUMENT) throw new ProtocolError(201);
  const presence = s.ctx.core.presence;
  const id = me(s).id;
  if (!s.v.endpoints || text.length === 0) {
    // Watchers' clients parse it: only one well-formed <Data> document without a DTD is passed on.
    if (personalMessageProblem(text)) throw new ProtocolError(201);
    s.send(`UUX ${t} 0`);
    presence.setPersonal(id, s.endpointId, text);
    return;
  }
  const doc = readUux(text);
  if ('problem' in doc) {
    s.log.info({ why: doc.problem }, 'UUX refused');
    throw new ProtocolError(201);
  }
  s.send(`UUX ${t} 0`);
  if (doc.kind === 'Data') presence.setPersonal(id, s.endpointId, text);
  else if (doc.kind === 'EndpointData') presence.setEndpointCaps(id, s.endpointId, doc.caps, doc.extCaps);
  else presence.setPrivateEndpoint(id, s.endpointId, doc.data);
});
