// OUT: the client signs out; we answer OUT and close.
import type { NsCommand } from './util.js';

export const OUT: NsCommand = {
  verb: 'OUT',
  versions: [0, 99],
  states: ['new', 'ver', 'auth', 'online'],
  outOfState: 'close',
  handle(s) {
    s.send('OUT');
    s.close('client signed out');
  },
};
