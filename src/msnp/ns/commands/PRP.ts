// PRP: one's own phone numbers and mobile settings (MSNP5-7). Contacts who
// may see them get a BPR (core: ContactService.setProperty).
import { ProtocolError } from '../../session.js';
import { urlDecode } from '../../wire/urlcode.js';
import { core, encodedLength, me, needArgs, NOT_LOGGED_IN, SIGNED_IN, tridOf, type NsCommand } from './util.js';

const PHONES = new Set(['PHH', 'PHW', 'PHM']);
const FLAGS = new Set(['MOB', 'MBE']);
/** Longest value (encoded bytes) the original service accepted. */
const MAX_VALUE_BYTES = 95;

export const PRP: NsCommand = {
  verb: 'PRP',
  versions: [5, 7],
  states: SIGNED_IN,
  outOfState: NOT_LOGGED_IN,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 2);
    const key = cmd.args[1]!;
    const token = cmd.args[2] ?? '';
    // Unknown (or lower-case) keys: 715, as the original service answered.
    if (!PHONES.has(key) && !FLAGS.has(key)) throw new ProtocolError(715);
    if (encodedLength(token) > MAX_VALUE_BYTES) throw new ProtocolError(201);
    const value = urlDecode(token);
    if (FLAGS.has(key) ? value !== 'Y' && value !== 'N' : /[\r\n\0]/.test(value)) throw new ProtocolError(201);
    const r = await core(s, () => s.ctx.core.contacts.setProperty(me(s).id, key, value));
    s.send(r.value ? `PRP ${t} ${r.version} ${key} ${FLAGS.has(key) ? r.value : token}` : `PRP ${t} ${r.version} ${key}`);
  },
};
