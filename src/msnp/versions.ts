// What each MSNP version does differently, as data. Handlers and renderers
// look traits up here instead of comparing version numbers in line.
// Sources: ../shared/protocol/versions.md, docs/protocol-notes (see docs/decisions.md).
import type { ChallengeAlgorithm } from './challenges.js';

export type Era = 'classic';

export interface VersionTraits {
  version: number;
  /** Which renderer draws lines that changed shape between eras. */
  era: Era;
  /** How USR authenticates. */
  auth: 'MD5';
  /** `USR t OK email name 1`: the verified flag (MSNP6+). */
  usrOkVerified: boolean;
  /** `XFR t NS host:port 0` (every classic version; MSNP2 too, see decisions) and, from MSNP7, the current server. */
  xfrNsCurrentServer: boolean;
  /** CHL/QRY, and with which algorithm. */
  challenge: ChallengeAlgorithm | undefined;
  /** PRP/BPR phone numbers (MSNP5+). */
  phoneProperties: boolean;
  /** LSG/ADG/RMG/REG and group ids on FL entries (MSNP7+). */
  groups: boolean;
  /** The login profile carries the Passport fields (MSNP3+), not just LoginTime. */
  fullProfile: boolean;
  /** `URL t url login-url site-id` (MSNP3+) instead of two fields. */
  urlSiteId: boolean;
  /** IMS ON/OFF (MSNP3+). */
  ims: boolean;
  /** CVR carries the client codebase argument (MSNP4+). */
  cvrCodebase: boolean;
}

function classic(version: number): VersionTraits {
  return {
    version,
    era: 'classic',
    auth: 'MD5',
    usrOkVerified: version >= 6,
    xfrNsCurrentServer: version >= 7,
    challenge: version >= 6 ? 'md5' : undefined,
    phoneProperties: version >= 5,
    groups: version >= 7,
    fullProfile: version >= 3,
    urlSiteId: version >= 3,
    ims: version >= 3,
    cvrCodebase: version >= 4,
  };
}

export const VERSIONS: ReadonlyMap<number, VersionTraits> = new Map(
  [2, 3, 4, 5, 6, 7].map((v) => [v, classic(v)] as const),
);

export const SUPPORTED_VERSIONS: readonly number[] = [...VERSIONS.keys()].sort((a, b) => b - a);

export function traits(version: number): VersionTraits {
  const t = VERSIONS.get(version);
  if (!t) throw new Error(`MSNP${version} is not supported`);
  return t;
}

/** The highest version both sides speak, from the tokens of a client's VER. */
export function negotiate(offered: readonly string[]): number | undefined {
  const wanted = new Set<number>();
  for (const tok of offered) {
    const m = /^MSNP(\d{1,2})$/i.exec(tok);
    if (m) wanted.add(Number(m[1]));
  }
  return SUPPORTED_VERSIONS.find((v) => wanted.has(v));
}
