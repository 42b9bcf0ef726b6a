// LST t <list>: one list on its own (the draft's standalone form).
import type { ListName } from '../../../core/model.js';
import { ProtocolError } from '../../session.js';
import { listLines } from '../render/classic.js';
import { syncData } from './SYN.js';
import { signedIn } from './util.js';

export const LST = signedIn('LST', [2, 8], 2, async (s, cmd, t) => {
  const name = cmd.args[1] as ListName;
  if (!['FL', 'AL', 'BL', 'RL'].includes(name)) throw new ProtocolError(201);
  const d = await syncData(s);
  for (const line of listLines(s.v, t, name, d.list.listVersion, d)) s.send(line);
});
