// The OIM store (`/OimWS/oim.asmx`, Store and Store2; oim_ws.wsdl): an
// offline message from the token's account to `To`, after the lock-key
// challenge. services.md §7.1, client-quirks.md "Offline messages".
import { randomInt } from 'node:crypto';
import type { Core } from '../../core/core.js';
import type { OfflineRefusal } from '../../core/offline-messages.js';
import { expectedAnswer } from '../../msnp/challenges.js';
import type { SoapAction } from './endpoint.js';
import { child, textOf } from './envelope.js';
import { HotmailFault } from './hotmail-fault.js';
import { parseOimContent } from './oim-content.js';

export const OIM_NS = 'http://messenger.msn.com/ws/2004/09/oim/';
const RM_NS = 'http://schemas.xmlsoap.org/ws/2003/03/rm';
const UTILITY_NS = 'http://schemas.xmlsoap.org/ws/2002/07/utility';

/** Challenges an account may answer at once (several clients of one account), newest last. */
const CHALLENGES_KEPT = 4;
/** How long a challenge stays answerable: clients reuse one lock key for every later message. */
const CHALLENGE_TTL_MS = 24 * 3600_000;

/** Lock-key challenges issued per account, in memory (a restart issues new ones; clients recompute). */
export class LockKeys {
  private readonly issued = new Map<number, { value: string; expiresAt: number }[]>();

  issue(accountId: number, now: number): string {
    // Digits, as the service sent (services.md §7.1); the answer is the MSNP11+ CHL algorithm.
    let value = String(randomInt(1, 10));
    while (value.length < 20) value += String(randomInt(0, 10));
    const mine = (this.issued.get(accountId) ?? []).filter((c) => c.expiresAt > now);
    mine.push({ value, expiresAt: now + CHALLENGE_TTL_MS });
    this.issued.set(accountId, mine.slice(-CHALLENGES_KEPT));
    return value;
  }

  /** Whether `lockkey` answers a live challenge of the account for product `appid`. */
  accepts(accountId: number, appid: string, lockkey: string, now: number): boolean {
    const mine = this.issued.get(accountId);
    if (!mine || !lockkey) return false;
    const k = lockkey.toLowerCase();
    return mine.some((c) => c.expiresAt > now && expectedAnswer('lockkey', c.value, appid) === k);
  }
}

function attr(n: unknown, name: string): string {
  const v = n && typeof n === 'object' ? (n as Record<string, unknown>)[`@${name}`] : undefined;
  return typeof v === 'string' ? v.trim() : '';
}

/** The refusals as the faults Pidgin 2.11 and MSNPSharp 3.2.1 tell apart. */
const REFUSAL: Record<OfflineRefusal, [code: string, message: string]> = {
  'no-such-user': ['SystemUnavailable', 'The recipient cannot receive offline messages'],
  'not-allowed': ['SystemUnavailable', 'The recipient cannot receive offline messages'],
  'recipient-full': ['SystemUnavailable', 'The recipient cannot receive more offline messages'],
  'sender-full': ['SenderThrottleLimitExceeded', 'Too many offline messages waiting for this recipient'],
  empty: ['InvalidContent', 'The message is empty'],
  'too-large': ['InvalidContent', 'The message is too large'],
};

export function oimActions(core: Core, lockKeys: LockKeys): Record<string, SoapAction> {
  const store: SoapAction = async ({ soap, principal, now }) => {
    const ticket = child(soap.header, 'Ticket');
    // COMPAT: Pidgin 2.11 sends lockkey="" before its first challenge.
    if (!lockKeys.accepts(principal.accountId, attr(ticket, 'appid'), attr(ticket, 'lockkey'), now)) {
      // client-quirks.md: the detail carries only LockKeyChallenge (MSNPSharp reads the whole detail text).
      const challenge = lockKeys.issue(principal.accountId, now);
      throw new HotmailFault('AuthenticationFailed', 'Exception of type AuthenticationFailed was thrown.', `<LockKeyChallenge xmlns="${OIM_NS}">${challenge}</LockKeyChallenge>`);
    }
    const to = attr(child(soap.header, 'To'), 'memberName');
    const type = textOf(child(soap.body, 'MessageType'))?.trim();
    const raw = textOf(child(soap.body, 'Content'));
    if (!to) throw new HotmailFault('SystemUnavailable', 'No recipient');
    if (type !== 'text' || raw === undefined) throw new HotmailFault('InvalidContent', 'MessageType must be text, with a Content');
    const content = parseOimContent(raw);
    if (!content) throw new HotmailFault('InvalidContent', 'The message content cannot be read');
    const numberText = textOf(child(soap.header, 'Sequence', 'MessageNumber'))?.trim() ?? '';
    const number = /^\d{1,15}$/.test(numberText) ? Number(numberText) : (content.seq ?? 0);
    const account = await core.store.getAccountById(principal.accountId);
    const r = await core.offline.send(
      { accountId: principal.accountId, email: principal.email, friendlyName: account?.friendlyName ?? principal.email },
      to,
      content.text,
      content.runId !== undefined ? { runId: content.runId, seq: content.seq ?? number } : undefined,
    );
    if (!r.ok) throw new HotmailFault(...REFUSAL[r.reason]);
    // Committed: only now does the client hear success. The acknowledgment echoes the message number (MSNPSharp checks it).
    return {
      header: `<SequenceAcknowledgment xmlns="${RM_NS}"><Identifier xmlns="${UTILITY_NS}">http://messenger.msn.com</Identifier><AcknowledgmentRange Upper="${number}" Lower="${number}" /></SequenceAcknowledgment>`,
      body: `<StoreResponse xmlns="${OIM_NS}"><PointsConsumed>0</PointsConsumed></StoreResponse>`,
    };
  };
  // Store (WLM 8.0/8.1, http://messenger.msn.com/ws/2004/09/oim/Store) and Store2 (8.5+, Pidgin, MSNPSharp).
  return { Store: store, Store2: store };
}
