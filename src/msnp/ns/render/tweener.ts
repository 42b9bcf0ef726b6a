// List download for MSNP8-9: `SYN t ver #contacts #groups`, then lines
// without transaction ids or versions; one LST per user with list bits.
import { LIST_BITS, type Contact } from '../../../core/model.js';
import { urlEncode } from '../../wire/urlcode.js';
import { PHONE_KEYS, type SyncData } from './classic.js';

/** FL AL BL RL: what MSNP8-9 know (no PL). */
export const OLD_BITS = LIST_BITS.FL | LIST_BITS.AL | LIST_BITS.BL | LIST_BITS.RL;

export function setProps(p: Record<string, string>, keys: readonly string[], tag: 'PRP' | 'BPR'): string[] {
  const out: string[] = [];
  for (const k of keys) if (p[k]) out.push(`${tag} ${k} ${urlEncode(p[k]!)}`);
  return out;
}

export function tweenerSync(trid: number, d: SyncData): string[] {
  const v = d.list.listVersion;
  const users = d.contacts.filter((c) => c.lists & OLD_BITS);
  const out = [`SYN ${trid} ${v} ${users.length} ${d.groups.length}`, `GTC ${d.list.addPrompt}`, `BLP ${d.list.privacy}`];
  // From MSNP8 only properties with a value are listed.
  out.push(...setProps(d.list.properties, [...PHONE_KEYS, 'MOB', 'MBE'], 'PRP'));
  for (const g of d.groups) out.push(`LSG ${g.id} ${urlEncode(g.name)} 0`);
  for (const c of users) {
    out.push(tweenerLst(c));
    out.push(...setProps(d.shared.get(c.contactId) ?? {}, [...PHONE_KEYS, 'MOB'], 'BPR'));
  }
  return out;
}

/** `LST email name bits [groups]`: FL members always carry their groups (COMPAT: Pidgin 2.4.3 needs them). */
export function tweenerLst(c: Contact): string {
  const bits = c.lists & OLD_BITS;
  const base = `LST ${c.email} ${urlEncode(c.friendlyName)} ${bits}`;
  return bits & LIST_BITS.FL ? `${base} ${c.groups.length ? c.groups.join(',') : '0'}` : base;
}
