// The cipher suites the legacy engine speaks: the three Windows XP offers
// (TLS 1.0, RSA key exchange), 3DES preferred over RC4.
export interface LegacySuite {
  id: number;
  name: string;
  cipher: '3des' | 'rc4';
  mac: 'sha1' | 'md5';
  macLength: number;
  keyLength: number;
  /** CBC block size and IV length (0 for the stream cipher). */
  blockLength: number;
}

export const TLS_RSA_WITH_3DES_EDE_CBC_SHA: LegacySuite = { id: 0x000a, name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', cipher: '3des', mac: 'sha1', macLength: 20, keyLength: 24, blockLength: 8 };
export const TLS_RSA_WITH_RC4_128_SHA: LegacySuite = { id: 0x0005, name: 'TLS_RSA_WITH_RC4_128_SHA', cipher: 'rc4', mac: 'sha1', macLength: 20, keyLength: 16, blockLength: 0 };
export const TLS_RSA_WITH_RC4_128_MD5: LegacySuite = { id: 0x0004, name: 'TLS_RSA_WITH_RC4_128_MD5', cipher: 'rc4', mac: 'md5', macLength: 16, keyLength: 16, blockLength: 0 };

/** In order of preference. */
export const LEGACY_SUITES: readonly LegacySuite[] = [TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_RC4_128_MD5];

/** The first suite of ours the client offers, by our preference. */
export function chooseSuite(offered: readonly number[]): LegacySuite | undefined {
  return LEGACY_SUITES.find((s) => offered.includes(s.id));
}
