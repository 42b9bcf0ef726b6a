// SBP (MSNP10-12): a property of a contact, by GUID: MFN (the name the user
// keeps for the contact), MOB, WWE, PHM, HSB. Names follow the contact's own
// (the official client re-sends SBP MFN when a contact renames), so nothing
// is stored; the list version moves and the request is echoed.
import { ProtocolError } from '../../session.js';
import { core, encodedLength, me, signedIn } from './util.js';
import { MAX_NAME_BYTES } from './ADD.js';

export const SBP = signedIn('SBP', [10, 12], 3, async (s, cmd, t) => {
  const account = me(s);
  const entry = s.ctx.core.contacts.findContact(account.id, cmd.args[1]!);
  if (!entry) throw new ProtocolError(216);
  if (encodedLength(cmd.args[3] ?? '') > MAX_NAME_BYTES) throw new ProtocolError(209);
  await core(s, () => s.ctx.core.contacts.touchContact(account.id, entry.email));
  s.send(`SBP ${t} ${cmd.args.slice(1).join(' ')}`);
});
