// PNG: keep-alive; QNG at once (MSNP9+: with the seconds until the next
// ping, an integer: MSNPSharp and Miranda parse it).
import { NEWEST, type NsCommand } from './util.js';

export const PNG: NsCommand = {
  verb: 'PNG',
  versions: [2, NEWEST],
  states: ['ver', 'auth', 'online'],
  outOfState: 'close',
  handle(s) {
    s.send(s.v.qngSeconds ? `QNG ${s.ctx.config.pingInterval}` : 'QNG');
  },
};
