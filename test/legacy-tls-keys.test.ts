// The legacy TLS engine's key (issue 11): RSA key exchange in TLS 1.0 is where
// decryption oracles live (ROBOT, DROWN), so the engine has a key of its own,
// not the one modern TLS uses. Checked with real handshakes on both engines:
// msnpd's TLS 1.0 client for the legacy one, Node's TLS for the modern one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { loadConfig } from '../src/config.js';
import { SHARED_LEGACY_KEY_WARNING } from '../src/web/certificates.js';
import { LegacyTlsClient } from '../src/web/tls/legacy/client.js';
import { HOST, runCli, sharedTls, tempDir, testEnv } from './helpers/server.js';
import { loggedServer } from './helpers/tls-wire.js';

const nexusRequest = 'GET /rdr/pprdr.asp HTTP/1.1\r\nHost: nexus.passport.com\r\n\r\n';
const spki = (c: X509Certificate) => c.publicKey.export({ type: 'spki', format: 'der' });

/** The certificates both engines present on `port`, each verified against `ca`; the legacy one after a request served over it. */
async function presented(port: number, ca: Buffer): Promise<{ legacy: X509Certificate; modern: X509Certificate }> {
  const c = await LegacyTlsClient.connect({ host: HOST, port, ca, suites: [0x000a] });
  assert.match(await c.request(nexusRequest), /^HTTP\/1\.1 200 OK/);
  const modern = await new Promise<X509Certificate>((resolve, reject) => {
    const s = tls.connect({ host: HOST, port, servername: 'login.live.com', ca }, () => {
      resolve(s.getPeerX509Certificate()!);
      s.end();
    });
    s.on('error', reject);
  });
  return { legacy: c.serverCertificate!, modern };
}

const warned = (lines: string[]) => lines.some((l) => l.includes('"level":40') && l.includes(SHARED_LEGACY_KEY_WARNING.slice(0, 60)));

