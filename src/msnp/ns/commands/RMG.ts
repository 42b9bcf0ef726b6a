// RMG: delete a group (MSNP7-9 by id, with the list version; MSNP10+ by GUID,
// echoed). Its contacts stay on the forward list.
import { groupRef } from './groups.js';
import { core, me, signedIn } from './util.js';

export const RMG = signedIn('RMG', [7, 12], 2, async (s, cmd, t) => {
  const g = groupRef(s, cmd.args[1]);
  const r = await core(s, () => s.ctx.core.contacts.removeGroup(me(s).id, g));
  s.send(s.v.abch ? `RMG ${t} ${r.group.guid}` : `RMG ${t} ${r.version} ${g}`);
});
