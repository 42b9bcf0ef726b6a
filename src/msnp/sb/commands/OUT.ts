// OUT: leave the conversation; the others get BYE.
import { ANY_VERSION, type SbCommand } from './util.js';

export const OUT: SbCommand = {
  verb: 'OUT',
  versions: ANY_VERSION,
  states: ['new', 'chat'],
  outOfState: 'close',
  handle(s) {
    s.leaveChat();
    s.close('left the conversation');
  },
};
