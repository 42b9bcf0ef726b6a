// SYN: the client's cached list version (MSNP10+: two timestamps) in, the
// lists out; only the SYN line when the client's cache is current.
import type { SyncData } from '../render/classic.js';
import { syncIfCurrent, syncLines } from '../render/lists.js';
import type { NsSession } from '../session.js';
import { ProtocolError } from '../../session.js';
import { ALL, core, me, needArgs, signedIn } from './util.js';

export const SYN = signedIn('SYN', ALL, 1, async (s, cmd, t) => {
  needArgs(cmd, s.v.abch ? 3 : 2);
  const cached = cmd.args.slice(1, s.v.abch ? 3 : 2);
  if (!s.v.abch && !/^\d{1,10}$/.test(cached[0]!)) throw new ProtocolError(201);
  const d = await syncData(s);
  s.synced = true;
  const short = syncIfCurrent(s.v, t, d.list.listVersion, cached);
  if (short) return s.send(short);
  for (const line of syncLines(s.v, t, d)) s.send(line);
});

/** One consistent read of everything a list download shows. */
export function syncData(s: NsSession): Promise<SyncData> {
  return core(s, () => s.ctx.core.contacts.syncView(me(s).id));
}
