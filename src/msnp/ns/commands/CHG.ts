// CHG: set one's status (MSNP8+: with client capabilities, MSNP9+: and a
// display picture, the MSNObject). The first CHG of a session also lists
// the contacts the user may see online (ILN, and from MSNP11 their personal
// messages).
import { msnObjectProblem } from '../../../core/client-xml.js';
import { isStatus } from '../../../core/presence-types.js';
import { ProtocolError } from '../../session.js';
import { urlDecode } from '../../wire/urlcode.js';
import { iln, nln } from '../render/presence.js';
import { parseCaps } from '../uux-documents.js';
import { initialMailDataMessage, mailDataValue } from '../render/oim.js';
import { initialMailData } from '../render/signin.js';
import { NEWEST, me, signedIn } from './util.js';

export const CHG = signedIn('CHG', [2, NEWEST], 2, async (s, cmd, t) => {
  const status = cmd.args[1]!;
  // FLN is what others see, never a state one sets.
  if (!isStatus(status)) throw new ProtocolError(201);
  let caps = 0;
  let extCaps = 0;
  let msnObject = '';
  if (s.v.presenceCaps && cmd.args[2] !== undefined) {
    // MSNP16+: `caps:extcaps`, read as numbers (client-quirks.md "Capabilities").
    const c = parseCaps(cmd.args[2], s.v.endpoints);
    if (!c) throw new ProtocolError(201);
    ({ caps, extCaps } = c);
    // `0` means "no picture" in later versions' convention.
    if (s.v.presenceMsnObject && cmd.args[3] !== undefined && cmd.args[3] !== '0') {
      msnObject = urlDecode(cmd.args[3]);
      // Relayed to every watcher's parser: one <msnobj/> element and nothing else.
      if (msnObjectProblem(msnObject)) throw new ProtocolError(201);
    }
  }
  const account = me(s);
  const core = s.ctx.core;
  const was = core.presence.get(account.id)?.status;
  core.presence.setStatus(account.id, status, caps, msnObject, extCaps);
  s.send(`CHG ${t} ${cmd.args.slice(1, s.v.presenceMsnObject ? 4 : s.v.presenceCaps ? 3 : 2).join(' ')}`);
  // MSNP2-12 have no way to fetch offline messages: a switchboard brings them once they can be rung
  // (first visible status, or leaving HDN; messages arriving later come with their own event).
  if (!s.v.oimMailData && status !== 'HDN' && (was === undefined || was === 'HDN')) core.courier.deliver(account.id, account.email);
  if (s.initialStatusSent) return;
  s.initialStatusSent = true;
  const list = core.lists.peek(account.id);
  if (list) {
    for (const p of core.presence.visibleContacts(list)) {
      // COMPAT: neither MSNP18 client (Pidgin 2.11, MSNPSharp 3.2.1) handles ILN: NLN (client-quirks.md).
      s.send(s.v.initialNln ? nln(s.v, p) : iln(s.v, t, p));
      s.sendProfile(p);
    }
  }
  // COMPAT: the 2005 service sent the mail summary after the first presence burst (ns-msnp8-12 §3.6).
  if (s.v.oimMailData) {
    // The waiting offline messages (client-quirks.md "Offline messages"); the client fetches them over RSI.
    const waiting = await core.offline.list(account.id);
    s.sendWithPayload('MSG Hotmail Hotmail', initialMailDataMessage(mailDataValue(waiting, account.email)));
    return;
  }
  const mail = initialMailData(s.v);
  if (mail) s.sendWithPayload('MSG Hotmail Hotmail', mail);
});
