// RMG: delete a group (MSNP7-9 by id, with the list version; MSNP10+ by GUID,
// echoed). Its contacts stay on the forward list.
import { groupRef } from './groups.js';
import { core, me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const RMG: NsCommand = {
  verb: 'RMG',
  versions: [7, 12],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const g = groupRef(s, cmd.args[1]);
    const r = await core(s, () => s.ctx.core.contacts.removeGroup(me(s).id, g));
    s.send(s.v.abch ? `RMG ${t} ${r.group.guid}` : `RMG ${t} ${r.version} ${g}`);
  },
};
