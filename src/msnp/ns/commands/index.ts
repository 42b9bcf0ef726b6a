// The notification server's command table: every verb with the versions and
// states it serves.
import { CommandTable } from '../../session.js';
import type { NsSession } from '../session.js';
import { ADC } from './ADC.js';
import { ADD } from './ADD.js';
import { ADG } from './ADG.js';
import { ADL, RML } from './ADL.js';
import { BLP } from './BLP.js';
import { CHG } from './CHG.js';
import { CHL } from './CHL.js';
import { CVR } from './CVR.js';
import { FND } from './FND.js';
import { FQY } from './FQY.js';
import { GCF } from './GCF.js';
import { GSB } from './GSB.js';
import { GTC } from './GTC.js';
import { IMS } from './IMS.js';
import { INF } from './INF.js';
import { LSG } from './LSG.js';
import { LST } from './LST.js';
import { OUT } from './OUT.js';
import { PAG } from './PAG.js';
import { PGD } from './PGD.js';
import { PNG } from './PNG.js';
import { PRP } from './PRP.js';
import { QRY } from './QRY.js';
import { REA } from './REA.js';
import { REG } from './REG.js';
import { REM } from './REM.js';
import { RMG } from './RMG.js';
import { SBP } from './SBP.js';
import { SDC } from './SDC.js';
import { SND } from './SND.js';
import { SYN } from './SYN.js';
import { URL } from './URL.js';
import { USR } from './USR.js';
import { UUN } from './UUN.js';

import { UUM } from './UUM.js';
import { UUX } from './UUX.js';
import { VER } from './VER.js';
import { XFR } from './XFR.js';

export const NS_COMMANDS = new CommandTable<NsSession>([
  VER, INF, CVR, USR, XFR, SYN, LST, LSG, GTC, BLP, ADD, ADC, REM, REA, SBP, CHG, UUX, ADG, RMG, REG, PRP, PNG, URL, FND, SND,
  SDC, PAG, PGD, IMS, QRY, CHL, GCF, GSB, OUT, ADL, RML, FQY, UUN,
  UUM,
]);
