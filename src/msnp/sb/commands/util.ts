// Small pieces the switchboard commands share.
import type { CommandSpec } from '../../session.js';
import type { SbSession } from '../session.js';

export type SbCommand = CommandSpec<SbSession>;

/** Switchboard commands do not change shape before MSNP12; the cookie decides the version. */
export const ANY_VERSION: readonly [number, number] = [0, 99];
