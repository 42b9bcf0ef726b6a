// PRP (MSNP5+): one's own phone numbers and mobile settings; from MSNP10 also
// MFN, one's own friendly name (watchers see it). Contacts who may see the
// numbers get a BPR (core: ContactService.setProperty).
import { ProtocolError } from '../../session.js';
import { urlDecode } from '../../wire/urlcode.js';
import { MAX_NAME_BYTES } from './ADD.js';
import { NEWEST, core, encodedLength, me, replyHead, signedIn } from './util.js';

const PHONES = new Set(['PHH', 'PHW', 'PHM']);
const FLAGS = new Set(['MOB', 'MBE']);
/** Longest value (encoded bytes) the original service accepted. */
const MAX_VALUE_BYTES = 95;

export const PRP = signedIn('PRP', [5, NEWEST], 2, async (s, cmd, t) => {
  const key = cmd.args[1]!;
  const token = cmd.args[2] ?? '';
  const account = me(s);
  const contacts = s.ctx.core.contacts;
  if (key === 'MFN' && s.v.abch) {
    if (encodedLength(token) > MAX_NAME_BYTES) throw new ProtocolError(209);
    const version = await core(s, () => contacts.setFriendlyName(account.id, urlDecode(token)));
    return s.send(`${replyHead(s, 'PRP', t, version)} MFN ${token}`);
  }
  // Unknown (or lower-case) keys: 715, as the original service answered.
  if (!PHONES.has(key) && !FLAGS.has(key)) throw new ProtocolError(715);
  if (encodedLength(token) > MAX_VALUE_BYTES) throw new ProtocolError(201);
  const value = urlDecode(token);
  if (FLAGS.has(key) ? value !== 'Y' && value !== 'N' : /[\r\n\0]/.test(value)) throw new ProtocolError(201);
  const r = await core(s, () => contacts.setProperty(account.id, key, value));
  const head = replyHead(s, 'PRP', t, r.version);
  s.send(r.value ? `${head} ${key} ${FLAGS.has(key) ? r.value : token}` : `${head} ${key}`);
});
