// UUN (MSNP13+): a unified notification from the client, `UUN t <handle> <type> <len>`,
// to be delivered to the endpoints named by the handle (`email`, `1:email`,
// `email;{guid}`) as UBN. msnpd has one endpoint per account (MPOP is issue 14)
// and never sends UBN (COMPAT: Pidgin 2.11 has no use for it and reads unknown
// payloads as commands, client-quirks.md), so only the sign-out requests to
// the user's own endpoints act: type 8 `gtfo` (MSNPSharp 3.2.1 "sign out
// everywhere") and type 4 `goawyplzthxbye…` (matched by prefix: MSNPSharp adds
// `-nomorempop`) naming this endpoint's GUID or none. The endpoint then gets
// `OUT` and is closed. Every well-formed UUN is answered `UUN t OK`.
import { isValidEmail, normaliseEmail } from '../../../core/email.js';
import { ProtocolError } from '../../session.js';
import { normaliseGuid } from '../../endpoint-guid.js';
import { NEWEST, me, signedIn } from './util.js';

/** Largest UUN payload accepted (P2P bootstrap SLP bodies are a few hundred bytes). */
const MAX_UUN = 8192;

/** `email`, `1:email`, each optionally `;{guid}`: the address and GUID, or undefined. */
export function parseHandle(h: string): { email: string; machineGuid: string | undefined } | undefined {
  const m = /^(?:1:)?([^;:\s]+)(?:;(.+))?$/.exec(h);
  if (!m) return undefined;
  const email = normaliseEmail(m[1]!);
  if (!isValidEmail(email)) return undefined;
  if (m[2] === undefined) return { email, machineGuid: undefined };
  const machineGuid = normaliseGuid(m[2]);
  return machineGuid ? { email, machineGuid } : undefined;
}

export const UUN = signedIn('UUN', [13, NEWEST], 4, (s, cmd, t) => {
  const [, handle, type] = cmd.args as [string, string, string];
  const to = parseHandle(handle);
  const payload = cmd.payload ?? Buffer.alloc(0);
  if (!to || !/^\d{1,2}$/.test(type) || cmd.payload === undefined || payload.length > MAX_UUN) throw new ProtocolError(201);
  s.send(`UUN ${t} OK`);
  const account = me(s);
  if (to.email !== account.email) return;
  const body = payload.toString('utf8');
  const core = s.ctx.core;
  if (type === '8' && body === 'gtfo') {
    core.bus.toAccount(account.id, { type: 'sign-out', reason: 'requested' });
  } else if (type === '4' && body.startsWith('goawyplzthxbye')) {
    const target = to.machineGuid ? core.presence.endpointByGuid(account.id, to.machineGuid) : core.presence.get(account.id);
    if (target) core.bus.toEndpoint(target.endpointId, { type: 'sign-out', reason: 'requested' });
  }
});
