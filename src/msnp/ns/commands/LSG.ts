// LSG t: the group list on its own (MSNP7).
import { groupLines } from '../render/classic.js';
import { syncData } from './SYN.js';
import { signedIn } from './util.js';

export const LSG = signedIn('LSG', [7, 8], 1, async (s, _cmd, t) => {
  const d = await syncData(s);
  for (const line of groupLines(t, d.list.listVersion, d.groups)) s.send(line);
});
