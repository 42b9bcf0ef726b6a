// REA (MSNP2-9): change one's own friendly name (watchers see it), or, as old
// clients do to keep their lists current, a contact's name (stored names
// follow the contact's own, so only the list version moves).
import { ProtocolError } from '../../session.js';
import { urlDecode } from '../../wire/urlcode.js';
import { MAX_NAME_BYTES } from './ADD.js';
import { core, emailArg, encodedLength, me, signedIn } from './util.js';

export const REA = signedIn('REA', [2, 9], 3, async (s, cmd, t) => {
  const email = emailArg(cmd.args[1]);
  const token = cmd.args[2]!;
  if (encodedLength(token) > MAX_NAME_BYTES) throw new ProtocolError(209);
  const account = me(s);
  const contacts = s.ctx.core.contacts;
  const version = await core(s, () =>
    email === account.email ? contacts.setFriendlyName(account.id, urlDecode(token)) : contacts.touchContact(account.id, email),
  );
  s.send(`REA ${t} ${version} ${email} ${token}`);
});
