// SYN: the client's cached list version in, the lists out (only the SYN line
// when the client is current).
import { syncLines, type SyncData } from '../render/classic.js';
import type { NsSession } from '../session.js';
import { core, me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';
import { ProtocolError } from '../../session.js';

export const SYN: NsCommand = {
  verb: 'SYN',
  versions: [2, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    if (!/^\d{1,10}$/.test(cmd.args[1]!)) throw new ProtocolError(201);
    const cached = Number(cmd.args[1]);
    const d = await syncData(s);
    const v = d.list.listVersion;
    s.synced = true;
    if (cached === v && v !== 0) {
      s.send(`SYN ${t} ${v}`);
      return;
    }
    s.send(`SYN ${t} ${v}`);
    for (const line of syncLines(s.v, t, d)) s.send(line);
  },
};

/** One consistent read of everything a list download shows. */
export function syncData(s: NsSession): Promise<SyncData> {
  return core(s, () => s.ctx.core.contacts.syncView(me(s).id));
}
