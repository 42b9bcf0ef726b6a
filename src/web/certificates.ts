// TLS certificates for the HTTPS services. Node cannot issue certificates,
// so node-forge makes them: on first start a local certificate authority (kept
// in the data directory; operators install it on client machines once) and a
// server certificate for every hostname Messenger clients ask for, and a second
// one with a key of its own for the legacy TLS engine. Operators with their
// own certificate set MSNPD_TLS_CERT / MSNPD_TLS_KEY instead (and
// MSNPD_TLS_LEGACY_CERT / MSNPD_TLS_LEGACY_KEY for the legacy engine).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** Every hostname a Messenger client (of any version) sends HTTPS requests to (services.md §0, client-quirks.md). */
export const MESSENGER_HOSTNAMES: readonly string[] = [
  'messenger.hotmail.com', 'gateway.messenger.hotmail.com', 'muser.gateway.messenger.hotmail.com',
  'nexus.passport.com', 'login.passport.com', 'loginnet.passport.com', 'login.passport.net', 'login.live.com', 'msnia.login.live.com',
  'messenger.msn.com', 'contacts.msn.com', 'byrdr.omega.contacts.msn.com', 'local-bay.contacts.msn.com',
  'storage.msn.com', 'tkrdr.storage.msn.com', 'storage.live.com', 'blufiles.storage.msn.com',
  'ows.messenger.msn.com', 'rsi.hotmail.com', 'config.messenger.msn.com', 'messengersecure.live.com',
  'sup.live.com', 'directory.services.live.com', 'rpstauth.live.com', 'appdirectory.messenger.msn.com',
  'svcs.microsoft.com', 'g.msn.com', 'xmpp.messenger.live.com',
  // One level of wildcards for the rest of these domains.
  '*.msn.com', '*.live.com', '*.passport.com', '*.passport.net', '*.hotmail.com', '*.messenger.msn.com',
  '*.contacts.msn.com', '*.storage.msn.com', '*.login.live.com', '*.gateway.messenger.hotmail.com',
  'localhost',
];

export interface TlsMaterial {
  /** PEM. */
  key: string;
  cert: string;
  /**
   * PEM key and chain for the legacy TLS engine (TLS 1.0 RSA key exchange): a
   * key of its own, so an RSA-decryption oracle in the old protocol (ROBOT,
   * DROWN) never reaches the key modern TLS uses. The same as key/cert only
   * when an operator's own certificate has no companion.
   */
  legacyKey: string;
  legacyCert: string;
  /** Where the legacy engine's certificate is. */
  legacyCertPath: string;
  /** Where the CA certificate is (undefined with an operator's own certificate). */
  caPath: string | undefined;
  certPath: string;
  /** SHA-1 fingerprint of the CA (what Windows shows as "Thumbprint"). */
  caThumbprint: string | undefined;
  names: string[];
  created: boolean;
  /** Problems the operator should hear about at start. */
  warnings: string[];
}

/** The dNSName subtrees a CA certificate permits, or undefined when it has no Name Constraints (CAs made before 0.x). */
export function caPermittedDomains(caPem: string): string[] | undefined {
  const ext = forge.pki.certificateFromPem(caPem).getExtension('nameConstraints') as { value?: string } | undefined;
  if (!ext?.value) return undefined;
  const out: string[] = [];
  const seq = forge.asn1.fromDer(ext.value);
  for (const part of seq.value as forge.asn1.Asn1[]) {
    if (part.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || part.type !== 0) continue;
    for (const sub of part.value as forge.asn1.Asn1[]) {
      const base = (sub.value as forge.asn1.Asn1[])[0];
      if (base && base.type === 2 && typeof base.value === 'string') out.push(base.value);
    }
  }
  return out;
}

function subjectAltNames(names: string[]): { type: number; value?: string; ip?: string }[] {
  return names.map((n) => (net.isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
}

function serial(): string {
  // Positive, 16 random bytes.
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  return b.toString('hex');
}

function thumbprint(certPem: string): string {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes();
  return createHash('sha1').update(Buffer.from(der, 'binary')).digest('hex').toUpperCase();
}

/**
 * Domains the CA may sign for (Name Constraints, RFC 5280 4.2.1.10): whoever
 * steals its key can then impersonate only these, not every site the client
 * machines visit. Each base also covers its subdomains.
 */
export function permittedDomains(publicHost: string | undefined): string[] {
  const bases = new Set<string>();
  for (const n of MESSENGER_HOSTNAMES) {
    const name = n.replace(/^\*\./, '');
    const parts = name.split('.');
    // msn.com, live.com, ...; single hosts elsewhere (svcs.microsoft.com, not microsoft.com).
    bases.add(parts.length > 2 && !name.endsWith('.microsoft.com') ? parts.slice(-2).join('.') : name);
  }
  if (publicHost && net.isIP(publicHost) === 0) bases.add(publicHost.toLowerCase());
  return [...bases].sort();
}

/** True when a dNSName constraint list permits `host` (the base itself or a subdomain). */
export function domainPermitted(domains: readonly string[], host: string): boolean {
  const h = host.toLowerCase().replace(/^\*\./, '');
  return domains.some((d) => h === d || h.endsWith('.' + d));
}

/** NameConstraints with dNSName permitted subtrees only (IP addresses stay unconstrained). */
function nameConstraints(domains: string[]): forge.asn1.Asn1 {
  const { asn1 } = forge;
  const subtrees = domains.map((d) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, d)]),
  );
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, subtrees)]);
}

