// Environment variables (and flags of the same meaning) -> one typed Config.
// Every setting has a default a hobbyist can run with; a bad value is reported
// in one line naming the variable (the CLI exits with code 2, see cli/main.ts).
import fs from 'node:fs';
import path from 'node:path';

export type DispatchMode = 'same' | 'redirect';
export type ChallengePolicy = 'enforce' | 'log' | 'off';

export interface Config {
  dataDir: string;
  host: string;
  publicHost: string | undefined;
  nsPort: number;
  sbPort: number;
  httpPort: number;
  httpsPort: number;
  /** An operator's own certificate chain and key (PEM files); else msnpd makes its own. */
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** A certificate and key of its own for the legacy TLS engine (else it shares tlsCert/tlsKey, with a warning). */
  tlsLegacyCert: string | undefined;
  tlsLegacyKey: string | undefined;
  /** Serve Windows XP's TLS (1.0, RSA, 3DES/RC4) with the legacy engine on the HTTPS port. */
  tlsLegacy: boolean;
  /** Seconds a client has to complete a TLS handshake on the HTTPS port (ClientHello included). */
  tlsHandshakeTimeout: number;
  /** Seconds a web connection may stay silent. */
  webIdleTimeout: number;
  /** The HTTP gateway (`/gateway/gateway.dll`): on, GW-IP (default the Host the client reached), limits. */
  gateway: boolean;
  gatewayHost: string | undefined;
  /** Seconds a gateway session may go without a request before it is closed. */
  gatewayTimeout: number;
  gatewayMaxBody: number;
  /** Bytes of output a gateway session may hold for its next poll before it is closed. */
  gatewayMaxQueue: number;
  /** Gateway requests per second (average, burst) one address may make (0 = no limit). */
  gatewayRequestRate: number;
  gatewayRequestBurst: number;
  soapRequestRate: number;
  soapRequestBurst: number;
  /** Largest display picture the storage service keeps, in bytes. */
  storageMaxPicture: number;
  /** Where display pictures are served: the start of the PreAuthURLs GetProfile names (plain HTTP). */
  storageTileUrl: string;
  /** Seconds a Passport ticket stays valid. */
  ticketTtl: number;
  /** Seconds an RST/RST2 service token (contacts, storage, SSO, ...) stays valid. */
  serviceTokenTtl: number;
  notifyPort: number;
  dispatch: DispatchMode;
  challenges: ChallengePolicy;
  /** Seconds from sign-in to the first CHL (MSNP6+). */
  challengeDelay: number;
  /** Seconds between challenges. */
  challengeInterval: number;
  /** Seconds a client has to answer a CHL. */
  challengeTimeout: number;
  legacyMd5: boolean;
  /** Offline messages: bytes of text, messages waiting per recipient, and per sender at one recipient. */
  oimMaxBytes: number;
  oimMaxPerRecipient: number;
  oimMaxPerSender: number;
  /** MSNPD_MSNP13 (on by default): VER accepts MSNP13-18 (WLM 8.0-2009, Pidgin 2.5-2.11, MSNPSharp 3). */
  msnp13: boolean;
  /** scrypt cost parameter N (a power of two). */
  scryptN: number;
  /** Base URL for the URL command's pages. */
  urlBase: string;
  logLevel: string;
  maxLineBytes: number;
  maxNsPayloadBytes: number;
  maxSbPayloadBytes: number;
  /** Seconds a signed-in notification connection may stay silent before it is cut (0 = never). */
  idleTimeout: number;
  /** Seconds a switchboard connection may stay silent before it is cut. */
  sbIdleTimeout: number;
  /** Seconds a connection may take to sign in. */
  authTimeout: number;
  /** Seconds a switchboard cookie (XFR SB / RNG) stays valid. */
  cookieTtl: number;
  /** Seconds an invitation (RNG) waits for ANS. */
  ringTimeout: number;
  /** Seconds a switchboard with a single participant stays open. */
  sbLonelyTimeout: number;
  /** Seconds between polls for changes made by the CLI while the service runs. */
  adminPollInterval: number;
  /** Seconds the server announces in QNG (MSNP9+). */
  pingInterval: number;
  /** Connections one address may hold at once (0 = no limit). */
  maxConnectionsPerIp: number;
  /** Commands per second (average, burst) on a notification connection (0 = no limit). */
  nsCommandRate: number;
  nsCommandBurst: number;
  /** The same for a switchboard connection (messages included). */
  sbCommandRate: number;
  sbCommandBurst: number;
  /** Seconds a command may take to arrive in full before the sender is cut off. */
  partialTimeout: number;
  /** Failed sign-ins an address may make per 10 minutes before further tries are refused. */
  loginFailuresPerIp: number;
  /** IPv6 clients count against the per-address limits per prefix of this length (128 = each address). */
  ipv6Prefix: number;
  /** Milliseconds SQLite waits synchronously for the CLI's write lock per try, and in all before an operation fails. */
  dbBusyTimeoutMs: number;
  dbBusyDeadlineMs: number;
  /** Days removals are remembered for address-book deltas (MSNPD_AB_TOMBSTONE_DAYS). */
  abTombstoneDays: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, def: string): string {
  const v = env[name];
  return v === undefined || v === '' ? def : v;
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const v = env[name];
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v.trim())) throw new ConfigError(name, `expected a whole number, got "${v}"`);
  const n = Number(v.trim());
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function port(env: Env, name: string, def: number): number {
  return int(env, name, def, 0, 65535);
}

