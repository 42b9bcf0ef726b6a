// USR: sign-in. MSNP2-7 use MD5 (vectors.md §1): `USR t MD5 I email` gets the
// account's salt, `USR t MD5 S <md5(salt+password)>` signs in. MSNP8-12 use
// Passport (TWN): `USR t TWN I email` gets the Passport challenge string the
// client takes to login2.srf or RST.srf, `USR t TWN S t=…&p=…` presents the
// ticket. MSNP15 uses SSO: `USR t SSO I email` gets a policy and a nonce,
// `USR t SSO S <ticket> <response>` proves the RST proof key (services.md §3.3).
// MSNP13+ get the policies (`GCF 0`) first. On a dispatch-only listener `USR … I` is answered with XFR NS.
// MSNP16+ add the machine GUID after the response; MSNP18 clients present
// their circle ticket with `USR t SHA A <base64>` once signed in (circle-auth.ts).
import { randomBytes } from 'node:crypto';
import { normaliseEmail } from '../../../core/email.js';
import { ProtocolError } from '../../session.js';
import { advertised } from '../context.js';
import { newSsoNonce } from '../../../core/sso-response.js';
import { POLICIES } from '../render/policies.js';
import { profileMessage, usrOk } from '../render/signin.js';
import { parseSsoSignIn } from '../sso-sign-in.js';
import { circleAuth } from './circle-auth.js';
import type { NsSession } from '../session.js';
import { NEWEST, needArgs, tridOf, type NsCommand } from './util.js';

export const USR: NsCommand = {
  verb: 'USR',
  versions: [2, NEWEST],
  states: ['ver', 'auth', 'online'],
  outOfState: 207,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    if (s.state === 'online') return circleAuth(s, cmd, t);
    needArgs(cmd, 4);
    const [, pkg, stage, arg] = cmd.args as [string, string, string, string];
    // Each version has one package (MSNP15 also TWN); CTP (MSNP2 clear text) is not offered.
    if (pkg !== s.v.auth && !(pkg === 'TWN' && s.v.twnAlso)) return s.close(`authentication package ${pkg} not offered in MSNP${s.version}`);
    if (stage === 'I' && s.state === 'ver') {
      if (s.ctx.dispatchOnly) return redirect(s, t);
      s.pendingEmail = normaliseEmail(arg);
      s.state = 'auth';
      if (s.v.gcfPolicies) s.sendWithPayload('GCF 0', POLICIES);
      if (pkg === 'MD5') s.send(`USR ${t} MD5 S ${await s.ctx.core.accounts.md5Salt(s.pendingEmail)}`);
      else if (pkg === 'SSO') {
        s.ssoNonce = newSsoNonce();
        s.send(`USR ${t} SSO S ${SSO_POLICY} ${s.ssoNonce}`);
      } else s.send(`USR ${t} TWN S ${twnChallenge(s.ctx.core.clock.now())}`);
      return;
    }
    if (stage === 'S' && s.state === 'auth' && s.pendingEmail) {
      const core = s.ctx.core;
      const ip = s.transport.remoteAddress;
      if (core.loginGuard.blocked(ip)) {
        s.log.warn({ email: s.pendingEmail, remote: ip }, 'sign-in refused: too many failures from this address');
        throw new ProtocolError(911, true);
      }
      let accountId: number | undefined;
      let mspAuth = '0';
      if (pkg === 'MD5') {
        accountId = await core.accounts.verifyMd5(s.pendingEmail, arg);
      } else if (pkg === 'SSO') {
        // The nonce is good for one answer: a second USR S needs a new USR I.
        const nonce = s.ssoNonce;
        s.ssoNonce = undefined;
        const a = parseSsoSignIn(cmd.args.slice(3));
        const r = a && nonce ? await core.serviceTokens.verifySsoSignIn(a.ticket, a.response, nonce, s.pendingEmail) : undefined;
        if (r?.ok) {
          accountId = r.accountId;
          if (s.v.machineGuid) s.machineGuid = a!.machineGuid;
          mspAuth = /(?:^|&)t=([^&]*)/.exec(a!.ticket)?.[1] ?? a!.ticket;
        } else s.log.info({ email: s.pendingEmail, reason: r?.reason ?? 'malformed' }, 'SSO response refused');
      } else {
        // The ticket is single use and bound to the account it was issued for.
        const ticket = core.tickets.redeemForSignIn(arg, s.pendingEmail, s.v.oimMailData);
        if (ticket) {
          accountId = ticket.accountId;
          mspAuth = /(?:^|&)t=([^&]*)/.exec(arg)?.[1] ?? arg;
        }
      }
      if (accountId === undefined) {
        core.loginGuard.failed(ip);
        s.log.info({ email: s.pendingEmail, remote: ip, package: pkg }, 'sign-in refused: bad credentials');
        throw new ProtocolError(911, true);
      }
      const me = await s.signIn(accountId);
      if (!me) return;
      s.send(usrOk(s.v, t, me.email, me.friendlyName));
      if (s.v.sbs) s.send('SBS 0 null');
      const profile = profileMessage(s.v, {
        accountId, email: me.email, mspAuth, loginTime: Math.floor(core.clock.now() / 1000),
        clientIp: s.transport.remoteAddress, clientPort: s.transport.remotePort,
      });
      s.sendWithPayload('MSG Hotmail Hotmail', profile);
      return;
    }
    throw new ProtocolError(201);
  },
};

/** The policy named in `USR t SSO S <policy> <nonce>` (flows.md §5.1; the client asks RST for it). */
export const SSO_POLICY = 'MBI_KEY_OLD';

/** Dispatch server: send the client to a notification server and hang up. */
function redirect(s: NsSession, t: number): void {
  const ns = advertised(s.ctx, s.transport.localAddress, s.ctx.notifyPort());
  const here = advertised(s.ctx, s.transport.localAddress, s.transport.localPort);
  // COMPAT: MSN Messenger 1.0 needs the trailing 0 on MSNP2 too (pinkegobox notes; docs/decisions.md).
  if (s.v.xfrNsUD) s.send(`XFR ${t} NS ${ns} U D`);
  else s.send(s.v.xfrNsCurrentServer ? `XFR ${t} NS ${ns} 0 ${here}` : `XFR ${t} NS ${ns} 0`);
  s.close('redirected to the notification server');
}

/**
 * The Passport 1.4 challenge string, with every key the 2003 service sent:
 * COMPAT: Pidgin 2.4.3 rebuilds it key by key and sends `(null)` for missing
 * ones (client-quirks.md). Our own login2.srf and RST.srf check the password;
 * these values are only carried through.
 */
export function twnChallenge(nowMs: number): string {
  return `lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=${Math.floor(nowMs / 1000)},kpp=1,kv=5,ver=2.1.0173.1,tpf=${randomBytes(16).toString('hex')}`;
}
