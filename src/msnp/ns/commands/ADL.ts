// ADL and RML (MSNP13+): the lists live in the SOAP address book, and ADL/RML
// tell the notification server about them. The first ADL after sign-in
// (`<ml l="1">`) names the lists the client fetched: the core already holds
// them, so it is checked and acknowledged (bad entries dropped silently,
// client-quirks.md). A later ADL/RML adds or removes entries; where the SOAP
// service already made the change (ABContactAdd, AddMember) it is a no-op, so
// the core's lists stay the one truth either way (docs/decisions.md).
import { CoreError } from '../../../core/errors.js';
import { LIST_BITS, type ListName } from '../../../core/model.js';
import { ProtocolError } from '../../session.js';
import { parseMl, type MlEntry } from '../ml.js';
import { nln } from '../render/presence.js';
import type { NsSession } from '../session.js';
import { NEWEST, me, signedIn } from './util.js';

/** The lists a client may name; RL and PL are the server's (errors.md 241). */
const CLIENT_LISTS: readonly ListName[] = ['FL', 'AL', 'BL'];
const CLIENT_BITS = LIST_BITS.FL | LIST_BITS.AL | LIST_BITS.BL;
/** Network id of a circle's address (versions.md §3). */
const CIRCLE_NETWORK = 9;

/** The entries of a valid document, or the error that closes the connection. */
function entriesOf(s: NsSession, payload: Buffer | undefined, verb: string): { initial: boolean; entries: MlEntry[] } {
  const r = parseMl(payload ?? Buffer.alloc(0));
  if (!r.ok) {
    s.log.info({ verb, why: r.why }, 'bad <ml> document');
    throw new ProtocolError(r.code, true);
  }
  // MSNP18: circles (network 9, after `USR SHA A`) are acknowledged and left
  // alone: msnpd has none yet (issue 14). COMPAT: MSNPSharp 3.2.1 (client-quirks.md).
  if (s.v.circles) r.entries = r.entries.filter((e) => e.network !== CIRCLE_NETWORK);
  if (r.initial) {
    // Initial batch: what cannot be honoured is dropped, never an error.
    return { initial: true, entries: r.entries.filter((e) => e.network === 1).map((e) => ({ ...e, lists: e.lists & CLIENT_BITS })) };
  }
  for (const e of r.entries) {
    if (e.lists & ~CLIENT_BITS || e.lists === 0) throw new ProtocolError(241, true);
    // Only Messenger accounts exist here (no Yahoo! or phone federation).
    if (e.network !== 1) throw new ProtocolError(204);
  }
  return { initial: false, entries: r.entries };
}

export const ADL = signedIn('ADL', [13, NEWEST], 2, async (s, cmd, t) => {
  const { initial, entries } = entriesOf(s, cmd.payload, 'ADL');
  const account = me(s);
  if (!initial) {
    const contacts = s.ctx.core.contacts;
    for (const e of entries) {
      for (const list of CLIENT_LISTS) {
        if (!(e.lists & LIST_BITS[list])) continue;
        try {
          await contacts.add(account.id, list, e.email, undefined, s.endpointId);
        } catch (err) {
          if (!(err instanceof CoreError)) throw err;
          if (err.kind === 'already-on-list') continue;
          if (err.kind === 'no-such-user') throw new ProtocolError(208);
          if (err.kind === 'list-full') throw new ProtocolError(210);
          throw new ProtocolError(241, true);
        }
      }
      // A forward contact who is online: its presence at once (flows.md §4.1),
      // also when the SOAP service put it on the list before this ADL.
      if (e.lists & LIST_BITS.FL && s.initialStatusSent) sendPresenceOf(s, account.id, e.email);
    }
  }
  s.synced = true;
  s.send(`ADL ${t} OK`);
});

function sendPresenceOf(s: NsSession, ownerId: number, email: string): void {
  const core = s.ctx.core;
  const contact = core.lists.peek(ownerId)?.byEmail(email);
  if (!contact || !core.presence.isVisibleTo(contact.contactId, ownerId)) return;
  const p = core.presence.entryOf(contact.contactId);
  if (!p) return;
  s.send(nln(s.v, p));
  s.sendProfile(p);
}

export const RML = signedIn('RML', [13, NEWEST], 2, async (s, cmd, t) => {
  const { entries } = entriesOf(s, cmd.payload, 'RML');
  const account = me(s);
  const contacts = s.ctx.core.contacts;
  for (const e of entries) {
    for (const list of CLIENT_LISTS) {
      if (!(e.lists & LIST_BITS[list])) continue;
      try {
        await contacts.remove(account.id, list, e.email, undefined, s.endpointId);
      } catch (err) {
        // Already gone (the SOAP service removed it first): nothing to do.
        if (!(err instanceof CoreError) || err.kind !== 'not-on-list') throw err;
      }
    }
  }
  s.send(`RML ${t} OK`);
});
