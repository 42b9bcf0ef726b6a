// REG t <gid> <name> 0: rename a group (MSNP7; names up to 127 encoded bytes).
import { urlEncode } from '../../wire/urlcode.js';
import { groupId, groupName } from './groups.js';
import { core, me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const REG: NsCommand = {
  verb: 'REG',
  versions: [7, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 3);
    const g = groupId(cmd.args[1]);
    const name = groupName(cmd.args[2], 127);
    const r = await core(s, () => s.ctx.core.contacts.renameGroup(me(s).id, g, name));
    s.send(`REG ${t} ${r.version} ${g} ${urlEncode(r.group.name)} 0`);
  },
};
