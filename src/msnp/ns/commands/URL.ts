// URL: where the client's menu items (Hotmail inbox, profile, ...) point.
// Every service name maps to a page under MSNPD_URL_BASE.
import { ProtocolError } from '../../session.js';
import { NEWEST, signedIn } from './util.js';

/** Passport site id sent from MSNP3 (the 3.0+ client requires one). */
const SITE_ID = 2;

export const URL = signedIn('URL', [2, NEWEST], 2, (s, cmd, t) => {
  const service = cmd.args[1]!;
  if (!/^[A-Za-z0-9]{1,32}$/.test(service)) throw new ProtocolError(201);
  const base = s.ctx.config.urlBase;
  const page = `${base}${service.toLowerCase()}`;
  const login = `${base}login`;
  s.send(s.v.urlSiteId ? `URL ${t} ${page} ${login} ${SITE_ID}` : `URL ${t} ${page} ${login}`);
});
