// GTC: whether the client asks its user when someone adds them (stored only).
import { settingCommand } from './setting.js';

export const GTC = settingCommand('GTC', ['A', 'N'] as const, (s, id, v) => s.ctx.core.contacts.setAddPrompt(id, v));
