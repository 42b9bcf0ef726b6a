// ADG t <name> 0: create a group (MSNP7; names up to 61 encoded bytes).
import { urlEncode } from '../../wire/urlcode.js';
import { groupName } from './groups.js';
import { core, me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const ADG: NsCommand = {
  verb: 'ADG',
  versions: [7, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const name = groupName(cmd.args[1], 61);
    const r = await core(s, () => s.ctx.core.contacts.addGroup(me(s).id, name));
    s.send(`ADG ${t} ${r.version} ${urlEncode(r.group.name)} ${r.group.id} 0`);
  },
};
