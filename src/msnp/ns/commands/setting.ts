// BLP and GTC share one shape: a two-valued account setting, set to one of
// its values; the reply echoes it (with the list version in MSNP2-9).
import { ProtocolError } from '../../session.js';
import type { NsSession } from '../session.js';
import { ALL, core, me, replyHead, signedIn, type NsCommand } from './util.js';

export function settingCommand<V extends string>(
  verb: string,
  values: readonly V[],
  set: (s: NsSession, accountId: number, value: V) => Promise<number>,
  versions: readonly [number, number] = ALL,
): NsCommand {
  return signedIn(verb, versions, 2, async (s, cmd, t) => {
    const v = cmd.args[1] as V;
    if (!values.includes(v)) throw new ProtocolError(201);
    const version = await core(s, () => set(s, me(s).id, v));
    s.send(`${replyHead(s, verb, t, version)} ${v}`);
  });
}
