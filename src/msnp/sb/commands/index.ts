// The switchboard's command table.
import { CommandTable } from '../../session.js';
import type { SbSession } from '../session.js';
import { ANS } from './ANS.js';
import { CAL } from './CAL.js';
import { MSG } from './MSG.js';
import { OUT } from './OUT.js';
import { USR } from './USR.js';

export const SB_COMMANDS = new CommandTable<SbSession>([USR, ANS, CAL, MSG, OUT]);
