// BLP: what people on neither the allow nor the block list may do.
import { settingCommand } from './setting.js';
import { NEWEST } from './util.js';

export const BLP = settingCommand('BLP', ['AL', 'BL'] as const, (s, id, v) => s.ctx.core.contacts.setPrivacy(id, v), [2, NEWEST]);
