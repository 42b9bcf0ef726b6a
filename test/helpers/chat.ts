// Two signed-in clients (no status yet) who become friends and open a conversation.
import type { NsClient } from '../../src/client/ns-client.js';
import type { SbClient } from '../../src/client/sb-client.js';

/** Puts each on the other's forward list, sets both online, and has `a` bring `b` into a new conversation. */
export async function openPair(a: NsClient, b: NsClient): Promise<{ sa: SbClient; sb: SbClient }> {
  const group = (c: NsClient) => (c.version >= 7 ? ['0'] : []);
  await a.conn.request('ADD', ['FL', b.email, 'x', ...group(a)]);
  await b.conn.request('ADD', ['FL', a.email, 'x', ...group(b)]);
  await a.setStatus('NLN');
  await b.setStatus('NLN');
  const sa = await a.openChat();
  await sa.call(b.email);
  const { sb } = await b.acceptInvitation();
  await sa.conn.expect('JOI');
  return { sa, sb };
}
