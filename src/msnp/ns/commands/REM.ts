// REM: take a contact off a list (MSNP7, with a group: out of that group).
import { groupArg, userList } from './lists.js';
import { core, emailArg, me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const REM: NsCommand = {
  verb: 'REM',
  versions: [2, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 3);
    const list = userList(cmd.args[1]);
    const email = emailArg(cmd.args[2]);
    const group = groupArg(s, list, cmd.args[3]);
    const r = await core(s, () => s.ctx.core.contacts.remove(me(s).id, list, email, group));
    s.send(`REM ${t} ${list} ${r.version} ${r.email}${group !== undefined ? ` ${group}` : ''}`);
  },
};