function makeCa(publicHost: string | undefined): { key: string; cert: string } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 20 * 365 * 24 * 3600_000);
  const attrs = [
    { name: 'commonName', value: 'msnpd local certificate authority' },
    { name: 'organizationName', value: 'msnpd' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    // No intermediate CAs under it.
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    // Not critical, so a verifier that does not know the extension (Windows XP
    // before SP3 is the worry) still accepts the CA; OpenSSL, NSS, GnuTLS and
    // CryptoAPI enforce it either way.
    { id: '2.5.29.30', critical: false, value: nameConstraints(permittedDomains(publicHost)) },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: forge.pki.privateKeyToPem(keys.privateKey), cert: forge.pki.certificateToPem(cert) };
}

function makeServerCert(ca: { key: string; cert: string }, names: string[]): { key: string; cert: string } {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  // Under 825 days, which current TLS clients accept for a server certificate.
  cert.validity.notAfter = new Date(Date.now() + 800 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: names[0]! }, { name: 'organizationName', value: 'msnpd' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    // RSA key exchange (what Windows XP speaks) needs keyEncipherment.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: subjectAltNames(names) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { key: forge.pki.privateKeyToPem(keys.privateKey), cert: forge.pki.certificateToPem(cert) + ca.cert };
}

export interface CertificateOptions {
  dataDir: string;
  publicHost: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
  /** The operator's certificate and key for the legacy engine (only with certFile/keyFile). */
  legacyCertFile?: string | undefined;
  legacyKeyFile?: string | undefined;
  /** The legacy engine is on (MSNPD_TLS_LEGACY): a shared key is worth a warning. Default true. */
  legacyTls?: boolean;
}

/** The warning for an operator's certificate that the legacy engine has to share. */
export const SHARED_LEGACY_KEY_WARNING =
  'the legacy TLS engine (Windows XP, MSNPD_TLS_LEGACY) uses the key of MSNPD_TLS_CERT/MSNPD_TLS_KEY: an RSA-decryption weakness in TLS 1.0 key exchange (ROBOT, DROWN) ' +
  'would then reach the key modern clients rely on. Give it a certificate with a key of its own (MSNPD_TLS_LEGACY_CERT/MSNPD_TLS_LEGACY_KEY), or set MSNPD_TLS_LEGACY=off.';

/** The names the server certificate must cover. */
export function certificateNames(publicHost: string | undefined): string[] {
  const names = [...MESSENGER_HOSTNAMES, '127.0.0.1'];
  if (publicHost && !names.includes(publicHost)) names.push(publicHost);
  return names;
}

/**
 * Loads (or on first use creates) the CA and the server certificate. The
 * server certificate is made again when the names it must cover change
 * (MSNPD_PUBLIC_HOST) or it is near its end; the CA is kept.
 */
export function ensureCertificates(o: CertificateOptions): TlsMaterial {
  if (!!o.legacyCertFile !== !!o.legacyKeyFile) throw new Error('MSNPD_TLS_LEGACY_CERT and MSNPD_TLS_LEGACY_KEY must be set together');
  if (o.certFile || o.keyFile) {
    if (!o.certFile || !o.keyFile) throw new Error('MSNPD_TLS_CERT and MSNPD_TLS_KEY must be set together');
    const key = fs.readFileSync(o.keyFile, 'utf8');
    const cert = fs.readFileSync(o.certFile, 'utf8');
    const own = ownLegacy(o);
    return {
      key,
      cert,
      legacyKey: own?.key ?? key,
      legacyCert: own?.cert ?? cert,
      legacyCertPath: own?.path ?? o.certFile,
      caPath: undefined,
      certPath: o.certFile,
      caThumbprint: undefined,
      names: [],
      created: false,
      warnings: !own && o.legacyTls !== false ? [SHARED_LEGACY_KEY_WARNING] : [],
    };
  }
  const dir = path.join(o.dataDir, 'tls');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (n: string) => path.join(dir, n);
  let created = false;
  if (!fs.existsSync(file('ca.crt')) || !fs.existsSync(file('ca.key'))) {
    const ca = makeCa(o.publicHost);
    fs.writeFileSync(file('ca.key'), ca.key, { mode: 0o600 });
    fs.writeFileSync(file('ca.crt'), ca.cert);
    created = true;
  }
  const ca = { key: fs.readFileSync(file('ca.key'), 'utf8'), cert: fs.readFileSync(file('ca.crt'), 'utf8') };
  const names = certificateNames(o.publicHost);
  const wanted = names.join(',');
  const fresh = certFresh(file('server.crt'), file('server.key'), file('server.names'), wanted);
  if (!fresh) {
    const server = makeServerCert(ca, names);
    fs.writeFileSync(file('server.key'), server.key, { mode: 0o600 });
    fs.writeFileSync(file('server.crt'), server.cert);
    fs.writeFileSync(file('server.names'), wanted);
    created = true;
  }
  // The legacy engine's own key and certificate (same CA, same names), made
  // too in data directories from before it had one.
  if (!certFresh(file('legacy.crt'), file('legacy.key'), file('legacy.names'), wanted)) {
    const legacy = makeServerCert(ca, names);
    fs.writeFileSync(file('legacy.key'), legacy.key, { mode: 0o600 });
    fs.writeFileSync(file('legacy.crt'), legacy.cert);
    fs.writeFileSync(file('legacy.names'), wanted);
    created = true;
  }
  const warnings: string[] = [];
  // A companion belongs to an operator's own certificate; msnpd's CA signs its own.
  if (o.legacyCertFile) warnings.push(`MSNPD_TLS_LEGACY_CERT is ignored without MSNPD_TLS_CERT: the legacy TLS engine uses ${file('legacy.crt')}, made by msnpd's CA.`);
  const constrained = caPermittedDomains(ca.cert);
  if (o.publicHost && net.isIP(o.publicHost) === 0 && constrained && !domainPermitted(constrained, o.publicHost)) {
    warnings.push(
      `MSNPD_PUBLIC_HOST ${o.publicHost} is outside the names the CA in ${dir} may sign for (it was made for another public host): ` +
        'clients will refuse HTTPS under that name. Move ca.crt and ca.key away to make a new CA, then install the new ca.crt on the clients.',
    );
  }
  return {
    warnings,
    key: fs.readFileSync(file('server.key'), 'utf8'),
    cert: fs.readFileSync(file('server.crt'), 'utf8'),
    legacyKey: fs.readFileSync(file('legacy.key'), 'utf8'),
    legacyCert: fs.readFileSync(file('legacy.crt'), 'utf8'),
    legacyCertPath: file('legacy.crt'),
    caPath: file('ca.crt'),
    certPath: file('server.crt'),
    caThumbprint: thumbprint(ca.cert),
    names,
    created,
  };
}

/** The operator's own certificate and key for the legacy engine, if given. */
function ownLegacy(o: CertificateOptions): { key: string; cert: string; path: string } | undefined {
  if (!o.legacyCertFile || !o.legacyKeyFile) return undefined;
  return { key: fs.readFileSync(o.legacyKeyFile, 'utf8'), cert: fs.readFileSync(o.legacyCertFile, 'utf8'), path: o.legacyCertFile };
}

/** A certificate and key exist, were made for `names` and have more than 30 days left. */
function certFresh(certPath: string, keyPath: string, namesPath: string, names: string): boolean {
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath) || !fs.existsSync(namesPath)) return false;
  const cert = forge.pki.certificateFromPem(fs.readFileSync(certPath, 'utf8'));
  return fs.readFileSync(namesPath, 'utf8') === names && cert.validity.notAfter.getTime() - Date.now() > 30 * 24 * 3600_000;
}