function oneOf<T extends string>(env: Env, name: string, def: T, allowed: readonly T[]): T {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const lower = v.trim().toLowerCase() as T;
  if (!allowed.includes(lower)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
  return lower;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new ConfigError(name, `expected on/off (1/0, true/false, yes/no), got "${v}"`);
}

function file(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const p = path.resolve(v);
  if (!fs.existsSync(p)) throw new ConfigError(name, `no such file: ${p}`);
  return p;
}

function host(env: Env, name: string, def: string | undefined): string | undefined {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const h = v.trim();
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(h)) throw new ConfigError(name, `not a host name or address: "${v}"`);
  return h;
}

/** Every variable msnpd reads, with a one-line description (shown by --help). */
export const CONFIG_VARIABLES: ReadonlyArray<[string, string]> = [
  ['MSNPD_DATA', 'data directory (default ./data)'],
  ['MSNPD_HOST', 'address to listen on (default 0.0.0.0)'],
  ['MSNPD_PUBLIC_HOST', 'address given to clients in XFR/RNG (default: the address the client reached)'],
  ['MSNPD_NS_PORT', 'dispatch + notification port (default 1863; 0 = any free port)'],
  ['MSNPD_SB_PORT', 'switchboard port (default 1864)'],
  ['MSNPD_HTTP_PORT', 'HTTP port for the web services (default 80; 0 = any free port)'],
  ['MSNPD_HTTPS_PORT', 'HTTPS port for Passport and the web services (default 443)'],
  ['MSNPD_TLS_CERT', 'PEM certificate chain to use instead of the one msnpd makes (with MSNPD_TLS_KEY)'],
  ['MSNPD_TLS_KEY', 'PEM private key for MSNPD_TLS_CERT'],
  ['MSNPD_TLS_LEGACY_CERT', 'with MSNPD_TLS_CERT: a PEM certificate chain for the legacy TLS engine with a key of its own (RSA key exchange in TLS 1.0 must not expose the key modern TLS uses: ROBOT/DROWN); without it, it shares MSNPD_TLS_CERT and a warning says so'],
  ['MSNPD_TLS_LEGACY_KEY', 'PEM RSA private key for MSNPD_TLS_LEGACY_CERT'],
  ['MSNPD_TLS_LEGACY', 'on/off: serve Windows XP clients (TLS 1.0 with 3DES/RC4) on the HTTPS port (default on)'],
  ['MSNPD_TLS_HANDSHAKE_TIMEOUT', 'seconds a client has to complete a TLS handshake on the HTTPS port (default 15)'],
  ['MSNPD_WEB_IDLE_TIMEOUT', 'seconds a web (HTTP/HTTPS) connection may stay silent before it is closed; none lives longer than 4 times this, except a gateway connection kept alive, whose every answer renews it (default 30)'],
  ['MSNPD_GATEWAY', 'on/off: the HTTP gateway (/gateway/gateway.dll) for clients behind firewalls that block 1863 (default on)'],
  ['MSNPD_GATEWAY_HOST', 'host put in GW-IP, where gateway clients send their next requests (port 80) (default: the Host the client reached)'],
  ['MSNPD_GATEWAY_TIMEOUT', 'seconds a gateway session may go unpolled before it is closed like a dropped connection (default 60)'],
  ['MSNPD_GATEWAY_MAX_BODY', 'largest gateway request body in bytes; a larger one closes its session (default 131072)'],
  ['MSNPD_GATEWAY_MAX_QUEUE', 'bytes of output a gateway session may hold between polls (a P2P transfer from a TCP peer arrives faster than a poll every 2 s collects it); past it the session is closed (default 8388608)'],
  ['MSNPD_GATEWAY_REQUEST_RATE', 'gateway requests per second one address may make; 0 = no limit (default 50)'],
  ['MSNPD_GATEWAY_REQUEST_BURST', 'gateway requests one address may make in a burst (default 200)'],
  ['MSNPD_SOAP_REQUEST_RATE', 'SOAP requests (address book, sharing) per second one account may make; 0 = no limit (default 20)'],
  ['MSNPD_SOAP_REQUEST_BURST', 'SOAP requests one account may make in a burst (default 100)'],
  ['MSNPD_STORAGE_MAX_PICTURE', 'largest display picture in bytes the storage service (WLM 2009, MSNPSharp) keeps; a CreateDocument may be a third larger in base64 (default 131072, at most 184320)'],
  ['MSNPD_STORAGE_TILE_URL', 'start of the URLs display pictures are fetched from over plain HTTP; name the HTTP port when it is not 80 (default http://blufiles.storage.msn.com)'],
  ['MSNPD_TICKET_TTL', 'seconds a Passport ticket stays valid for web use; it signs in once (default 86400)'],
  ['MSNPD_SERVICE_TOKEN_TTL', 'seconds an RST/RST2 service token (address book, storage, SSO sign-in) stays valid (default 86400)'],
  ['MSNPD_DISPATCH', 'same (sign in on the NS port) or redirect (XFR NS to MSNPD_NOTIFY_PORT); default same'],
  ['MSNPD_NOTIFY_PORT', 'notification port used in redirect mode (default 1865)'],
  ['MSNPD_CHALLENGES', 'enforce, log or off: CHL/QRY policy for MSNP6+ (default enforce)'],
  ['MSNPD_CHALLENGE_DELAY', 'seconds from sign-in to the first CHL (default 5)'],
  ['MSNPD_CHALLENGE_INTERVAL', 'seconds between CHLs (default 900)'],
  ['MSNPD_CHALLENGE_TIMEOUT', 'seconds to answer a CHL (default 60)'],
  ['MSNPD_LEGACY_MD5', 'on/off: keep the MD5 verifier MSNP2-7 (Messenger 1.0-4.x) sign-in needs (default on). It is password-equivalent and a fast hash: whoever copies the database signs in as anyone through MSNP2-7 and recovers short passwords quickly; off = not stored for new or changed passwords (set it for `msnpd user` too), MD5 sign-in refused'],
  ['MSNPD_MSNP13', 'on/off: offer MSNP13-18 (WLM 8.0-2009, Pidgin 2.5-2.11, MSNPSharp 3: SSO, the SOAP address book, offline messages, storage) in VER (on; off: those clients are refused, as before they were supported). MSNPD_EXPERIMENTAL_MSNP13, its old name, is still read'],
  ['MSNPD_OIM_MAX_BYTES', 'largest offline message text in bytes (default 1601: the 1664-byte switchboard message less its plain-text header, so it still reaches MSNP2-12 users in one switchboard MSG)'],
  ['MSNPD_OIM_MAX_PER_RECIPIENT', 'offline messages one account may have waiting; more are refused (default 200)'],
  ['MSNPD_OIM_MAX_PER_SENDER', 'offline messages one sender may have waiting at one recipient; more are refused as sent too quickly (default 25)'],
  ['MSNPD_SCRYPT_N', 'scrypt cost N for stored passwords (default 8192: about 10 ms and 8 MiB per hash)'],
  ['MSNPD_URL_BASE', 'base URL for the pages the URL command names (default http://localhost/)'],
  ['MSNPD_LOG_LEVEL', 'fatal, error, warn, info, debug, trace or silent (default info)'],
  ['MSNPD_MAX_LINE', 'longest command line in bytes (default 8192)'],
  ['MSNPD_MAX_NS_PAYLOAD', 'largest notification-server payload in bytes (default 65536)'],
  ['MSNPD_MAX_SB_PAYLOAD', 'largest switchboard MSG payload in bytes (default 1664)'],
  ['MSNPD_IDLE_TIMEOUT', 'seconds of silence before a signed-in notification connection is cut; 0 = never, as MSNP2-5 clients do not ping (default 0)'],
  ['MSNPD_SB_IDLE_TIMEOUT', 'seconds of silence before a switchboard connection is cut (default 1800)'],
  ['MSNPD_AUTH_TIMEOUT', 'seconds a connection has to sign in (default 60)'],
  ['MSNPD_COOKIE_TTL', 'seconds a switchboard cookie stays valid (default 120)'],
  ['MSNPD_RING_TIMEOUT', 'seconds an invitation waits for ANS (default 120)'],
  ['MSNPD_SB_LONELY_TIMEOUT', 'seconds a switchboard with one participant stays open (default 300)'],
  ['MSNPD_ADMIN_POLL', 'seconds between checks for CLI changes while running (default 1)'],
  ['MSNPD_PING_INTERVAL', 'seconds announced in QNG (default 60)'],
  ['MSNPD_MAX_CONNECTIONS_PER_IP', 'connections one address may hold at once on the MSNP listeners, and as many again on the web listeners; 0 = no limit (default 100)'],
  ['MSNPD_NS_COMMAND_RATE', 'commands per second a notification connection may send; 0 = no limit (default 20)'],
  ['MSNPD_NS_COMMAND_BURST', 'commands a notification connection may send in a burst (default 200)'],
  ['MSNPD_SB_COMMAND_RATE', 'commands (messages) per second on a switchboard connection, beyond which it is paced (read more slowly); 0 = no limit (default 200)'],
  ['MSNPD_SB_COMMAND_BURST', 'commands a switchboard connection may send in a burst (default 1000)'],
  ['MSNPD_PARTIAL_TIMEOUT', 'seconds a command may take to arrive in full (slow senders) (default 30)'],
  ['MSNPD_LOGIN_FAILURES_PER_IP', 'failed sign-ins per address per 10 minutes before it is refused for a while (default 20)'],
  ['MSNPD_IPV6_PREFIX', 'IPv6 clients count against the per-address limits per prefix of this length, as one subscriber holds a whole /64; 128 = each address (default 64)'],
  ['MSNPD_DB_BUSY_TIMEOUT', 'milliseconds the service blocks waiting for a CLI write to the database before retrying on a timer (default 5)'],
  ['MSNPD_DB_BUSY_DEADLINE', 'milliseconds an operation keeps retrying while the CLI holds the database, then fails with nothing written (default 10000)'],
  ['MSNPD_AB_TOMBSTONE_DAYS', 'days removed contacts, groups and memberships are remembered for address-book deltas; a client last synced before the oldest forgotten removal is told to sync in full (default 180)'],
];

