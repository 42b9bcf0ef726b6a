// ADD (MSNP2-9): put a contact on the forward, allow or block list (MSNP7+:
// into a group). A new forward entry brings blank BPRs (MSNP5+) and, if the
// contact is online and visible, an ILN with this transaction id.
import { ProtocolError } from '../../session.js';
import { bprsAfterAdd } from '../render/lists.js';
import { iln } from '../render/presence.js';
import { groupArg, userList } from './lists.js';
import { core, emailArg, encodedLength, me, signedIn } from './util.js';

/** Longest nickname token (encoded bytes), as the original service allowed. */
export const MAX_NAME_BYTES = 387;

export const ADD = signedIn('ADD', [2, 9], 4, async (s, cmd, t) => {
  const list = userList(cmd.args[1]);
  const email = emailArg(cmd.args[2]);
  const nick = cmd.args[3]!;
  if (encodedLength(nick) > MAX_NAME_BYTES) throw new ProtocolError(209);
  const group = groupArg(s, list, cmd.args[4]);
  const r = await core(s, () => s.ctx.core.contacts.add(me(s).id, list, email, group));
  const g = list === 'FL' && s.v.groups ? ` ${group ?? 0}` : '';
  s.send(`ADD ${t} ${list} ${r.version} ${r.email} ${nick}${g}`);
  if (r.newEntry && s.synced) for (const line of bprsAfterAdd(s.v, r.version, r.email)) s.send(line);
  if (r.presence && s.initialStatusSent) {
    s.send(iln(s.v, t, r.presence));
    s.sendPersonal(r.presence.email, r.presence.personal);
  }
});
