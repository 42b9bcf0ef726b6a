// Reading a TLS ClientHello without consuming it: enough to decide which TLS
// engine serves the connection. Both the TLS record form and the SSLv2-
// compatible form (RFC 2246 E.1; Windows XP sends it when SSL 2.0 is enabled
// in its Internet options) are understood.

export interface ClientHello {
  /** Highest version the client offers: 0x0301 = TLS 1.0, 0x0303 = TLS 1.2. */
  version: number;
  random: Buffer;
  sessionId: Buffer;
  /** Offered cipher suites (TLS code points; SSLv2-only specs left out). */
  suites: number[];
  compression: number[];
  /** Extension types present (TLS form only). */
  extensions: number[];
  /** SNI host name, if sent. */
  serverName: string | undefined;
  /** The renegotiation_info extension's body (RFC 5746), if sent. */
  renegotiationInfo: Buffer | undefined;
  /** Handshake bytes after the ClientHello in its last record (a well-behaved client sends none). */
  trailing: number;
  /** The handshake message bytes as they enter the Finished hashes. */
  message: Buffer;
  /** Bytes of the stream the hello took (records included). */
  consumed: number;
  sslv2: boolean;
}

/** `need-more` says how many bytes in all the stream must hold before another look is worth it. */
export type HelloResult = { kind: 'hello'; hello: ClientHello } | { kind: 'need-more'; atLeast: number } | { kind: 'invalid'; reason: string };

/** Largest ClientHello we wait for (a few KB in practice; TLS 1.3 ones with many extensions stay far below). */
export const MAX_HELLO = 32 * 1024;

export function parseClientHello(buf: Buffer): HelloResult {
  if (buf.length < 1) return { kind: 'need-more', atLeast: 1 };
  if (buf[0] === 0x16) return parseTlsHello(buf);
  if (buf[0]! & 0x80) return parseV2Hello(buf);
  return { kind: 'invalid', reason: 'not a TLS handshake' };
}

/** A ClientHello in one or more TLS handshake records. */
function parseTlsHello(buf: Buffer): HelloResult {
  // Reassemble the handshake message from consecutive handshake records.
  const parts: Buffer[] = [];
  let off = 0;
  let have = 0;
  let need = -1;
  while (need < 0 || have < need) {
    if (buf.length < off + 5) return buf.length > MAX_HELLO ? { kind: 'invalid', reason: 'hello too large' } : { kind: 'need-more', atLeast: off + 5 };
    if (buf[off] !== 0x16) return { kind: 'invalid', reason: 'record is not a handshake' };
    if (buf[off + 1] !== 3) return { kind: 'invalid', reason: 'bad record version' };
    const len = buf.readUInt16BE(off + 3);
    if (len === 0 || len > 16384 + 2048) return { kind: 'invalid', reason: 'bad record length' };
    if (buf.length < off + 5 + len) return off + 5 + len > MAX_HELLO ? { kind: 'invalid', reason: 'hello too large' } : { kind: 'need-more', atLeast: off + 5 + len };
    parts.push(buf.subarray(off + 5, off + 5 + len));
    have += len;
    off += 5 + len;
    if (need < 0) {
      const first = Buffer.concat(parts);
      if (first.length >= 4) {
        if (first[0] !== 1) return { kind: 'invalid', reason: 'first handshake message is not ClientHello' };
        need = 4 + first.readUIntBE(1, 3);
        if (need > MAX_HELLO) return { kind: 'invalid', reason: 'hello too large' };
      }
    }
  }
  const msg = Buffer.concat(parts).subarray(0, need);
  const b = msg.subarray(4);
  try {
    let p = 0;
    const version = b.readUInt16BE(p);
    p += 2;
    const random = b.subarray(p, p + 32);
    p += 32;
    const sidLen = b[p++]!;
    if (sidLen > 32) throw new Error('session id too long');
    const sessionId = b.subarray(p, p + sidLen);
    p += sidLen;
    const csLen = b.readUInt16BE(p);
    p += 2;
    if (csLen % 2 !== 0 || csLen === 0) throw new Error('bad cipher suite list');
    const suites: number[] = [];
    for (let i = 0; i < csLen; i += 2) suites.push(b.readUInt16BE(p + i));
    p += csLen;
    const cmLen = b[p++]!;
    const compression = [...b.subarray(p, p + cmLen)];
    p += cmLen;
    if (p > b.length || random.length !== 32) throw new Error('truncated');
    const extensions: number[] = [];
    let serverName: string | undefined;
    let renegotiationInfo: Buffer | undefined;
    if (p + 2 <= b.length) {
      const extLen = b.readUInt16BE(p);
      p += 2;
      const end = p + extLen;
      if (end > b.length) throw new Error('truncated extensions');
      while (p + 4 <= end) {
        const type = b.readUInt16BE(p);
        const len = b.readUInt16BE(p + 2);
        const data = b.subarray(p + 4, p + 4 + len);
        if (p + 4 + len > end) throw new Error('truncated extension');
        // RFC 5246 §7.4.1.4: no extension type twice.
        if (extensions.includes(type)) throw new Error(`extension 0x${type.toString(16)} repeated`);
        extensions.push(type);
        if (type === 0 && data.length >= 5 && data[2] === 0) serverName = data.subarray(5, 5 + data.readUInt16BE(3)).toString('latin1');
        if (type === 0xff01) renegotiationInfo = Buffer.from(data);
        p += 4 + len;
      }
    }
    return { kind: 'hello', hello: { version, random: Buffer.from(random), sessionId: Buffer.from(sessionId), suites, compression, extensions, serverName, renegotiationInfo, message: Buffer.from(msg), consumed: off, trailing: have - need, sslv2: false } };
  } catch (e) {
    return { kind: 'invalid', reason: `malformed ClientHello: ${(e as Error).message}` };
  }
}

