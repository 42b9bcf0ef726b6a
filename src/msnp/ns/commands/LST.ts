// LST t <list>: one list on its own (the draft's standalone form).
import type { ListName } from '../../../core/model.js';
import { ProtocolError } from '../../session.js';
import { listLines } from '../render/classic.js';
import { syncData } from './SYN.js';
import { needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

export const LST: NsCommand = {
  verb: 'LST',
  versions: [2, 8],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const name = cmd.args[1] as ListName;
    if (!['FL', 'AL', 'BL', 'RL'].includes(name)) throw new ProtocolError(201);
    const d = await syncData(s);
    for (const line of listLines(s.v, t, name, d.list.listVersion, d)) s.send(line);
  },
};