/** What `msnpd cert` prints: where the CA is and how to make Windows trust it. */
export function trustInstructions(m: TlsMaterial): string {
  if (!m.caPath) {
    const legacy = m.legacyCertPath === m.certPath ? 'the legacy TLS engine shares it (no MSNPD_TLS_LEGACY_CERT/MSNPD_TLS_LEGACY_KEY)' : `the legacy TLS engine uses ${m.legacyCertPath}`;
    return `msnpd uses your own certificate: ${m.certPath} (MSNPD_TLS_CERT/MSNPD_TLS_KEY); ${legacy}.\n`;
  }
  return [
    `Certificate authority: ${m.caPath}`,
    `  thumbprint (SHA-1): ${m.caThumbprint}`,
    `Server certificate:    ${m.certPath} (covers ${m.names.length} names: the Messenger hostnames, localhost, 127.0.0.1${m.names.includes('127.0.0.1') && m.names.length > MESSENGER_HOSTNAMES.length + 1 ? ` and ${m.names[m.names.length - 1]}` : ''})`,
    `Legacy TLS (XP):       ${m.legacyCertPath} (the same names and CA, a key of its own)`,
    '',
    'Copy ca.crt to each Windows machine that runs Messenger and trust it once:',
    '  Windows Vista and later (as administrator):  certutil -addstore -f Root ca.crt',
    '  Windows XP (and any version by hand): double-click ca.crt > Install Certificate... >',
    '    "Place all certificates in the following store" > Browse > Trusted Root Certification Authorities > Finish',
    'Messenger uses the system store (Internet Explorer settings); no browser restart is needed.',
    'Windows XP needs Service Pack 3 for the SHA-256 signatures these certificates carry.',
    `The CA can only sign for the Messenger domains${m.caPath ? ' (and localhost, MSNPD_PUBLIC_HOST)' : ''}: its key cannot be used against other sites.`,
    '',
  ].join('\n');
}