describe('the legacy TLS engine has a key of its own', () => {
  test('generated: legacy.crt beside server.crt, signed by the same CA for the same names, with another key', async () => {
    const dir = tempDir();
    const noFiles = { MSNPD_TLS_CERT: '', MSNPD_TLS_KEY: '', MSNPD_TLS_LEGACY_CERT: '', MSNPD_TLS_LEGACY_KEY: '' };
    let { t, lines } = await loggedServer(noFiles, dir);
    const file = (n: string) => path.join(dir, 'tls', n);
    const ca = fs.readFileSync(file('ca.crt'));
    try {
      const { legacy, modern } = await presented(t.server.ports.https!, ca);
      assert.equal(legacy.fingerprint256, new X509Certificate(fs.readFileSync(file('legacy.crt'))).fingerprint256);
      assert.equal(modern.fingerprint256, new X509Certificate(fs.readFileSync(file('server.crt'))).fingerprint256);
      assert.notDeepEqual(spki(legacy), spki(modern), 'two different public keys');
      assert.equal(legacy.issuer, modern.issuer);
      assert.equal(legacy.subjectAltName, modern.subjectAltName);
      assert.equal(warned(lines), false);
      await t.stop();
      // A data directory from before the legacy key: it is made on the next start, the rest kept.
      for (const f of ['legacy.crt', 'legacy.key', 'legacy.names']) fs.rmSync(file(f));
      const serverCrt = fs.readFileSync(file('server.crt'), 'utf8');
      ({ t, lines } = await loggedServer(noFiles, dir));
      assert.equal(fs.readFileSync(file('server.crt'), 'utf8'), serverCrt);
      const again = await presented(t.server.ports.https!, ca);
      assert.equal(again.legacy.fingerprint256, new X509Certificate(fs.readFileSync(file('legacy.crt'))).fingerprint256);
      assert.notDeepEqual(spki(again.legacy), spki(again.modern));
    } finally {
      await t.stop();
    }
  });

  test('an operator certificate with a companion (MSNPD_TLS_LEGACY_CERT/KEY): the legacy engine presents the companion, no warning', async () => {
    // The test environment gives every server both pairs.
    const files = sharedTls();
    const { t, lines } = await loggedServer({});
    try {
      const { legacy, modern } = await presented(t.server.ports.https!, fs.readFileSync(files.ca));
      assert.equal(legacy.fingerprint256, new X509Certificate(fs.readFileSync(files.legacyCert)).fingerprint256);
      assert.equal(modern.fingerprint256, new X509Certificate(fs.readFileSync(files.cert)).fingerprint256);
      assert.notDeepEqual(spki(legacy), spki(modern));
      assert.equal(warned(lines), false);
    } finally {
      await t.stop();
    }
  });

  test('an operator certificate without a companion: shared knowingly, a warning at start, and Windows XP still served', async () => {
    const files = sharedTls();
    const { t, lines } = await loggedServer({ MSNPD_TLS_LEGACY_CERT: '', MSNPD_TLS_LEGACY_KEY: '' });
    try {
      assert.ok(warned(lines), 'a warning naming ROBOT/DROWN and the variables');
      assert.match(SHARED_LEGACY_KEY_WARNING, /ROBOT, DROWN/);
      assert.match(SHARED_LEGACY_KEY_WARNING, /MSNPD_TLS_LEGACY_CERT\/MSNPD_TLS_LEGACY_KEY/);
      const { legacy, modern } = await presented(t.server.ports.https!, fs.readFileSync(files.ca));
      assert.equal(legacy.fingerprint256, modern.fingerprint256);
    } finally {
      await t.stop();
    }
    // With the legacy engine off there is nothing to warn about.
    const off = await loggedServer({ MSNPD_TLS_LEGACY_CERT: '', MSNPD_TLS_LEGACY_KEY: '', MSNPD_TLS_LEGACY: 'off' });
    assert.equal(warned(off.lines), false);
    await off.t.stop();
  });

  test('an operator ECDSA certificate: served to modern clients with the legacy engine off; with it on and no RSA companion, the start stops saying what to do', async () => {
    const dir = tempDir();
    const key = path.join(dir, 'ec.key');
    const cert = path.join(dir, 'ec.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=login.live.com', '-addext', 'subjectAltName=DNS:login.live.com', '-keyout', key, '-out', cert, '-days', '2'], { stdio: 'ignore' });
    const ec = { MSNPD_TLS_CERT: cert, MSNPD_TLS_KEY: key, MSNPD_TLS_LEGACY_CERT: '', MSNPD_TLS_LEGACY_KEY: '' };
    const { t } = await loggedServer({ ...ec, MSNPD_TLS_LEGACY: 'off' }, path.join(dir, 'off'));
    try {
      const served = await new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: HOST, port: t.server.ports.https!, servername: 'login.live.com', ca: fs.readFileSync(cert) }, () => {
          resolve(s.getPeerX509Certificate()!.publicKey.asymmetricKeyType!);
          s.end();
        });
        s.on('error', reject);
      });
      assert.equal(served, 'ec');
    } finally {
      await t.stop();
    }
    const r = await runCli(['serve'], testEnv(path.join(dir, 'on'), { ...ec, MSNPD_TLS_LEGACY: 'on' }));
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^msnpd: bad configuration: MSNPD_TLS_KEY: the legacy TLS engine needs an RSA key .*MSNPD_TLS_LEGACY_CERT\/MSNPD_TLS_LEGACY_KEY, or set MSNPD_TLS_LEGACY=off/m);
  });

  test('MSNPD_TLS_LEGACY_CERT and MSNPD_TLS_LEGACY_KEY go together', () => {
    const files = sharedTls();
    assert.throws(() => loadConfig({ MSNPD_TLS_LEGACY_CERT: files.legacyCert }), /MSNPD_TLS_LEGACY_KEY.*set together/);
    assert.throws(() => loadConfig({ MSNPD_TLS_LEGACY_KEY: files.legacyKey }), /MSNPD_TLS_LEGACY_CERT.*set together/);
  });
});
