// UUM (MSNP13+): a message to someone on the notification connection.
// `UUM t email 1 1 len` with `Dest-Agent: client` is an offline message
// (COMPAT: MSNPSharp 3.2.1 sends its OIMs this way, client-quirks.md "Offline
// messages"); it is stored like an OIM Store and the recipient fetches it the
// same ways. Success has no reply (the client expects none); a refusal is 509,
// the UUM error (errors.md); another network is 204.
import type { OfflineRefusal } from '../../../core/offline-messages.js';
import { ProtocolError } from '../../session.js';
import { NEWEST, core, emailArg, me, needArgs, signedIn } from './util.js';

/** Network id of Messenger (1) and the text message type (1). */
const MESSENGER = '1';
const TEXT = '1';

const REFUSED: Record<OfflineRefusal, number> = {
  'no-such-user': 509, 'not-allowed': 509, 'recipient-full': 509, 'sender-full': 509, empty: 509, 'too-large': 509,
};

/** The text of a plain-text MIME payload, or undefined. */
function plainText(payload: Buffer): string | undefined {
  const s = payload.toString('utf8');
  const split = s.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const type = /^content-type:\s*([^;\r\n]+)/im.exec(s.slice(0, split))?.[1]?.trim().toLowerCase();
  if (type !== 'text/plain') return undefined;
  return s.slice(split + 4);
}

export const UUM = signedIn('UUM', [13, NEWEST], 5, async (s, cmd) => {
  needArgs(cmd, 5);
  const to = emailArg(cmd.args[1]);
  if (cmd.args[2] !== MESSENGER) throw new ProtocolError(204);
  // Typing and other signals to someone offline go nowhere.
  if (cmd.args[3] !== TEXT) return;
  const text = plainText(cmd.payload ?? Buffer.alloc(0));
  if (text === undefined) throw new ProtocolError(201);
  const account = me(s);
  const name = s.ctx.core.presence.get(account.id)?.friendlyName ?? account.email;
  const r = await core(s, () => s.ctx.core.offline.send({ accountId: account.id, email: account.email, friendlyName: name }, to, text));
  if (!r.ok) throw new ProtocolError(REFUSED[r.reason]);
});
