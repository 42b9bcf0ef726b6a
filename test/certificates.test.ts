// The generated certificate authority: it signs the server certificate every
// client accepts, and nothing else can be made to pass with its key (Name
// Constraints, no intermediate CAs). Checked with real TLS handshakes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';
import { caPermittedDomains, ensureCertificates, permittedDomains } from '../src/web/certificates.js';

/** A certificate for `names`, signed by `issuer` (forge objects), optionally itself a CA. */
function sign(issuer: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }, names: string[], ca = false) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + Math.floor(Math.random() * 1e8).toString(16);
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: names[0]! }]);
  cert.setIssuer(issuer.cert.subject.attributes);
  cert.setExtensions([
    ca ? { name: 'basicConstraints', cA: true, critical: true } : { name: 'basicConstraints', cA: false },
    ca ? { name: 'keyUsage', keyCertSign: true, critical: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
  ]);
  cert.sign(issuer.key, forge.md.sha256.create());
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { cert, key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Handshake against a server holding `chainPem`; the client trusts only `caPem`. Resolves to the verification error, or undefined. */
async function handshake(chainPem: string, keyPem: string, caPem: string, servername: string): Promise<string | undefined> {
  const server = tls.createServer({ cert: chainPem, key: keyPem }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string | undefined>((resolve) => {
      const c = tls.connect({ host: '127.0.0.1', port, servername, ca: caPem }, () => {
        c.destroy();
        resolve(undefined);
      });
      c.on('error', (e: NodeJS.ErrnoException) => resolve(`${e.code}: ${e.message}`));
    });
  } finally {
    server.close();
  }
}

describe('generated certificate authority', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msnpd-ca-'));
  const m = ensureCertificates({ dataDir: dir, publicHost: 'msn.example.org', certFile: undefined, keyFile: undefined });
  const caPem = fs.readFileSync(m.caPath!, 'utf8');
  const ca = { cert: forge.pki.certificateFromPem(caPem), key: forge.pki.privateKeyFromPem(fs.readFileSync(path.join(dir, 'tls', 'ca.key'), 'utf8')) as forge.pki.rsa.PrivateKey };

  test('is a CA for end certificates only, limited to the Messenger domains and the public host', () => {
    const x = new X509Certificate(caPem);
    assert.equal(x.ca, true);
    const bc = ca.cert.getExtension('basicConstraints') as { pathLenConstraint?: number };
    assert.equal(bc.pathLenConstraint, 0);
    const domains = caPermittedDomains(caPem)!;
    assert.deepEqual(domains, permittedDomains('msn.example.org'));
    for (const d of ['msn.com', 'live.com', 'passport.com', 'passport.net', 'hotmail.com', 'svcs.microsoft.com', 'localhost', 'msn.example.org']) assert.ok(domains.includes(d), d);
    assert.ok(!domains.includes('microsoft.com'));
    assert.deepEqual(m.warnings, []);
  });

  test('the server certificate it made passes for Messenger names, the public host and 127.0.0.1', async () => {
    for (const name of ['login.live.com', 'nexus.passport.com', 'rsi.hotmail.com', 'msn.example.org', 'localhost']) {
      assert.equal(await handshake(m.cert, m.key, caPem, name), undefined, name);
    }
  });

  test('a certificate for another site signed with its key is refused', async () => {
    const evil = sign(ca, ['www.example.com']);
    const err = await handshake(evil.certPem, evil.keyPem, caPem, 'www.example.com');
    assert.match(err ?? '', /permitted subtree violation/);
  });

  test('an intermediate CA made with its key cannot sign anything', async () => {
    const mid = sign(ca, ['ca.live.com'], true);
    const leaf = sign(mid, ['login.live.com']);
    const err = await handshake(leaf.certPem + mid.certPem, leaf.keyPem, caPem, 'login.live.com');
    assert.match(err ?? '', /path length constraint exceeded/);
  });

  test('a later public host outside the constraints is reported at start', () => {
    const again = ensureCertificates({ dataDir: dir, publicHost: 'chat.other.example', certFile: undefined, keyFile: undefined });
    assert.equal(again.warnings.length, 1);
    assert.match(again.warnings[0]!, /MSNPD_PUBLIC_HOST chat\.other\.example is outside/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
