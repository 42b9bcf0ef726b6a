// What each MSNP version does differently, as data. Handlers and renderers
// look traits up here instead of comparing version numbers in line.
// Sources: ../shared/protocol/versions.md; /work notes digested into
// docs/decisions.md (ns-msnp2-7, ns-msnp8-12, sb-msnp2-12).
import type { ChallengeAlgorithm } from './challenges.js';

/**
 * classic: MSNP2-7 (MD5, list versions and trids on every synchronised line);
 * tweener: MSNP8-9 (Passport, SYN with counts, list bits);
 * abch: MSNP10-12 (GUIDs for contacts and groups, timestamps instead of versions);
 * soap: MSNP13-18 (lists over SOAP, ADL/RML tell the NS what to watch).
 */
export type Era = 'classic' | 'tweener' | 'abch' | 'soap';

export interface VersionTraits {
  version: number;
  era: Era;
  /** How USR authenticates. */
  auth: 'MD5' | 'TWN' | 'SSO';
  /** `USR t TWN` is still accepted although `auth` is SSO (MSNP15). */
  twnAlso: boolean;
  /** `USR t OK email name 1`: the verified flag (MSNP6+). */
  usrOkVerified: boolean;
  /** `XFR t NS host:port 0` (every version; MSNP2 too, see decisions) and, from MSNP7, the current server. */
  xfrNsCurrentServer: boolean;
  /** CHL/QRY, and with which algorithm. */
  challenge: ChallengeAlgorithm | undefined;
  /** PRP/BPR phone numbers (MSNP5+). */
  phoneProperties: boolean;
  /** Groups (MSNP7+): numeric ids before MSNP10, GUIDs from MSNP10. */
  groups: boolean;
  /** The login profile carries the Passport fields (MSNP3+), not just LoginTime. */
  fullProfile: boolean;
  /** The login profile has ClientIP/ClientPort (MSNP8+). */
  profileClientAddress: boolean;
  /** `ABCHMigrated: 1` in the profile: GUIDs and timestamps (MSNP10+). */
  abch: boolean;
  /** `URL t url login-url site-id` (MSNP3+) instead of two fields. */
  urlSiteId: boolean;
  /** IMS ON/OFF (MSNP3+). */
  ims: boolean;
  /** Client capabilities on CHG/ILN/NLN (MSNP8+). */
  presenceCaps: boolean;
  /** The MSNObject (display picture) on CHG/ILN/NLN (MSNP9+). */
  presenceMsnObject: boolean;
  /** Personal messages and current media: UUX/UBX (MSNP11+). */
  personalMessage: boolean;
  /** `QNG <seconds>` (MSNP9+). */
  qngSeconds: boolean;
  /** List-changing replies carry the list version (up to MSNP9). */
  versionInReplies: boolean;
  /** LST lines carry the network id (MSNP12). */
  lstNetworkId: boolean;
  /** `SBS 0 null` after USR OK, mail-data notification (MSNP11+). */
  sbs: boolean;
  /** Capabilities on switchboard IRO/JOI lines (MSNP12). */
  sbCaps: boolean;
  /** Lists come from the SOAP address book; ADL/RML/FQY replace SYN/ADC/REM (MSNP13+). */
  adl: boolean;
  /** The network id after the e-mail in ILN/NLN/FLN/UBX (MSNP14+). */
  presenceNetworkId: boolean;
  /** `FLN email 1 0`: a trailing capabilities `0` (MSNP14-15, flows.md §5.1). */
  flnCaps: boolean;
  /** `XFR t NS host:port U D` on a dispatch-only listener (MSNP13+, flows.md §4.1, §5.1). */
  xfrNsUD: boolean;
  /** `XFR … SB`/`RNG` end with `U messenger.msn.com` (MSNP13+) and the direct-connect flag `1` (MSNP14+): versions.md. */
  sbAuthDomain: boolean;
  sbDirectFlag: boolean;
  /** `0` in ILN/NLN when there is no MSNObject, instead of nothing (MSNP13+). */
  msnObjectZero: boolean;
  /** `GCF 0` with the policies is pushed before the `USR … S` challenge (MSNP13+, flows.md §4.1). */
  gcfPolicies: boolean;
  /**
   * Offline messages through the Hotmail side: Mail-Data entries at sign-in and
   * on arrival, RSI, UUM (MSNP13-18). Older clients get them from a switchboard
   * the server opens (core/offline-courier.ts).
   */
  oimMailData: boolean;

