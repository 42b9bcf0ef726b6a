// ADC (MSNP10-12): add to a list by address (`N=`), or an existing forward
// contact (`C=<guid>`) to a group. The RL form only acknowledges someone who
// added the user (it settles the pending list); it never fails, since
// clients treat errors there as fatal (ns-msnp8-12 §3.14).
import { ProtocolError } from '../../session.js';
import { urlEncode } from '../../wire/urlcode.js';
import { iln } from '../render/presence.js';
import { MAX_NAME_BYTES } from './ADD.js';
import { core, emailArg, encodedLength, me, signedIn } from './util.js';

/** The `N=`, `F=`, `C=` arguments of ADC. */
function fields(args: string[]): { n?: string; f?: string; c?: string; rest: string[] } {
  const out: { n?: string; f?: string; c?: string; rest: string[] } = { rest: [] };
  for (const a of args) {
    if (a.startsWith('N=')) out.n = a.slice(2);
    else if (a.startsWith('F=')) out.f = a.slice(2);
    else if (a.startsWith('C=')) out.c = a.slice(2);
    else out.rest.push(a);
  }
  return out;
}

export const ADC = signedIn('ADC', [10, 12], 3, async (s, cmd, t) => {
  const list = cmd.args[1]!;
  const f = fields(cmd.args.slice(2));
  const account = me(s);
  const contacts = s.ctx.core.contacts;
  if (list === 'RL') {
    const email = emailArg(f.n);
    await core(s, () => contacts.settlePending(account.id, email));
    return s.send(`ADC ${t} RL N=${email}`);
  }
  if (list !== 'FL' && list !== 'AL' && list !== 'BL') throw new ProtocolError(201);
  if (list === 'FL' && f.c !== undefined) {
    // An existing forward contact into a group.
    const entry = contacts.findContact(account.id, f.c);
    const group = f.rest[0] ? contacts.findGroup(account.id, f.rest[0]) : undefined;
    if (!entry) throw new ProtocolError(216);
    if (!group) throw new ProtocolError(224);
    await core(s, () => contacts.add(account.id, 'FL', entry.email, group.id));
    return s.send(`ADC ${t} FL C=${entry.guid} ${group.guid}`);
  }
  const email = emailArg(f.n);
  if (f.f !== undefined && encodedLength(f.f) > MAX_NAME_BYTES) throw new ProtocolError(209);
  // Accepted in one step too (a group GUID after N= F=), though clients use two.
  const group = list === 'FL' && f.rest[0] ? contacts.findGroup(account.id, f.rest[0]) : undefined;
  if (list === 'FL' && f.rest[0] && !group) throw new ProtocolError(224);
  const r = await core(s, () => contacts.add(account.id, list, email, group?.id), { 'no-such-user': 208 });
  if (list !== 'FL') return s.send(`ADC ${t} ${list} N=${r.email}`);
  s.send(`ADC ${t} FL N=${r.email} F=${f.f ?? urlEncode(r.friendlyName)} C=${r.guid}${group ? ` ${group.guid}` : ''}`);
  if (r.presence && s.initialStatusSent) {
    s.send(iln(s.v, t, r.presence));
    s.sendPersonal(r.presence.email, r.presence.personal);
  }
});
