// Placeholder replaced below.
import type { Core } from '../core/core.js';
import type { Logger } from '../log.js';
import type { Router } from './router.js';
export function rstRoutes(_router: Router, _core: Core, _log: Logger): void {}
