// One client's notification-server connection: dispatch-server role before
// sign-in, then the signed-in user's endpoint. Renders core events for the
// negotiated version; commands live in ./commands.
import type { EndpointEvent } from '../../core/events.js';
import { trid, type Command } from '../wire/command.js';
import { MsnpSession, ProtocolError } from '../session.js';
import type { Transport } from '../../net/transport.js';
import { traits, type VersionTraits } from '../versions.js';
import { newChallenge } from '../challenges.js';
import { advertised, type NsContext } from './context.js';
import { NS_COMMANDS } from './commands/index.js';
import { LIST_BITS } from '../../core/model.js';
import { mlFor } from './ml.js';
import { rng } from './render/classic.js';
import { oimNotificationMessage } from './render/oim.js';
import { bprPush, reverseList, serverRemoval } from './render/lists.js';
import { CLEARED_PERSONAL, fln, nln, ubxHead } from './render/presence.js';
import { ubxDocument } from './render/ubx.js';
import type { OwnEndpointView, ProfileView } from '../../core/presence.js';

import { abchNotification } from './render/abch-notify.js';

/** new: before VER; ver: negotiated; auth: USR I answered; online: signed in. */
export type NsState = 'new' | 'ver' | 'auth' | 'online';

export interface SignedIn {
  id: number;
  email: string;
}

export class NsSession extends MsnpSession<NsSession> {
  readonly endpointId: string;
  traits: VersionTraits | undefined;
  /** The address given in USR I, awaiting USR S. */
  pendingEmail: string | undefined;
  /** The nonce sent with `USR t SSO S <policy> <nonce>` (MSNP15), awaiting the answer. */
  ssoNonce: string | undefined;
  account: SignedIn | undefined;
  /** MSNP16+: the machine GUID of `USR SSO S`, `{lower-case}` (sso-sign-in.ts). */
  machineGuid: string | undefined;
  /** The client has sent SYN (pushes that SYN would carry wait until then). */
  synced = false;
  /** The first CHG has been answered (ILN sent). */
  initialStatusSent = false;
  private pendingChallenge: { value: string; deadline: number } | undefined;
  nextChallengeAt = 0;

  /** The outstanding challenge, if any. */
  get challenge(): { value: string; deadline: number } | undefined {
    return this.pendingChallenge;
  }

  set challenge(c: { value: string; deadline: number } | undefined) {
    this.pendingChallenge = c;
    // Answered (QRY): the next deadline is the next challenge, maybe earlier than this one's.
    if (c) this.checkBy(c.deadline + 1);
    else if (this.state === 'online') this.checkBy(this.nextChallengeAt);
  }

  constructor(
    readonly ctx: NsContext,
    transport: Transport,
    now: number,
  ) {
    super(transport, NS_COMMANDS, ctx.limits, ctx.log, 'new', now, ctx.core.timers);
    this.endpointId = ctx.core.newEndpointId();
    this.rearm();
  }

  /** The signed-in account (0 before sign-in); the bus addresses events by it. */
  get accountId(): number {
    return this.account?.id ?? 0;
  }

  protected get self(): NsSession {
    return this;
  }

  get v(): VersionTraits {
    if (!this.traits) throw new Error('version not negotiated');
    return this.traits;
  }

  setVersion(version: number): void {
    this.version = version;
    this.traits = traits(version);
  }

  protected override admit(cmd: Command): boolean {
    // VER must come first: anything else on a fresh connection is not MSNP.
    if (this.state === 'new' && cmd.verb !== 'VER') {
      this.close(`${cmd.verb} before VER`);
      return false;
    }
    return true;
  }

  /** `host:port` of the switchboard, as this client should reach it. */
  switchboardAddress(): string {
    return advertised(this.ctx, this.transport.localAddress, this.ctx.sbPort());
  }

