// REM: take a contact off a list. MSNP2-9 name it by address (MSNP7+: with a
// group id, out of that group only) and get the list version back; MSNP10+
// name a forward contact by its GUID (with a group GUID, out of that group),
// the other lists by address, and get the request echoed.
import { ProtocolError } from '../../session.js';
import { groupArg, userList } from './lists.js';
import { core, emailArg, me, signedIn } from './util.js';

export const REM = signedIn('REM', [2, 12], 3, async (s, cmd, t) => {
  const account = me(s);
  const contacts = s.ctx.core.contacts;
  if (!s.v.abch) {
    const list = userList(cmd.args[1]);
    const email = emailArg(cmd.args[2]);
    const group = groupArg(s, list, cmd.args[3]);
    const r = await core(s, () => contacts.remove(account.id, list, email, group));
    return s.send(`REM ${t} ${list} ${r.version} ${r.email}${group !== undefined ? ` ${group}` : ''}`);
  }
  const list = cmd.args[1]!;
  if (list === 'PL') {
    // Never an error: clients treat one here as fatal.
    const email = emailArg(cmd.args[2]);
    await core(s, () => contacts.settlePending(account.id, email));
    return s.send(`REM ${t} PL ${email}`);
  }
  if (list === 'FL') {
    const entry = contacts.findContact(account.id, cmd.args[2]!);
    if (!entry) throw new ProtocolError(216);
    let groupId: number | undefined;
    if (cmd.args[3] !== undefined) {
      const g = contacts.findGroup(account.id, cmd.args[3]);
      if (!g) throw new ProtocolError(224);
      groupId = g.id;
    }
    await core(s, () => contacts.remove(account.id, 'FL', entry.email, groupId));
    return s.send(`REM ${t} FL ${cmd.args[2]}${cmd.args[3] !== undefined ? ` ${cmd.args[3]}` : ''}`);
  }
  const l = userList(list);
  const email = emailArg(cmd.args[2]);
  await core(s, () => contacts.remove(account.id, l, email));
  s.send(`REM ${t} ${l} ${email}`);
});
