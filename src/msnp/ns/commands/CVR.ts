// CVR: client version report. We recommend the client's own version and set
// the minimum below every real client, so nobody is pushed to "upgrade".
import { NEWEST, needArgs, tridOf, type NsCommand } from './util.js';

export const CVR: NsCommand = {
  verb: 'CVR',
  versions: [2, NEWEST],
  states: ['ver', 'auth', 'online'],
  outOfState: 'close',
  handle(s, cmd) {
    const t = tridOf(cmd);
    // CVR t lcid os osver arch library version [codebase]
    needArgs(cmd, 7);
    const version = cmd.args[6]!;
    const base = s.ctx.config.urlBase;
    s.send(`CVR ${t} ${version} ${version} 1.0.0000 ${base}download ${base}`);
  },
};
