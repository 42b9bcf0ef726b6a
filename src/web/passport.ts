// Passport 1.4 ("Tweener", MSNP8-11): the Nexus that names the login server,
// and login2.srf, which checks the password and issues the ticket the client
// then presents in `USR t TWN S`. services.md §2, client-quirks.md "Passport 1.4".
import type { Core } from '../core/core.js';
import type { Logger } from '../log.js';
import { onlySecure, type Router, type WebRequest, type WebResponse } from './router.js';

/**
 * COMPAT: Pidgin 2.4.3 finds this header by a case-sensitive search for
 * `PassportURLs`, splits DALogin at the first `/` (so no scheme) and cuts it
 * at the next comma (so more fields must follow). client-quirks.md.
 */
export const NEXUS_HEADER =
  'DARealm=Passport.Net,DALogin=login.passport.com/login2.srf,DAReg=http://register.passport.net/uixpwiz.srf,' +
  'Properties=https://register.passport.net/editprof.srf,Privacy=http://www.passport.net/consumer/privacypolicy.asp,' +
  'GeneralRedir=http://nexusrdr.passport.com/redir.asp,Help=http://memberservices.passport.net/memberservice.srf,' +
  'ConfigVersion=15';

/** Fields of an `Authorization: Passport1.4 k=v,k=v,…` header, values URL-decoded. */
export function passportFields(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  // An old capture shows the scheme twice; tolerate it.
  const m = /^\s*(?:Passport1\.4\s+)+(.*)$/i.exec(header);
  if (!m) return out;
  for (const part of m[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim().toLowerCase();
    const raw = part.slice(eq + 1).trim();
    let v = raw;
    try {
      v = decodeURIComponent(raw);
    } catch {
      // keep it as sent
    }
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function failed(text: string): WebResponse {
  // COMPAT: clients show only cbtxt= (client-quirks.md).
  return {
    status: 401,
    reason: 'Unauthorized',
    // The header clients parse comes last; cbtxt is its last field (passport-rst.md §2.4-2.5).
    headers: {
      'Cache-Control': 'no-cache',
      'Content-Type': 'text/html',
      'WWW-Authenticate': `Passport1.4 da-status=failed,srealm=Passport.Net,ts=-3,prompt,cburl=http://messenger.msn.com/images/logo102x88.gif,cbtxt=${encodeURIComponent(text)}`,
    },
    body: '',
  };
}

export function passportRoutes(router: Router, core: Core, log: Logger): void {
  router.on('GET', '/rdr/pprdr.asp', () => ({
    status: 200,
    reason: 'OK',
    headers: { 'Cache-Control': 'private', 'Content-Type': 'text/html', PassportURLs: NEXUS_HEADER },
    body: '',
  }));

  const login2 = async (req: WebRequest): Promise<WebResponse> => {
    const f = passportFields(req.headers.authorization);
    const email = f.get('sign-in');
    const pwd = f.get('pwd');
    if (!email || pwd === undefined) return failed('Type your e-mail address and password correctly.');
    const r = await core.tickets.login(email, pwd, req.remoteAddress);
    if (!r.ok) {
      log.info({ email, remote: req.remoteAddress, reason: r.reason }, 'Passport sign-in refused');
      return failed(r.reason === 'throttled' ? 'Too many failed sign-ins. Try again later.' : 'The e-mail address or password is incorrect.');
    }
    const ticket = core.tickets.issue(r.accountId, r.email);
    // The return URL is echoed only when it is a plain header-safe token: a CR/LF or a
    // comma would split or corrupt the header the client parses.
    const asked = f.get('ru');
    const ru = asked !== undefined && /^[\x21-\x2b\x2d-\x7e]{1,512}$/.test(asked) ? asked : 'http://messenger.msn.com';
    return {
      status: 200,
      reason: 'OK',
      headers: {
        'Cache-Control': 'no-cache',
        'Content-Type': 'text/html',
        // COMPAT: the value in from-PP must be in single quotes (client-quirks.md).
        'Authentication-Info': `Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,from-PP='t=${ticket.t}&p=${ticket.p}',ru=${ru}`,
      },
      body: '',
    };
  };
  router.on('GET', '/login2.srf', onlySecure(login2));
  // Some clients (e.g. after a redirect) use the secure path of the same service.
  router.on('GET', '/ppsecure/login2.srf', onlySecure(login2));
}