export function loadConfig(env: Env = process.env): Config {
  const scryptN = int(env, 'MSNPD_SCRYPT_N', 8192, 2, 1 << 22);
  if ((scryptN & (scryptN - 1)) !== 0) throw new ConfigError('MSNPD_SCRYPT_N', `must be a power of two, got ${scryptN}`);
  const urlBase = str(env, 'MSNPD_URL_BASE', 'http://localhost/');
  if (!/^https?:\/\/\S+$/.test(urlBase)) throw new ConfigError('MSNPD_URL_BASE', `not an http(s) URL: "${urlBase}"`);
  if (!!env.MSNPD_TLS_CERT !== !!env.MSNPD_TLS_KEY) {
    throw new ConfigError(env.MSNPD_TLS_CERT ? 'MSNPD_TLS_KEY' : 'MSNPD_TLS_CERT', 'MSNPD_TLS_CERT and MSNPD_TLS_KEY must be set together');
  }
  if (!!env.MSNPD_TLS_LEGACY_CERT !== !!env.MSNPD_TLS_LEGACY_KEY) {
    throw new ConfigError(env.MSNPD_TLS_LEGACY_CERT ? 'MSNPD_TLS_LEGACY_KEY' : 'MSNPD_TLS_LEGACY_CERT', 'MSNPD_TLS_LEGACY_CERT and MSNPD_TLS_LEGACY_KEY must be set together');
  }
  const tileUrl = str(env, 'MSNPD_STORAGE_TILE_URL', 'http://blufiles.storage.msn.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[A-Za-z0-9.:\-\[\]]+(\/[A-Za-z0-9._~\-\/]*)?$/.test(tileUrl)) throw new ConfigError('MSNPD_STORAGE_TILE_URL', `not an http(s) URL without a query: "${tileUrl}"`);
  const logLevel = oneOf(env, 'MSNPD_LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const);
  return {
    dataDir: path.resolve(str(env, 'MSNPD_DATA', './data')),
    host: host(env, 'MSNPD_HOST', '0.0.0.0')!,
    publicHost: host(env, 'MSNPD_PUBLIC_HOST', undefined),
    nsPort: port(env, 'MSNPD_NS_PORT', 1863),
    sbPort: port(env, 'MSNPD_SB_PORT', 1864),
    notifyPort: port(env, 'MSNPD_NOTIFY_PORT', 1865),
    httpPort: port(env, 'MSNPD_HTTP_PORT', 80),
    httpsPort: port(env, 'MSNPD_HTTPS_PORT', 443),
    tlsCert: file(env, 'MSNPD_TLS_CERT'),
    tlsKey: file(env, 'MSNPD_TLS_KEY'),
    tlsLegacyCert: file(env, 'MSNPD_TLS_LEGACY_CERT'),
    tlsLegacyKey: file(env, 'MSNPD_TLS_LEGACY_KEY'),
    tlsLegacy: bool(env, 'MSNPD_TLS_LEGACY', true),
    tlsHandshakeTimeout: int(env, 'MSNPD_TLS_HANDSHAKE_TIMEOUT', 15, 1, 3600),
    webIdleTimeout: int(env, 'MSNPD_WEB_IDLE_TIMEOUT', 30, 1, 3600),
    gateway: bool(env, 'MSNPD_GATEWAY', true),
    gatewayHost: host(env, 'MSNPD_GATEWAY_HOST', undefined),
    gatewayTimeout: int(env, 'MSNPD_GATEWAY_TIMEOUT', 60, 1, 3600),
    gatewayMaxBody: int(env, 'MSNPD_GATEWAY_MAX_BODY', 131072, 1024, 262144),
    gatewayMaxQueue: int(env, 'MSNPD_GATEWAY_MAX_QUEUE', 8 * 1024 * 1024, 65536, 1 << 28),
    gatewayRequestRate: int(env, 'MSNPD_GATEWAY_REQUEST_RATE', 50, 0, 1_000_000),
    gatewayRequestBurst: int(env, 'MSNPD_GATEWAY_REQUEST_BURST', 200, 1, 1_000_000),
    soapRequestRate: int(env, 'MSNPD_SOAP_REQUEST_RATE', 20, 0, 1_000_000),
    soapRequestBurst: int(env, 'MSNPD_SOAP_REQUEST_BURST', 100, 1, 1_000_000),
    storageMaxPicture: int(env, 'MSNPD_STORAGE_MAX_PICTURE', 131072, 1024, 184320),
    storageTileUrl: tileUrl,
    ticketTtl: int(env, 'MSNPD_TICKET_TTL', 86400, 1, 86400 * 7),
    serviceTokenTtl: int(env, 'MSNPD_SERVICE_TOKEN_TTL', 86400, 1, 86400 * 7),
    dispatch: oneOf(env, 'MSNPD_DISPATCH', 'same', ['same', 'redirect'] as const),
    challenges: oneOf(env, 'MSNPD_CHALLENGES', 'enforce', ['enforce', 'log', 'off'] as const),
    challengeDelay: int(env, 'MSNPD_CHALLENGE_DELAY', 5, 0, 86400),
    challengeInterval: int(env, 'MSNPD_CHALLENGE_INTERVAL', 900, 1, 86400 * 7),
    challengeTimeout: int(env, 'MSNPD_CHALLENGE_TIMEOUT', 60, 1, 86400),
    legacyMd5: bool(env, 'MSNPD_LEGACY_MD5', true),
    // MSNPD_EXPERIMENTAL_MSNP13 is its name from when MSNP13-18 were incomplete (off by default).
    msnp13: bool(env, 'MSNPD_MSNP13', bool(env, 'MSNPD_EXPERIMENTAL_MSNP13', true)),
    oimMaxBytes: int(env, 'MSNPD_OIM_MAX_BYTES', 1601, 1, 1 << 20),
    oimMaxPerRecipient: int(env, 'MSNPD_OIM_MAX_PER_RECIPIENT', 200, 1, 1_000_000),
    oimMaxPerSender: int(env, 'MSNPD_OIM_MAX_PER_SENDER', 25, 1, 1_000_000),
    scryptN,
    urlBase: urlBase.endsWith('/') ? urlBase : urlBase + '/',
    logLevel,
    maxLineBytes: int(env, 'MSNPD_MAX_LINE', 8192, 256, 1 << 20),
    maxNsPayloadBytes: int(env, 'MSNPD_MAX_NS_PAYLOAD', 65536, 1024, 1 << 24),
    maxSbPayloadBytes: int(env, 'MSNPD_MAX_SB_PAYLOAD', 1664, 256, 1 << 24),
    idleTimeout: int(env, 'MSNPD_IDLE_TIMEOUT', 0, 0, 86400 * 7),
    sbIdleTimeout: int(env, 'MSNPD_SB_IDLE_TIMEOUT', 1800, 1, 86400 * 7),
    authTimeout: int(env, 'MSNPD_AUTH_TIMEOUT', 60, 1, 86400),
    cookieTtl: int(env, 'MSNPD_COOKIE_TTL', 120, 1, 86400),
    ringTimeout: int(env, 'MSNPD_RING_TIMEOUT', 120, 1, 86400),
    sbLonelyTimeout: int(env, 'MSNPD_SB_LONELY_TIMEOUT', 300, 1, 86400),
    adminPollInterval: int(env, 'MSNPD_ADMIN_POLL', 1, 1, 3600),
    pingInterval: int(env, 'MSNPD_PING_INTERVAL', 60, 1, 3600),
    maxConnectionsPerIp: int(env, 'MSNPD_MAX_CONNECTIONS_PER_IP', 100, 0, 1_000_000),
    nsCommandRate: int(env, 'MSNPD_NS_COMMAND_RATE', 20, 0, 1_000_000),
    nsCommandBurst: int(env, 'MSNPD_NS_COMMAND_BURST', 200, 1, 1_000_000),
    sbCommandRate: int(env, 'MSNPD_SB_COMMAND_RATE', 200, 0, 1_000_000),
    sbCommandBurst: int(env, 'MSNPD_SB_COMMAND_BURST', 1000, 1, 1_000_000),
    partialTimeout: int(env, 'MSNPD_PARTIAL_TIMEOUT', 30, 1, 86400),
    loginFailuresPerIp: int(env, 'MSNPD_LOGIN_FAILURES_PER_IP', 20, 1, 1_000_000),
    ipv6Prefix: int(env, 'MSNPD_IPV6_PREFIX', 64, 1, 128),
    dbBusyTimeoutMs: int(env, 'MSNPD_DB_BUSY_TIMEOUT', 5, 0, 60_000),
    dbBusyDeadlineMs: int(env, 'MSNPD_DB_BUSY_DEADLINE', 10_000, 0, 600_000),
    abTombstoneDays: int(env, 'MSNPD_AB_TOMBSTONE_DAYS', 180, 0, 36_500),
  };
}
