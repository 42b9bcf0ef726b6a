// Password storage and the challenge algorithms against the project's vectors
// (../shared/protocol/vectors.md §1-3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, md5Verifier, newMd5Salt, passwordProblem, verifyMd5Response, verifyPassword } from '../src/core/passwords.js';
import { expectedAnswer, lockAndKeyAnswer, md5Answer, newChallenge, PRODUCT_KEYS } from '../src/msnp/challenges.js';

test('MD5 sign-in vectors', () => {
  assert.equal(md5Verifier('1013928519.693957190', 'password'), '7f919fab309532df353c901430df36fa');
  assert.equal(md5Verifier('1234567890.0', 'hunter2'), '55231bba0b85b456a37da7d0ef15a2f2');
  assert.equal(md5Verifier('salt', ''), 'ceb20772e0c9d240c75eb26b0e37abee');
  assert.ok(verifyMd5Response('7F919FAB309532DF353C901430DF36FA', '7f919fab309532df353c901430df36fa'));
  assert.ok(!verifyMd5Response('7f919fab', '7f919fab309532df353c901430df36fa'));
  assert.match(newMd5Salt(), /^\d{10}\.\d{9}$/);
});

test('scrypt hashes verify and are salted', async () => {
  const a = await hashPassword('secret', 1024);
  const b = await hashPassword('secret', 1024);
  assert.notEqual(a, b);
  assert.ok(await verifyPassword('secret', a));
  assert.ok(!(await verifyPassword('Secret', a)));
  assert.ok(!(await verifyPassword('secret', 'garbage')));
});

test('password rules: 1-16 characters', () => {
  assert.ok(passwordProblem(''));
  assert.ok(passwordProblem('x'.repeat(17)));
  assert.equal(passwordProblem('x'.repeat(16)), undefined);
  assert.ok(passwordProblem('a\nb'));
});

test('MSNP6-10 challenge vectors', () => {
  const rows: [string, string, string][] = [
    ['22299241447072743325', 'msmsgs@msnmsgr.com', '20dba7e6e9817826b9cd5240cc8add99'],
    ['22299241447072743325', 'PROD0038W!61ZTF9', '0374583b2f53a43d4392bf5a8355dc75'],
    ['22299241447072743325', 'PROD0058#7IL2{QD', 'ebc0e735041c0e89fdcf432d1c2d95a5'],
    ['22299241447072743325', 'PROD0061VRRZH@4F', '4485729655e8fd1bd77c9e43c5bf8344'],
    ['15570131571988941333', 'msmsgs@msnmsgr.com', '8f2f5a91b72102cd28355e9fc9000d6e'],
    ['29409134351025259292', 'PROD0061VRRZH@4F', 'e713b299d972368a01227dfbc0c7c7c7'],
  ];
  for (const [chl, id, want] of rows) {
    assert.equal(md5Answer(chl, PRODUCT_KEYS.get(id)!), want);
    assert.equal(expectedAnswer('md5', chl, id), want);
  }
});

test('MSNP11+ lock-and-key vectors, including published ones', () => {
  const rows: [string, string, string][] = [
    ['22210219642164014968', 'PROD0090YUAUV{2B', '85ecb0db8f32113df79ce0892b9a102c'],
    ['36819795137093047918', 'PROD0090YUAUV{2B', 'e7ad3cb09d3e9e4e7c720175984809e9'],
    ['13038318816579321232', 'PROD0090YUAUV{2B', 'b01c13020e374d4fa20abfad6981b7a9'],
    ['11533365622852247127', 'PROD0113H11T8$X_', 'f086d1ded067186deca8dba2231602cf'],
    ['237191752526424888127371168', 'PROD0113H11T8$X_', '65b6b623c649c25629af048d34066040'],
    ['1663122458434562624782678054', 'PROD0120PW!CCV9@', 'f379e91748f9722568da550eccefec47'],
    ['123456789012345678901234', 'PROD0120PW!CCV9@', '27a63cfd509207abf820017fb50ee2b3'],
    ['22210219642164014968', 'PROD0118R6%2WYOS', '8c24d791ee3a1064557c99fcf95fde72'],
  ];
  for (const [chl, id, want] of rows) assert.equal(lockAndKeyAnswer(chl, id, PRODUCT_KEYS.get(id)!), want, `${chl} ${id}`);
  assert.equal(expectedAnswer('lockkey', '1', 'PROD9999XXXXXXXX'), undefined);
});

test('challenges are 20 digits', () => {
  for (let i = 0; i < 20; i++) assert.match(newChallenge(), /^[1-9]\d{19}$/);
});
