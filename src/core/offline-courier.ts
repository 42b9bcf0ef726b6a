// Offline messages for clients that have no way to fetch them (MSNP2-12:
// no RSI, no Mail-Data entries): the server opens a conversation for each
// sender, rings the recipient as the sender would, and once the recipient has
// joined, relays the waiting messages as ordinary instant messages, then the
// sender leaves. A message is deleted only after it was written to the
// recipient's switchboard connection; anything else leaves it waiting for the
// next sign-in (docs/decisions.md "Offline messages"), except the messages of
// a sender who blocks the recipient or is blocked by it: this path can never
// deliver them, and kept they would fill the recipient's box for good (a
// sender could send the most it may and then block the recipient).
import type { Chat, ChatEvent, ChatMember, ChatService } from './chats.js';
import type { DeadlineHeap } from './deadline-heap.js';
import type { Clock } from './clock.js';
import type { OfflineMessage, OfflineMessages } from './offline-messages.js';

/** The plain-text message every MSNP version shows (flows.md §1 MSG). */
export const PLAIN_TEXT_HEADER = 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n';

export class OfflineCourier {
  /** Recipients with a delivery under way (one at a time per account). */
  private readonly busy = new Set<number>();

  constructor(
    private readonly offline: OfflineMessages,
    private readonly chats: ChatService,
    private readonly timers: DeadlineHeap,
    private readonly clock: Clock,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Delivers what waits for the account, sender by sender; a no-op while one delivery runs. */
  deliver(accountId: number, email: string): void {
    if (this.busy.has(accountId)) return;
    this.busy.add(accountId);
    this.run(accountId, email)
      .catch(this.onError)
      .finally(() => this.busy.delete(accountId));
  }

  private async run(accountId: number, email: string): Promise<void> {
    const waiting = await this.offline.list(accountId);
    const bySender = new Map<number, OfflineMessage[]>();
    for (const m of waiting) bySender.set(m.senderId, [...(bySender.get(m.senderId) ?? []), m]);
    for (const ms of bySender.values()) await this.conversation(accountId, email, ms);
  }

  /** One sender's messages in one conversation; resolves when it is over (joined and done, or not answered). */
  private conversation(accountId: number, email: string, ms: OfflineMessage[]): Promise<void> {
    const first = ms[ms.length - 1]!;
    return new Promise<void>((resolve) => {
      let chat: Chat | undefined;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.timers.cancel(deadline);
        if (chat) this.chats.leave(chat, courier);
        resolve();
      };
      const relay = async () => {
        if (!chat || done) return;
        const delivered: string[] = [];
        for (const m of ms) {
          const r = this.chats.send(chat, courier, Buffer.from(PLAIN_TEXT_HEADER + m.body, 'utf8'));
          if (r.delivered === 0) break;
          delivered.push(m.id);
        }
        try {
          await this.offline.delete(accountId, delivered);
        } finally {
          finish();
        }
      };
      const courier: ChatMember = {
        endpointId: `courier:${accountId}:${first.senderId}`,
        accountId: first.senderId,
        email: first.senderEmail,
        friendlyName: first.senderName || first.senderEmail,
        caps: 0,
        extCaps: 0,
        endpoint: undefined,
        deliver: (e: ChatEvent) => {
          // The recipient joined: relay after its switchboard has sent IRO and ANS OK.
          if (e.type === 'join' && e.email === email) setImmediate(() => void relay().catch(this.onError));
          else if (e.type === 'leave' && e.email === email) finish();
          return true;
        },
      };
      // Nobody answered the ring: the messages wait for the next sign-in.
      const deadline = this.timers.add(this.clock.now() + this.chats.ringTimeoutMs + 1000, finish);
      this.chats.openFor(courier, accountId, email).then(
        (c) => {
          if (c === 'blocked') {
            void this.offline.delete(accountId, ms.map((m) => m.id)).catch(this.onError).finally(finish);
            return;
          }
          chat = c;
          if (!c) finish();
        },
        (e: unknown) => {
          this.onError(e);
          finish();
        },
      );
    });
  }
}
