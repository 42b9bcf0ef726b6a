// What every notification-server session shares: the core, the settings,
// and where the other listeners are.
import type { Config } from '../../config.js';
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import type { SessionLimits } from '../session.js';

export interface NsContext {
  core: Core;
  config: Config;
  log: Logger;
  limits: SessionLimits;
  /** This listener redirects (XFR NS) instead of signing clients in. */
  dispatchOnly: boolean;
  /** Where XFR NS sends clients (redirect mode), as bound. */
  notifyPort: () => number;
  /** The switchboard port, as bound. */
  sbPort: () => number;
  /** Told when a session has closed (the front forgets it). */
  onSessionClosed?: (session: import('./session.js').NsSession) => void;
}

/** `host:port` as put in XFR/RNG: the public host if set, else the address the client reached. */
export function advertised(ctx: Pick<NsContext, 'config'>, localAddress: string, port: number): string {
  const host = ctx.config.publicHost ?? localAddress;
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
