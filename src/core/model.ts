// The domain's vocabulary: the lists an entry can be on, privacy modes,
// contacts and groups. Fronts render these and the store keeps them; neither
// defines them.

export type ListName = 'FL' | 'AL' | 'BL' | 'RL' | 'PL';

/** List membership as bits, as MSNP8+ renders them in LST. */
export const LIST_BITS: Readonly<Record<ListName, number>> = { FL: 1, AL: 2, BL: 4, RL: 8, PL: 16 };

export type Privacy = 'AL' | 'BL';
export type AddPrompt = 'A' | 'N';

export interface Contact {
  /** The other account. */
  contactId: number;
  email: string;
  /** The contact's own friendly name when the entry was read (not kept current in memory). */
  friendlyName: string;
  /** Bits of LIST_BITS. */
  lists: number;
  guid: string;
  /** Group ids (never 0: "Other Contacts" is the absence of groups). */
  groups: number[];
}

export interface Group {
  id: number;
  guid: string;
  name: string;
}