  /** `NOT` with the ABCH notice when the address book changes (MSNP13+, flows.md §4.2). */
  abchNotify: boolean;
  /** The SOAP era (MSNP13-18): VER offers it unless MSNPD_MSNP13=off. */
  switchable: boolean;
  /**
   * Error codes sent as `<code> <trid> 0` (a payload length) from MSNP13:
   * COMPAT: MSNPSharp 3.2.1 (MSNP18) reads a length after these (client-quirks.md).
   */
  errorsWithLength: ReadonlySet<number>;
  /** `USR t SSO S … {machine-guid}` names the endpoint (MSNP16+, versions.md §2e). */
  machineGuid: boolean;
  /**
   * MPOP endpoint data (MSNP16+): `caps:extcaps` on CHG/ILN/NLN, `FLN … 0:0`,
   * UUX `<EndpointData>`/`<PrivateEndpointData>`, and UBX built by the server
   * with `<FriendlyName>`, `<MachineGuid>`, `<EndpointData id>` (versions.md §2c).
   */
  endpoints: boolean;
  /** Network-prefixed handles `1:email` in NLN/FLN/UBX (MSNP18, versions.md §2c). */
  handlePrefix: boolean;
  /** The first CHG's presence burst is NLN, not ILN (MSNP18: client-quirks.md). */
  initialNln: boolean;
  /** `USR t SHA A <circle-ticket>` and circle (network 9) entries in ADL/RML (MSNP18). */
  circles: boolean;

  // --- Switchboard, MSNP16-18 (flows.md §6.2, client-quirks.md "Switchboard, MSNP18") ---
  /** `USR`/`ANS` name the endpoint (`email;{guid}`); `IRO`/`JOI`/`BYE` list each endpoint of a member too. */
  sbEndpoints: boolean;
  /** Capabilities on `IRO`/`JOI` as `caps:extcaps`. */
  sbExtCaps: boolean;
  /** `CAL` of one's own address rings one's other endpoints (`RINGING` even when there are none). */
  sbSelfCall: boolean;
}

/** client-quirks.md "Error lines and payload lengths". */
const LENGTH_ERRORS: ReadonlySet<number> = new Set([203, 204, 205, 210, 234, 241, 508, 509, 511, 933]);
const NO_CODES: ReadonlySet<number> = new Set();

function traitsFor(version: number): VersionTraits {
  return {
    version,
    era: version <= 7 ? 'classic' : version <= 9 ? 'tweener' : version <= 12 ? 'abch' : 'soap',
    auth: version <= 7 ? 'MD5' : version <= 14 ? 'TWN' : 'SSO',
    // COMPAT: Messenger for Mac 8 keeps TWN on MSNP15 (issue 13 item 2).
    twnAlso: version >= 15,
    usrOkVerified: version >= 6,
    xfrNsCurrentServer: version >= 7,
    challenge: version >= 11 ? 'lockkey' : version >= 6 ? 'md5' : undefined,
    phoneProperties: version >= 5,
    groups: version >= 7,
    fullProfile: version >= 3,
    profileClientAddress: version >= 8,
    abch: version >= 10,
    urlSiteId: version >= 3,
    ims: version >= 3,
    presenceCaps: version >= 8,
    presenceMsnObject: version >= 9,
    personalMessage: version >= 11,
    qngSeconds: version >= 9,
    versionInReplies: version <= 9,
    lstNetworkId: version >= 12,
    sbs: version >= 11,
    sbCaps: version >= 12,
    adl: version >= 13,
    presenceNetworkId: version >= 14,
    flnCaps: version >= 14,
    gcfPolicies: version >= 13,
    msnObjectZero: version >= 13,
    xfrNsUD: version >= 13,
    sbAuthDomain: version >= 13,
    sbDirectFlag: version >= 14,
    oimMailData: version >= 13 && version <= 18,

    abchNotify: version >= 13,
    switchable: version >= 13,
    errorsWithLength: version >= 13 ? LENGTH_ERRORS : NO_CODES,
    machineGuid: version >= 16,
    endpoints: version >= 16,
    handlePrefix: version >= 18,
    initialNln: version >= 18,
    circles: version >= 18,

    // --- Switchboard, MSNP16-18 ---
    sbEndpoints: version >= 16,
    sbExtCaps: version >= 16,
    sbSelfCall: version >= 16,
  };
}

export const VERSIONS: ReadonlyMap<number, VersionTraits> = new Map(
  [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18].map((v) => [v, traitsFor(v)] as const),
);

export const SUPPORTED_VERSIONS: readonly number[] = [...VERSIONS.keys()].sort((a, b) => b - a);

export function traits(version: number): VersionTraits {
  const t = VERSIONS.get(version);
  if (!t) throw new Error(`MSNP${version} is not supported`);
  return t;
}

/**
 * The highest version both sides speak, from the tokens of a client's VER;
 * MSNP13-18 only when `soapEra` is set (MSNPD_MSNP13, on by default).
 */
export function negotiate(offered: readonly string[], soapEra = true): number | undefined {
  const wanted = new Set<number>();
  for (const tok of offered) {
    const m = /^MSNP(\d{1,2})$/i.exec(tok);
    if (m) wanted.add(Number(m[1]));
  }
  return SUPPORTED_VERSIONS.find((v) => wanted.has(v) && (soapEra || !traits(v).switchable));
}
