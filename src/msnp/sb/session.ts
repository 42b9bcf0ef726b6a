// One participant's switchboard connection. It is also that participant's
// membership of the conversation (ChatMember): the core delivers join, leave
// and message events here, and they are rendered for this client's version.
import type { Chat, ChatEvent, ChatMember, EndpointGuid } from '../../core/chats.js';
import type { EndpointEvent, EventReceiver } from '../../core/events.js';
import { MsnpSession } from '../session.js';
import type { Transport } from '../../net/transport.js';
import type { Command } from '../wire/command.js';
import { urlEncode } from '../wire/urlcode.js';
import { VERSIONS, type VersionTraits } from '../versions.js';
import type { SbContext } from './context.js';
import { advertised } from '../ns/context.js';
import { SB_COMMANDS } from './commands/index.js';

/** new: waiting for USR or ANS; chat: in a conversation. */
export type SbState = 'new' | 'chat';

export class SbSession extends MsnpSession<SbSession> implements ChatMember, EventReceiver {
  readonly endpointId: string;
  accountId = 0;
  email = '';
  friendlyName = '';
  caps = 0;
  extCaps = 0;
  /** MSNP16+: the machine GUID this endpoint named in USR/ANS. */
  endpoint: EndpointGuid | undefined;
  chat: Chat | undefined;
  /** Friendly name as rendered on the wire, computed once. */
  private encodedName = '';

  constructor(
    readonly ctx: SbContext,
    transport: Transport,
    now: number,
  ) {
    super(transport, SB_COMMANDS, ctx.limits, ctx.log, 'new', now, ctx.core.timers);
    this.endpointId = ctx.core.newEndpointId();
    this.rearm();
  }

  protected get self(): SbSession {
    return this;
  }

  protected override admit(cmd: Command): boolean {
    // Before USR/ANS nothing else means anything on a switchboard.
    if (this.state === 'new' && cmd.verb !== 'USR' && cmd.verb !== 'ANS') {
      this.close(`${cmd.verb} before USR/ANS`);
      return false;
    }
    return true;
  }

  /**
   * Takes on the identity a cookie was issued to (USR/ANS); undefined when the
   * endpoint GUID given with USR/ANS means nothing in the cookie's version.
   */
  become(t: { accountId: number; email: string; friendlyName: string; caps: number; extCaps: number; version: number }): this | undefined {
    // An MSNP15-or-older client never names an endpoint: a `;{guid}` there is a forged or confused handle.
    if (this.endpoint && !VERSIONS.get(t.version)?.sbEndpoints) return undefined;
    this.accountId = t.accountId;
    this.email = t.email;
    this.friendlyName = t.friendlyName;
    this.encodedName = urlEncode(t.friendlyName);
    this.caps = t.caps;
    this.extCaps = t.extCaps;
    this.version = t.version;
    return this;
  }

  joined(chat: Chat): void {
    this.chat = chat;
    this.state = 'chat';
    // The idle deadline may come before the sign-in one the session was armed with.
    this.rearm();
    // Deleted accounts reach switchboard connections too.
    this.ctx.core.bus.attach(this);
  }

  onEvent(e: EndpointEvent): void {
    if (e.type === 'sign-out' && e.reason !== 'OTH') this.close(`signed out (${e.reason})`);
  }

  get wireName(): string {
    return this.encodedName;
  }

  deliver(e: ChatEvent): boolean {
    if (this.closed) return false;
    switch (e.type) {
      case 'message':
        // A member that stops reading is dropped once its buffer is over the limit (and the sender gets NAK).
        return this.transport.writeParts(`MSG ${e.email} ${urlEncode(e.friendlyName)} ${e.payload.length}\r\n`, e.payload) && this.checkWriteBuffer();
      case 'join':
        for (const h of this.handles(e.email, e.endpoint)) this.send(`JOI ${h} ${urlEncode(e.friendlyName)}${this.capsSuffix(e.caps, e.extCaps)}`);
        return true;
      case 'leave': {
        const idle = e.idle ? ' 1' : '';
        // MSNP16+: the endpoint's BYE, then the account's once its last endpoint has gone (flows.md §6.2).
        if (this.traits?.sbEndpoints && e.endpoint) this.send(`BYE ${e.email};${e.endpoint.written}${idle}`);
        if (e.lastOfAccount) this.send(`BYE ${e.email}${idle}`);
        return true;
      }
    }
  }

  private get traits(): VersionTraits | undefined {
    return VERSIONS.get(this.version);
  }

  /**
   * How a member is named on IRO/JOI for this client. MSNP16+: the endpoint
   * (`email;{guid}`) and then the account. COMPAT: MSNPSharp 3.2.1 keeps a
   * roster entry per handle and ends the conversation only when every entry
   * has left (SBMessageHandler.OnIROReceived/OnJOIReceived/IsAllContactsInRosterLeft;
   * its own Invite() enters the bare address); Pidgin 2.11 strips the `;{…}`
   * and adds each address once (switchboard.c msn_switchboard_add_user).
   * Older clients see the bare address: they would take a suffix for part of it.
   */
  handles(email: string, endpoint: EndpointGuid | undefined): string[] {
    return this.traits?.sbEndpoints && endpoint ? [`${email};${endpoint.written}`, email] : [email];
  }

  /**
   * ` <caps>` on IRO/JOI for clients of MSNP12 and later (sb-msnp2-12 §5.1);
   * MSNP16+ ` <caps>:<extcaps>` (flows.md §6.2; MSNPSharp 3.2.1 reads the
   * extended capabilities only from that form).
   */
  capsSuffix(caps: number, extCaps: number): string {
    const t = this.traits;
    if (!t?.sbCaps) return '';
    return t.sbExtCaps ? ` ${caps >>> 0}:${extCaps >>> 0}` : ` ${caps >>> 0}`;
  }

  /** Who this endpoint is, as USR OK echoes it: the address, and from MSNP16 the endpoint as it wrote it. */
  get ownHandle(): string {
    return this.handles(this.email, this.endpoint)[0]!;
  }

  /** `host:port` of this switchboard as rings name it: the public host if set, else the address the client reached. */
  get switchboardAddress(): string {
    return advertised(this.ctx, this.transport.localAddress, this.ctx.sbPort());
  }

  protected nextCheckAt(): number {
    const cfg = this.ctx.config;
    if (this.state === 'new') return this.connectedAt + cfg.authTimeout * 1000 + 1;
    return this.lastActivity + cfg.sbIdleTimeout * 1000 + 1;
  }

  /** Due checks: authentication deadline, idleness. */
  tick(now: number): void {
    if (this.closed) return;
    const cfg = this.ctx.config;
    if (this.stalled(now)) return this.close('a command took too long to arrive');
    if (this.state === 'new') {
      if (now - this.connectedAt > cfg.authTimeout * 1000) this.close('did not authenticate in time');
    } else if (now - this.lastActivity > cfg.sbIdleTimeout * 1000) {
      this.leaveChat(true);
      this.close('idle');
    }
  }

  /** Leaves the conversation (others get BYE; with `idle`, BYE email 1). */
  leaveChat(idle = false): void {
    const chat = this.chat;
    if (!chat) return;
    this.chat = undefined;
    this.ctx.core.chats.leave(chat, this, idle);
  }

  protected onClosed(): void {
    this.leaveChat();
    if (this.state === 'chat') this.ctx.core.bus.detach(this.endpointId);
    this.ctx.onSessionClosed?.(this);
  }
}
