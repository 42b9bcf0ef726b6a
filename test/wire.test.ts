// The framer: commands and binary payloads out of a byte stream, with limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer, type FramingError } from '../src/msnp/wire/framer.js';
import type { Command } from '../src/msnp/wire/command.js';
import { urlDecode, urlEncode } from '../src/msnp/wire/urlcode.js';

function frame(chunks: Buffer[], opts: Partial<{ maxLineBytes: number; maxPayloadBytes: number }> = {}) {
  const cmds: Command[] = [];
  const errors: FramingError[] = [];
  const f = new Framer(
    { maxLineBytes: 100, maxPayloadBytes: 64, payloadVerbs: new Set(['MSG', 'QRY']), ...opts },
    { onCommand: (c) => void cmds.push(c), onFramingError: (e) => void errors.push(e) },
  );
  for (const c of chunks) f.push(c);
  return { cmds, errors, f };
}

test('lines split on CRLF (and bare LF), tokens on spaces', () => {
  const { cmds } = frame([Buffer.from('VER 1 MSNP7 CVR0\r\nPNG\nCHG 2  NLN\r\n\r\n')]);
  assert.deepEqual(cmds.map((c) => [c.verb, c.args]), [['VER', ['1', 'MSNP7', 'CVR0']], ['PNG', []], ['CHG', ['2', 'NLN']]]);
});

test('payloads are sliced by length, byte-exact, even split into single bytes', () => {
  const body = Buffer.from([0, 13, 10, 255, 0x4d, 0x53, 0x47, 32, 13, 10, 13, 10, 1, 2, 3]);
  const wire = Buffer.concat([Buffer.from(`MSG 5 D ${body.length}\r\n`), body, Buffer.from('PNG\r\n')]);
  const chunks = [...wire].map((b) => Buffer.from([b]));
  const { cmds, errors } = frame(chunks);
  assert.deepEqual(errors, []);
  assert.equal(cmds.length, 2);
  assert.deepEqual(cmds[0]!.payload, body);
  assert.equal(cmds[1]!.verb, 'PNG');
});

test('a zero-length payload is a command with an empty payload', () => {
  const { cmds } = frame([Buffer.from('MSG 1 U 0\r\nPNG\r\n')]);
  assert.equal(cmds[0]!.payload!.length, 0);
  assert.equal(cmds[1]!.verb, 'PNG');
});

test('framing errors: long lines, bad and oversized lengths', () => {
  assert.deepEqual(frame([Buffer.alloc(101, 0x41)]).errors, ['line-too-long']);
  assert.deepEqual(frame([Buffer.from('A'.repeat(150) + '\r\n')]).errors, ['line-too-long']);
  assert.deepEqual(frame([Buffer.from('MSG 1 N abc\r\n')]).errors, ['bad-payload-length']);
  assert.deepEqual(frame([Buffer.from('MSG 1 N -5\r\n')]).errors, ['bad-payload-length']);
  assert.deepEqual(frame([Buffer.from('MSG 1 N\r\n')]).errors, ['bad-payload-length']);
  assert.deepEqual(frame([Buffer.from('MSG 1 N 65\r\n')]).errors, ['payload-too-large']);
  assert.deepEqual(frame([Buffer.from('MSG 1 N 99999999999\r\n')]).errors, ['bad-payload-length']);
});

test('nothing is parsed after a framing error', () => {
  const { cmds, errors } = frame([Buffer.from('MSG 1 N 999\r\nPNG\r\n'), Buffer.from('PNG\r\n')]);
  assert.deepEqual(errors, ['payload-too-large']);
  assert.equal(cmds.length, 0);
});

test('invalid UTF-8 in a line does not throw', () => {
  const { cmds } = frame([Buffer.from([0x52, 0x45, 0x41, 0x20, 0xff, 0xfe, 0x0d, 0x0a])]);
  assert.equal(cmds[0]!.verb, 'REA');
});

test('URL coding round-trips and tolerates malformed escapes', () => {
  assert.equal(urlEncode('Alice A. 100%'), 'Alice%20A.%20100%25');
  assert.equal(urlDecode('Alice%20A.'), 'Alice A.');
  assert.equal(urlDecode('bad%zzescape%41'), 'bad%zzescapeA');
  assert.equal(urlDecode(urlEncode('Zoë ☕ \r\n')), 'Zoë ☕ \r\n');
});
