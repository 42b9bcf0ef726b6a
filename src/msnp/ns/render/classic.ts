// Notification-server lines for MSNP2-7 (the "classic" era): list versions and
// transaction ids on every synchronised line, no capabilities or MSNObjects.
import type { SyncView } from '../../../core/contacts.js';
import { LIST_BITS, type Contact, type Group, type ListName } from '../../../core/model.js';
import type { VersionTraits } from '../../versions.js';
import { urlEncode } from '../../wire/urlcode.js';

export const PHONE_KEYS = ['PHH', 'PHW', 'PHM'] as const;

/** FL entries carry their groups (MSNP7); group 0 is "in no other group". */
export function groupField(c: Contact): string {
  return c.groups.length ? c.groups.join(',') : '0';
}

export type SyncData = SyncView;

/** `SYN t ver` and the lines after it (MSNP2-7 order: GTC, BLP, PRP, LSG, then the four lists). */
export function classicSync(t: VersionTraits, trid: number, d: SyncData): string[] {
  const v = d.list.listVersion;
  const out = [`SYN ${trid} ${v}`, `GTC ${trid} ${v} ${d.list.addPrompt}`, `BLP ${trid} ${v} ${d.list.privacy}`];
  if (t.phoneProperties) out.push(...ownProperties(trid, v, d.list.properties));
  if (t.groups) out.push(...groupLines(trid, v, d.groups));
  for (const name of ['FL', 'AL', 'BL', 'RL'] as ListName[]) out.push(...listLines(t, trid, name, v, d));
  return out;
}

/** One list's LST lines (and, for FL from MSNP5, each contact's BPRs). */
export function listLines(t: VersionTraits, trid: number, name: ListName, v: number, d: SyncData): string[] {
  const out: string[] = [];
  const entries = d.contacts.filter((c) => c.lists & LIST_BITS[name]);
  if (entries.length === 0) out.push(`LST ${trid} ${name} ${v} 0 0`);
  entries.forEach((c, i) => {
    out.push(lstLine(t, trid, name, v, i + 1, entries.length, c));
    if (name === 'FL' && t.phoneProperties) out.push(...contactProperties(v, c.email, d.shared.get(c.contactId) ?? {}));
  });
  return out;
}

export function lstLine(t: VersionTraits, trid: number, list: ListName, v: number, i: number, n: number, c: Contact): string {
  const base = `LST ${trid} ${list} ${v} ${i} ${n} ${c.email} ${urlEncode(c.friendlyName)}`;
  return list === 'FL' && t.groups ? `${base} ${groupField(c)}` : base;
}

export function groupLines(trid: number, v: number, groups: Group[]): string[] {
  return groups.map((g, i) => `LSG ${trid} ${v} ${i + 1} ${groups.length} ${g.id} ${urlEncode(g.name)} 0`);
}

export function prop(key: string, value: string | undefined): string {
  return value ? `${key} ${urlEncode(value)}` : key;
}

export function ownProperties(trid: number, v: number, p: Record<string, string>): string[] {
  return [
    ...PHONE_KEYS.map((k) => `PRP ${trid} ${v} ${prop(k, p[k])}`),
    `PRP ${trid} ${v} MOB ${p.MOB === 'Y' ? 'Y' : 'N'}`,
    `PRP ${trid} ${v} MBE ${p.MBE === 'Y' ? 'Y' : 'N'}`,
  ];
}

export function contactProperties(v: number, email: string, p: Record<string, string>): string[] {
  return [...PHONE_KEYS.map((k) => `BPR ${v} ${email} ${prop(k, p[k])}`), `BPR ${v} ${email} MOB ${p.MOB === 'Y' ? 'Y' : 'N'}`];
}

export function rng(t: VersionTraits, chatId: string, address: string, cookie: string, email: string, friendlyName: string): string {
  return `RNG ${chatId} ${address} CKI ${cookie} ${email} ${urlEncode(friendlyName)}${sbSuffix(t, 'messenger.hotmail.com')}`;
}

/** MSNP13+: the authentication domain, MSNP14+: and `1`, TCP reachable (flows.md §4.3, §5.2). */
export function sbSuffix(t: VersionTraits, domain: string): string {
  return t.sbAuthDomain ? ` U ${domain}${t.sbDirectFlag ? ' 1' : ''}` : '';
}
