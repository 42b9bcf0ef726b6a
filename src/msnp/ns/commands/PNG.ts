// PNG: keep-alive; QNG at once (no interval before MSNP9).
import type { NsCommand } from './util.js';

export const PNG: NsCommand = {
  verb: 'PNG',
  versions: [2, 7],
  states: ['ver', 'auth', 'online'],
  outOfState: 'close',
  handle(s) {
    s.send('QNG');
  },
};
