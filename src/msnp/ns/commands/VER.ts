// VER: pick the highest version both sides speak; `VER t 0` and close if none.
import { negotiate } from '../../versions.js';
import { tridOf, type NsCommand } from './util.js';

export const VER: NsCommand = {
  verb: 'VER',
  versions: [0, 99],
  states: ['new', 'ver'],
  outOfState: 715,
  handle(s, cmd) {
    const t = tridOf(cmd);
    const v = negotiate(cmd.args.slice(1), s.ctx.config.msnp13);
    if (v === undefined) {
      s.send(`VER ${t} 0`);
      s.close(`no common version in "${cmd.args.slice(1).join(' ')}"`);
      return;
    }
    s.setVersion(v);
    s.state = 'ver';
    // COMPAT: MSNPSharp reads only the first dialect of the reply (client-quirks.md).
    s.send(`VER ${t} MSNP${v}`);
  },
};
