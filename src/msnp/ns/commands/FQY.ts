// FQY (MSNP13+): which network each address is on, before an ADL. Every
// msnpd account is on Messenger (1); unknown addresses are left out, and a
// query naming none we know gets 208 (errors.md). Clients ask about the one
// address they are adding; a cap keeps it from serving as a bulk account probe.
import { ProtocolError } from '../../session.js';
import { fqyAnswer, parseMl } from '../ml.js';
import { NEWEST, signedIn } from './util.js';

/** Addresses one FQY may ask about. */
export const MAX_FQY_ENTRIES = 20;

export const FQY = signedIn('FQY', [13, NEWEST], 2, async (s, cmd, t) => {
  const r = parseMl(cmd.payload ?? Buffer.alloc(0));
  if (!r.ok) throw new ProtocolError(r.code, true);
  if (r.entries.length > MAX_FQY_ENTRIES) throw new ProtocolError(241, true);
  const known: string[] = [];
  for (const e of r.entries) {
    const a = await s.ctx.core.accounts.get(e.email);
    if (a) known.push(a.email);
  }
  if (known.length === 0) throw new ProtocolError(208);
  s.sendWithPayload(`FQY ${t}`, fqyAnswer(known));
});
