// USR: MD5 sign-in for MSNP2-7 (vectors.md §1), or, on a dispatch-only
// listener, the redirect to a notification server.
import { normaliseEmail } from '../../../core/email.js';
import { ProtocolError } from '../../session.js';
import { advertised } from '../context.js';
import { urlEncode } from '../../wire/urlcode.js';
import { needArgs, tridOf, type NsCommand } from './util.js';

export const USR: NsCommand = {
  verb: 'USR',
  versions: [2, 7],
  states: ['ver', 'auth'],
  outOfState: 207,
  async handle(s, cmd) {
    const t = tridOf(cmd);
    needArgs(cmd, 4);
    const [, pkg, stage, arg] = cmd.args as [string, string, string, string];
    // TWN/SSO belong to later versions; CTP (MSNP2 clear text) is not offered by INF.
    if (pkg !== 'MD5') return s.close(`authentication package ${pkg} not offered`);
    if (stage === 'I' && s.state === 'ver') {
      if (s.ctx.dispatchOnly) {
        // Dispatch server: send the client to a notification server and hang up.
        const ns = advertised(s.ctx, s.transport.localAddress, s.ctx.notifyPort());
        const here = advertised(s.ctx, s.transport.localAddress, s.transport.localPort);
        // COMPAT: MSN Messenger 1.0 needs the trailing 0 on MSNP2 too (pinkegobox notes; docs/decisions.md).
        s.send(s.v.xfrNsCurrentServer ? `XFR ${t} NS ${ns} 0 ${here}` : `XFR ${t} NS ${ns} 0`);
        return s.close('redirected to the notification server');
      }
      s.pendingEmail = normaliseEmail(arg);
      s.state = 'auth';
      const salt = await s.ctx.core.accounts.md5Salt(s.pendingEmail);
      s.send(`USR ${t} MD5 S ${salt}`);
      return;
    }
    if (stage === 'S' && s.state === 'auth' && s.pendingEmail) {
      const core = s.ctx.core;
      const ip = s.transport.remoteAddress;
      if (core.loginGuard.blocked(ip)) {
        s.log.warn({ email: s.pendingEmail, remote: ip }, 'sign-in refused: too many failures from this address');
        throw new ProtocolError(911, true);
      }
      const accountId = await core.accounts.verifyMd5(s.pendingEmail, arg);
      if (accountId === undefined) {
        core.loginGuard.failed(ip);
        s.log.info({ email: s.pendingEmail, remote: ip }, 'sign-in refused: bad credentials');
        throw new ProtocolError(911, true);
      }
      const me = await s.signIn(accountId);
      if (!me) return;
      const name = urlEncode(me.friendlyName);
      s.send(s.v.usrOkVerified ? `USR ${t} OK ${me.email} ${name} 1` : `USR ${t} OK ${me.email} ${name}`);
      sendProfile(s, accountId);
      return;
    }
    throw new ProtocolError(201);
  },
};

/** The login profile message (text/x-msmsgsprofile), sent right after USR OK. */
function sendProfile(s: Parameters<NsCommand['handle']>[0], accountId: number): void {
  const loginTime = Math.floor(s.ctx.core.clock.now() / 1000);
  const lines = ['MIME-Version: 1.0', 'Content-Type: text/x-msmsgsprofile; charset=UTF-8', `LoginTime: ${loginTime}`];
  if (s.v.fullProfile) {
    lines.push(
      'EmailEnabled: 0',
      'MemberIdHigh: 0',
      `MemberIdLow: ${accountId}`,
      'lang_preference: 1033',
      `preferredEmail: ${s.account!.email}`,
      'country: ',
      'PostalCode: ',
      'Gender: ',
      'Kid: 0',
      'Age: ',
      'BDayPre: ',
      'Birthday: ',
      'Wallet: ',
      'Flags: 1027',
      'sid: 507',
      'kv: 2',
      'MSPAuth: 0',
    );
  }
  s.sendWithPayload('MSG Hotmail Hotmail', lines.join('\r\n') + '\r\n\r\n');
}
