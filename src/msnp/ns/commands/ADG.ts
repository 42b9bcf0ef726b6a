// ADG: create a group. MSNP7-9: `ADG t <name> 0` → `ADG t ver <name> <id> 0`;
// MSNP10+: `ADG t <name>` → `ADG t <name> <guid>` (exactly: Digsby and
// Miranda reject extra tokens, ns-msnp8-12 §3.17). Names up to 61 encoded bytes.
import { urlEncode } from '../../wire/urlcode.js';
import { groupName } from './groups.js';
import { core, me, signedIn } from './util.js';

export const ADG = signedIn('ADG', [7, 12], 2, async (s, cmd, t) => {
  const name = groupName(cmd.args[1], 61);
  const r = await core(s, () => s.ctx.core.contacts.addGroup(me(s).id, name));
  const n = urlEncode(r.group.name);
  s.send(s.v.abch ? `ADG ${t} ${n} ${r.group.guid}` : `ADG ${t} ${r.version} ${n} ${r.group.id} 0`);
});