/** An SSLv2-compatible CLIENT-HELLO (two-byte header with the top bit set). */
function parseV2Hello(buf: Buffer): HelloResult {
  if (buf.length < 2) return { kind: 'need-more', atLeast: 2 };
  const len = ((buf[0]! & 0x7f) << 8) | buf[1]!;
  if (len < 9 || len > 4096) return { kind: 'invalid', reason: 'bad SSLv2 record length' };
  if (buf.length < 2 + len) return { kind: 'need-more', atLeast: 2 + len };
  const m = buf.subarray(2, 2 + len);
  if (m[0] !== 1) return { kind: 'invalid', reason: 'SSLv2 record is not CLIENT-HELLO' };
  const version = m.readUInt16BE(1);
  const specLen = m.readUInt16BE(3);
  const sidLen = m.readUInt16BE(5);
  const chLen = m.readUInt16BE(7);
  if (specLen % 3 !== 0 || (sidLen !== 0 && sidLen !== 16) || chLen < 16 || chLen > 32 || 9 + specLen + sidLen + chLen !== m.length) {
    return { kind: 'invalid', reason: 'malformed SSLv2 CLIENT-HELLO' };
  }
  const suites: number[] = [];
  for (let i = 0; i < specLen; i += 3) {
    const o = 9 + i;
    // TLS suites appear as 0x00XXXX; three-byte SSLv2 specs have no TLS meaning.
    if (m[o] === 0) suites.push(m.readUInt16BE(o + 1));
  }
  const challenge = m.subarray(9 + specLen + sidLen);
  // RFC 2246 E.1: the challenge is the client random, right-aligned and zero-padded to 32 bytes.
  const random = Buffer.alloc(32);
  challenge.copy(random, 32 - challenge.length);
  return {
    kind: 'hello',
    hello: { version, random, sessionId: Buffer.alloc(0), suites, compression: [0], extensions: [], serverName: undefined, renegotiationInfo: undefined, message: Buffer.from(m), consumed: 2 + len, trailing: 0, sslv2: true },
  };
}
