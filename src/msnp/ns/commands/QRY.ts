// QRY: the answer to a CHL (MSNP6+). Under MSNPD_CHALLENGES=enforce a wrong
// answer or an unknown product id gets 540 and a close; under log, a log line.
import { expectedAnswer } from '../../challenges.js';
import { ProtocolError } from '../../session.js';
import { NEWEST, signedIn } from './util.js';

export const QRY = signedIn('QRY', [6, NEWEST], 3, (s, cmd, t) => {
  // Product ids are used as sent: some contain '%' (vectors.md §3.1).
  const productId = cmd.args[1]!;
  const answer = (cmd.payload ?? Buffer.alloc(0)).toString('latin1').trim().toLowerCase();
  const pending = s.challenge;
  const expected = pending && s.v.challenge ? expectedAnswer(s.v.challenge, pending.value, productId) : undefined;
  s.challenge = undefined;
  const policy = s.ctx.config.challenges;
  if (expected === undefined || answer !== expected) {
    const why = !pending ? 'no challenge outstanding' : expected === undefined ? `unknown product id ${productId}` : 'wrong answer';
    if (policy === 'enforce') {
      s.log.info({ email: s.account?.email, why }, 'challenge failed');
      throw new ProtocolError(540, true);
    }
    if (policy === 'log') s.log.warn({ email: s.account?.email, why }, 'challenge failed (MSNPD_CHALLENGES=log)');
  }
  s.send(`QRY ${t}`);
});
