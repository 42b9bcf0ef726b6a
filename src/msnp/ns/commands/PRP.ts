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
    let value = urlDecode(token);
    if (FLAGS.has(key)) {
      if (value !== 'Y' && value !== 'N') throw new ProtocolError(201);
      // Paging a mobile needs a mobile device enabled (MBE) first.
      const props = s.ctx.core.lists.peek(me(s).id)?.properties ?? {};
      if (key === 'MOB' && value === 'Y' && props.MBE !== 'Y') value = 'N';
    } else if (/[\r\n\0]/.test(value)) {
      throw new ProtocolError(201);
    }
    const version = await core(s, () => s.ctx.core.contacts.setProperty(me(s).id, key, value));
    s.send(value ? `PRP ${t} ${version} ${key} ${FLAGS.has(key) ? value : token}` : `PRP ${t} ${version} ${key}`);
  },
};
