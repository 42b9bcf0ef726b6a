// PNG: keep-alive; QNG at once (MSNP9+: with the seconds until the next
// ping, an integer: MSNPSharp and Miranda parse it).
import { ALL, type NsCommand } from './util.js';

export const PNG: NsCommand = {
  verb: 'PNG',
  versions: ALL,
  states: ['ver', 'auth', 'online'],
  outOfState: 'close',
  handle(s) {
    s.send(s.v.qngSeconds ? `QNG ${s.ctx.config.pingInterval}` : 'QNG');
  },
};
