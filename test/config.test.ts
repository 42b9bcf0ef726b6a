// Configuration: defaults, parsing, and errors naming the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.js';

test('defaults', () => {
  const c = loadConfig({});
  assert.equal(c.nsPort, 1863);
  assert.equal(c.sbPort, 1864);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.dispatch, 'same');
  assert.equal(c.challenges, 'enforce');
  assert.equal(c.legacyMd5, true);
  assert.equal(c.maxSbPayloadBytes, 1664);
  assert.ok(c.dataDir.endsWith('data'));
});

test('values are parsed', () => {
  const c = loadConfig({ MSNPD_NS_PORT: '0', MSNPD_DISPATCH: 'REDIRECT', MSNPD_LEGACY_MD5: 'off', MSNPD_PUBLIC_HOST: 'msn.example.org' });
  assert.equal(c.nsPort, 0);
  assert.equal(c.dispatch, 'redirect');
  assert.equal(c.legacyMd5, false);
  assert.equal(c.publicHost, 'msn.example.org');
});

test('bad values name the variable', () => {
  const bad: Record<string, string>[] = [
    { MSNPD_NS_PORT: 'abc' },
    { MSNPD_SB_PORT: '70000' },
    { MSNPD_DISPATCH: 'sideways' },
    { MSNPD_CHALLENGES: 'maybe' },
    { MSNPD_LEGACY_MD5: 'perhaps' },
    { MSNPD_SCRYPT_N: '1000' },
    { MSNPD_HOST: 'bad host' },
    { MSNPD_URL_BASE: 'ftp://x' },
  ];
  for (const env of bad) {
    const name = Object.keys(env)[0]!;
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.variable === name && e.message.startsWith(name));
  }
});
