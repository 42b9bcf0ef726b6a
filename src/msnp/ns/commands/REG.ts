// REG: rename a group. MSNP7-9: `REG t <id> <name> 0` → `REG t ver <id> <name> 0`;
// MSNP10+: `REG t <guid> <name>` → echoed. Names up to 127 encoded bytes.
import { urlEncode } from '../../wire/urlcode.js';
import { groupName, groupRef } from './groups.js';
import { core, me, signedIn } from './util.js';

export const REG = signedIn('REG', [7, 12], 3, async (s, cmd, t) => {
  const g = groupRef(s, cmd.args[1]);
  const name = groupName(cmd.args[2], 127);
  const r = await core(s, () => s.ctx.core.contacts.renameGroup(me(s).id, g, name));
  const n = urlEncode(r.group.name);
  s.send(s.v.abch ? `REG ${t} ${r.group.guid} ${n}` : `REG ${t} ${r.version} ${g} ${n} 0`);
});
