// RMG t <gid>: delete a group (MSNP7). Its contacts stay on the forward list.
import { groupId } from './groups.js';
import { core, me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const RMG: NsCommand = {
  verb: 'RMG',
  versions: [7, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const g = groupId(cmd.args[1]);
    const r = await core(s, () => s.ctx.core.contacts.removeGroup(me(s).id, g));
    s.send(`RMG ${t} ${r.version} ${g}`);
  },
};
