// List download for MSNP10-12 (ABCHMigrated: 1): timestamps instead of list
// versions, GUIDs for contacts and groups, `N= F= C=` on LST lines, no group
// 0 (ungrouped contacts carry no group field), and from MSNP12 a network id.
import { LIST_BITS, type Contact, type Group } from '../../../core/model.js';
import type { VersionTraits } from '../../versions.js';
import { urlEncode } from '../../wire/urlcode.js';
import { PHONE_KEYS, type SyncData } from './classic.js';
import { setProps } from './tweener.js';

const ALL_BITS = LIST_BITS.FL | LIST_BITS.AL | LIST_BITS.BL | LIST_BITS.RL | LIST_BITS.PL;
/** Where list timestamps start: each list version is one second later. */
const EPOCH = Date.UTC(2005, 0, 1);

/**
 * The list and settings "timestamps" MSNP10+ clients cache and send back in
 * SYN: derived from the one list version every dialect shares, so a change by
 * any client invalidates them; never the literal 0 clients send when empty.
 */
export function listTimestamp(version: number): string {
  return new Date(EPOCH + version * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$10000-00:00');
}

/** Groups as MSNP10+ see them: group 0 ("Other Contacts") is not one. */
export function abchGroups(groups: Group[]): Group[] {
  return groups.filter((g) => g.id !== 0);
}

export function abchSync(t: VersionTraits, trid: number, d: SyncData): string[] {
  const ts = listTimestamp(d.list.listVersion);
  const users = d.contacts.filter((c) => c.lists & ALL_BITS);
  const groups = abchGroups(d.groups);
  const out = [`SYN ${trid} ${ts} ${ts} ${users.length} ${groups.length}`, `GTC ${d.list.addPrompt}`, `BLP ${d.list.privacy}`];
  out.push(`PRP MFN ${urlEncode(d.list.friendlyName)}`);
  out.push(...setProps(d.list.properties, [...PHONE_KEYS, 'MOB'], 'PRP'));
  out.push(`PRP MBE ${d.list.properties.MBE === 'Y' ? 'Y' : 'N'}`, 'PRP WWE 0');
  for (const g of groups) out.push(`LSG ${urlEncode(g.name)} ${g.guid}`);
  const guidOf = new Map(d.groups.map((g) => [g.id, g.guid]));
  for (const c of users) {
    out.push(abchLst(t, c, guidOf));
    out.push(...setProps(d.shared.get(c.contactId) ?? {}, [...PHONE_KEYS, 'MOB'], 'BPR'));
  }
  return out;
}

/**
 * FL members: `LST N=email F=name C=guid bits [network] [group-guids]`;
 * others: `LST N=email bits [network]` (ns-msnp8-12 §3.8).
 */
export function abchLst(t: VersionTraits, c: Contact, guidOf: Map<number, string>): string {
  const bits = c.lists & ALL_BITS;
  const net = t.lstNetworkId ? ' 1' : '';
  if (!(bits & LIST_BITS.FL)) return `LST N=${c.email} ${bits}${net}`;
  const groups = c.groups.map((g) => guidOf.get(g)).filter((g): g is string => !!g);
  return `LST N=${c.email} F=${urlEncode(c.friendlyName)} C=${c.guid} ${bits}${net}${groups.length ? ` ${groups.join(',')}` : ''}`;
}
