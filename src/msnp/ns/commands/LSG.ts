// LSG t: the group list on its own (MSNP7).
import { groupLines } from '../render/classic.js';
import { syncData } from './SYN.js';
import { NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const LSG: NsCommand = {
  verb: 'LSG',
  versions: [7, 8],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    const d = await syncData(s);
    for (const line of groupLines(t, d.list.listVersion, d.groups)) s.send(line);
  },
};