  /**
   * Called once USR has verified the credentials. Returns the account's
   * address and friendly name, or undefined if the connection closed meanwhile.
   */
  async signIn(accountId: number): Promise<{ email: string; friendlyName: string } | undefined> {
    const core = this.ctx.core;
    const list = await core.lists.retain(accountId);
    if (!list) {
      // Deleted since its credentials were checked (a ticket issued just before).
      this.log.info({ accountId }, 'sign-in refused: the account no longer exists');
      throw new ProtocolError(911, true);
    }
    if (this.closed) {
      core.lists.release(accountId);
      return undefined;
    }
    this.account = { id: accountId, email: list.email };
    this.state = 'online';
    // Challenged soon after sign-in whether or not the client ever sets a status.
    this.nextChallengeAt = core.clock.now() + this.ctx.config.challengeDelay * 1000;
    this.rearm();
    core.bus.attach(this);
    const replaced = core.presence.signIn({
      accountId,
      email: list.email,
      endpointId: this.endpointId,
      dialect: this.version,
      friendlyName: list.friendlyName,
      machineGuid: this.machineGuid,
    });
    if (replaced) core.bus.toEndpoint(replaced, { type: 'sign-out', reason: 'OTH' });
    this.log.info({ email: list.email, version: this.version, remote: this.transport.remoteAddress }, 'signed in');
    return { email: list.email, friendlyName: list.friendlyName };
  }

  /** Renders a core event for this client. */
  onEvent(e: EndpointEvent): void {
    if (this.closed) return;
    const t = this.traits!;
    switch (e.type) {
      case 'presence':
        // Before the first CHG the client has not asked for presence; ILN will carry it.
        if (!this.initialStatusSent) return;
        if (e.status === 'FLN') return this.send(fln(t, e.email));
        this.send(nln(t, { ...e, status: e.status }));
        this.sendProfile(e);
        return;
      case 'personal':
        if (!this.initialStatusSent) return;
        if (t.endpoints) this.sendProfile(e);
        else this.sendPersonal(e.email, e.personal || CLEARED_PERSONAL);
        return;
      case 'endpoints':
        if (this.initialStatusSent && t.endpoints) this.sendProfile(e);
        return;
      case 'own-endpoints':
        if (t.endpoints) this.sendProfile(e, e.own);
        return;
      case 'reverse-list':
        // MSNP13+: `ADL 0`/`RML 0` with the RL bit (flows.md §4.2).
        if (this.synced && t.adl) this.sendWithPayload(e.op === 'add' ? 'ADL 0' : 'RML 0', mlFor(e.email, LIST_BITS.RL, e.op === 'add' ? e.friendlyName : undefined));
        else if (this.synced) this.send(reverseList(t, e));
        return;
      case 'list-removed': {
        if (t.adl) {
          if (this.synced) this.sendWithPayload('RML 0', mlFor(e.email, LIST_BITS[e.list]));
          return;
        }
        const line = this.synced ? serverRemoval(t, e.list, e.version, e.email, e.guid) : undefined;
        if (line) this.send(line);
        return;
      }
      case 'address-book':
        // Before its first ADL the client is fetching its address book anyway; its own ADL/RML it knows of.
        if (this.synced && t.abchNotify && e.origin !== this.endpointId) this.sendWithPayload('NOT', abchNotification(this.accountId, this.account!.email, this.ctx.core.clock.now()));
        return;
      case 'contact-property':
        if (this.synced && t.phoneProperties) this.send(bprPush(t, e.version, e.email, e.key, e.value));
        return;
      case 'ring':
        this.send(rng(t, e.chatId, e.address || this.switchboardAddress(), e.cookie, e.email, e.friendlyName));
        return;
      case 'offline-message':
        // MSNP13-18 fetch it over RSI; older clients get it in a switchboard, if they can be rung now.
        if (!this.initialStatusSent) return;
        if (t.oimMailData) this.sendWithPayload('MSG Hotmail Hotmail', oimNotificationMessage(e.message, this.account!.email));
        else this.ctx.core.courier.deliver(this.accountId, this.account!.email);
        return;
      case 'sign-out':
        this.send(e.reason === 'deleted' || e.reason === 'requested' ? 'OUT' : `OUT ${e.reason}`);
        this.close(`signed out (${e.reason})`);
        return;
    }
  }

