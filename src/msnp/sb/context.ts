// What every switchboard session shares.
import type { Config } from '../../config.js';
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import type { SessionLimits } from '../session.js';
import type { SbSession } from './session.js';

export interface SbContext {
  core: Core;
  config: Config;
  log: Logger;
  limits: SessionLimits;
  /** The switchboard port, as bound (rings name the conversation's switchboard). */
  sbPort: () => number;
  onSessionClosed?: (session: SbSession) => void;
}