  /**
   * COMPAT: MSNPSharp 3.2.1 reads a trailing number on these error lines as a
   * payload length (client-quirks.md): `<code> <trid> 0` (trait errorsWithLength).
   */
  override sendError(code: number, cmd: Command | number | undefined): void {
    if (!this.traits?.errorsWithLength.has(code)) return super.sendError(code, cmd);
    const t = typeof cmd === 'number' ? cmd : cmd ? (trid(cmd) ?? 0) : 0;
    this.send(`${code} ${t} 0`);
  }

  /**
   * What follows a contact's NLN: MSNP16+ always get the server-built UBX
   * (name, picture location, endpoints); MSNP11-15 the contact's own document
   * when there is one. `own`: the user's own UBX, with private endpoint data.
   */
  sendProfile(p: ProfileView, own?: readonly OwnEndpointView[]): void {
    if (!this.traits!.endpoints) return this.sendPersonal(p.email, p.personal);
    this.sendWithPayload(ubxHead(this.traits!, p.email)!, ubxDocument(p, own));
  }

  /** A contact's personal message (MSNP11+), as the contact's client wrote it. */
  sendPersonal(email: string, personal: string): void {
    const head = personal ? ubxHead(this.traits!, email) : undefined;
    if (head) this.sendWithPayload(head, personal);
  }

  protected nextCheckAt(): number | undefined {
    const cfg = this.ctx.config;
    if (this.state !== 'online') return this.connectedAt + cfg.authTimeout * 1000 + 1;
    let at: number | undefined;
    if (cfg.idleTimeout > 0) at = this.lastActivity + cfg.idleTimeout * 1000 + 1;
    if (this.v.challenge && cfg.challenges !== 'off') {
      const c = this.challenge ? this.challenge.deadline + 1 : this.nextChallengeAt;
      if (at === undefined || c < at) at = c;
    }
    return at;
  }

  /** Due checks: sign-in deadline, idleness, challenges. */
  tick(now: number): void {
    if (this.closed) return;
    const cfg = this.ctx.config;
    if (this.stalled(now)) return this.close('a command took too long to arrive');
    if (this.state !== 'online') {
      if (now - this.connectedAt > cfg.authTimeout * 1000) this.close('did not sign in in time');
      return;
    }
    if (cfg.idleTimeout > 0 && now - this.lastActivity > cfg.idleTimeout * 1000) {
      this.send('OUT');
      this.close('idle');
      return;
    }
    if (!this.v.challenge || cfg.challenges === 'off') return;
    if (this.challenge && now > this.challenge.deadline) {
      this.challenge = undefined;
      if (cfg.challenges === 'enforce') {
        this.sendError(540, 0);
        this.close('no answer to the challenge');
        return;
      }
      this.log.warn({ email: this.account?.email }, 'challenge not answered in time (MSNPD_CHALLENGES=log)');
    }
    if (!this.challenge && now >= this.nextChallengeAt) {
      this.sendChallenge(0, now);
    }
  }

  sendChallenge(trid: number, now: number): void {
    const value = newChallenge();
    this.nextChallengeAt = now + this.ctx.config.challengeInterval * 1000;
    this.challenge = { value, deadline: now + this.ctx.config.challengeTimeout * 1000 };
    this.send(`CHL ${trid} ${value}`);
  }

  protected onClosed(reason: string): void {
    const core = this.ctx.core;
    if (this.account) {
      core.presence.signOut(this.account.id, this.endpointId);
      core.bus.detach(this.endpointId);
      core.lists.release(this.account.id);
      this.log.info({ email: this.account.email, reason }, 'signed out');
    }
    this.ctx.onSessionClosed?.(this);
  }
}
