// The TLS 1.0 record layer (RFC 2246 §6.2): MAC-then-encrypt with HMAC over
// the sequence number and header, 3DES-CBC with the IV chained from the last
// ciphertext block, or RC4. One CipherState per direction.
import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { Rc4 } from './rc4.js';
import type { LegacySuite } from './suites.js';

export const CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;

export const ALERT = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  recordOverflow: 22,
  handshakeFailure: 40,
  badCertificate: 42,
  illegalParameter: 47,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  internalError: 80,
  noRenegotiation: 100,
} as const;

/** Largest plaintext fragment (RFC 2246: 2^14) and the ciphertext slack on top of it. */
export const MAX_PLAINTEXT = 16384;
export const MAX_CIPHERTEXT = MAX_PLAINTEXT + 2048;

/** TLS 1.0 on the wire. */
export const VERSION = 0x0301;

export function recordHeader(type: number, length: number, version = VERSION): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(length, 3);
  return h;
}

/** A running hash (what `createHash` returns); tests pass a counting one. */
export interface RecordHash {
  update(data: Buffer): unknown;
  digest(): Buffer;
}
export type HashFactory = (alg: 'md5' | 'sha1') => RecordHash;
const nodeHash: HashFactory = (alg) => createHash(alg);

/** Input block of MD5 and SHA-1, and the bytes their final padding adds at least (0x80 and a 64-bit length). */
const HASH_BLOCK = 64;
const HASH_TRAILER = 9;
/** Compression-function calls to hash `n` bytes with MD5 or SHA-1. */
export function compressions(n: number): number {
  return Math.floor((n + HASH_TRAILER - 1) / HASH_BLOCK) + 1;
}
/** The TLS MAC header: sequence number, type, version, length (RFC 2246 §6.2.3.1). */
const MAC_HEADER = 13;
/** The longest CBC padding (its length is one byte), so the window every record's padding check covers. */
const MAX_PADDING = 255;
/** Zeros fed to a throw-away hash so every CBC record costs the same compressions (at most 5 extra blocks). */
const FILLER = Buffer.alloc(8 * HASH_BLOCK);

/** One direction's keys and state after ChangeCipherSpec. */
export class CipherState {
  private seq = 0n;
  private iv: Buffer;
  private readonly rc4: Rc4 | undefined;
  /** The MAC key XOR ipad and XOR opad (RFC 2104), HMAC done by hand so its work can be counted and evened out. */
  private readonly innerKey: Buffer;
  private readonly outerKey: Buffer;

  constructor(
    protected readonly suite: LegacySuite,
    macKey: Buffer,
    private readonly key: Buffer,
    iv: Buffer,
    private readonly hash: HashFactory = nodeHash,
  ) {
    this.iv = iv;
    this.rc4 = suite.cipher === 'rc4' ? new Rc4(key) : undefined;
    const k = Buffer.alloc(HASH_BLOCK);
    macKey.copy(k); // TLS MAC keys (16 or 20 bytes) are shorter than a block
    this.innerKey = Buffer.from(k.map((b) => b ^ 0x36));
    this.outerKey = Buffer.from(k.map((b) => b ^ 0x5c));
  }

  /** HMAC over this record's header and `fragment`; advances the sequence number. */
  protected nextMac(type: number, fragment: Buffer): Buffer {
    const head = Buffer.alloc(MAC_HEADER);
    head.writeBigUInt64BE(this.seq, 0);
    head[8] = type;
    head.writeUInt16BE(VERSION, 9);
    head.writeUInt16BE(fragment.length, 11);
    this.seq++;
    const inner = this.hash(this.suite.mac);
    inner.update(this.innerKey);
    inner.update(head);
    inner.update(fragment);
    const outer = this.hash(this.suite.mac);
    outer.update(this.outerKey);
    outer.update(inner.digest());
    return outer.digest();
  }

  /** The CBC padding for `length` bytes of plaintext and MAC: the fewest bytes, each holding the padding length. */
  protected padding(length: number): Buffer {
    if (this.rc4) return Buffer.alloc(0);
    const bs = this.suite.blockLength;
    const padLen = (bs - ((length + 1) % bs)) % bs;
    return Buffer.alloc(padLen + 1, padLen);
  }

  /** Encrypts plaintext, MAC and padding into a record body. */
  protected seal(plaintext: Buffer, mac: Buffer, pad: Buffer): Buffer {
    if (this.rc4) return this.rc4.update(Buffer.concat([plaintext, mac]));
    const bs = this.suite.blockLength;
    const c = createCipheriv('des-ede3-cbc', this.key, this.iv).setAutoPadding(false);
    const out = Buffer.concat([c.update(Buffer.concat([plaintext, mac, pad])), c.final()]);
    this.iv = Buffer.from(out.subarray(out.length - bs));
    return out;
  }

  /** The record body for `plaintext` (MAC appended, padded, encrypted). */
  encrypt(type: number, plaintext: Buffer): Buffer {
    const mac = this.nextMac(type, plaintext);
    return this.seal(plaintext, mac, this.padding(plaintext.length + mac.length));
  }

  /**
   * The plaintext of a record body, or undefined when its padding or MAC is
   * wrong: one answer for both, decided at the end (no padding oracle), and
   * for CBC the same work whatever the padding says (RFC 5246 §6.2.3.2's
   * implementation note, and the Lucky13 countermeasure of AlFardan and
   * Paterson 2013): the padding is checked over a fixed window of 255 bytes
   * (or the whole record when shorter), a padding length that cannot fit is
   * taken as zero, and a throw-away hash makes up the compression-function
   * calls a longer padding saved the MAC.
   */
  decrypt(type: number, body: Buffer): Buffer | undefined {
    const macLen = this.suite.macLength;
    if (this.rc4) {
      if (body.length < macLen) return undefined;
      const plain = this.rc4.update(body);
      const data = plain.subarray(0, plain.length - macLen);
      const macOk = timingSafeEqual(plain.subarray(data.length), this.nextMac(type, data));
      return macOk ? Buffer.from(data) : undefined;
    }
    // Lengths known to anyone on the wire may be refused early.
    const bs = this.suite.blockLength;
    if (body.length === 0 || body.length % bs !== 0 || body.length < macLen + 1) return undefined;
    const d = createDecipheriv('des-ede3-cbc', this.key, this.iv).setAutoPadding(false);
    const plain = Buffer.concat([d.update(body), d.final()]);
    this.iv = Buffer.from(body.subarray(body.length - bs));
    const n = plain.length;
    const claimed = plain[n - 1]!;
    // -1 when the claimed padding does not fit beside the MAC, else 0 (no branch on it).
    const tooLong = (n - 1 - macLen - claimed) >> 31;
    const padLen = claimed & ~tooLong;
    let bad = tooLong & 1;
    // Every padding byte must equal the padding length (RFC 2246 §6.2.3.2);
    // the loop reads the same bytes whatever the padding length is.
    const window = Math.min(MAX_PADDING, n - 1);
    for (let i = 1; i <= window; i++) {
      const inPadding = ((i - padLen - 1) >> 31) & 0xff;
      bad |= (plain[n - 1 - i]! ^ padLen) & inPadding;
    }
    const dataLen = n - 1 - padLen - macLen;
    const data = plain.subarray(0, dataLen);
    const expected = this.nextMac(type, data);
    // The MAC's inner hash took fewer blocks than with no padding at all: make them up.
    const longest = compressions(HASH_BLOCK + MAC_HEADER + n - 1 - macLen);
    const spent = compressions(HASH_BLOCK + MAC_HEADER + dataLen);
    const filler = this.hash(this.suite.mac);
    filler.update(FILLER.subarray(0, (longest - spent + 1) * HASH_BLOCK - HASH_TRAILER));
    filler.digest();
    const macOk = timingSafeEqual(plain.subarray(dataLen, dataLen + macLen), expected) ? 1 : 0;
    return (bad === 0 ? 1 : 0) & macOk ? Buffer.from(data) : undefined;
  }
}

/**
 * Bytes received in pieces. Pieces are kept apart until a caller needs them
 * joined, so input trickled a byte at a time costs linear time overall.
 */
class ChunkQueue {
  private parts: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.length += chunk.length;
  }

  /** At least the first `n` bytes in one buffer (the caller checked `length >= n`). */
  peek(n: number): Buffer {
    if (this.parts[0]!.length < n) this.parts = [Buffer.concat(this.parts, this.length)];
    return this.parts[0]!;
  }

  /** A copy of the first `n` bytes, removed from the queue. */
  take(n: number): Buffer {
    const all = this.peek(n);
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.parts = rest.length > 0 ? [rest, ...this.parts.slice(1)] : this.parts.slice(1);
    this.length -= n;
    return out;
  }
}

/** Splits a byte stream into TLS records; refuses oversized ones as soon as their header is in. */
export class RecordReader {
  private readonly queue = new ChunkQueue();

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** The next complete record, 'overflow' for an impossible length, or undefined if more bytes are needed. */
  next(): { type: number; version: number; body: Buffer } | 'overflow' | 'garbage' | undefined {
    if (this.queue.length < 5) return undefined;
    const head = this.queue.peek(5);
    const type = head[0]!;
    if (type < 20 || type > 23 || head[1] !== 3) return 'garbage';
    const len = head.readUInt16BE(3);
    if (len > MAX_CIPHERTEXT) return 'overflow';
    if (this.queue.length < 5 + len) return undefined;
    const rec = this.queue.take(5 + len);
    return { type, version: rec.readUInt16BE(1), body: rec.subarray(5) };
  }

  get buffered(): number {
    return this.queue.length;
  }
}

/**
 * Reassembles handshake messages, which may span or share records; the
 * length limit is checked as soon as a message's header is in.
 */
export class HandshakeReader {
  private readonly queue = new ChunkQueue();

  push(fragment: Buffer): void {
    this.queue.push(fragment);
  }

  /** The next whole message (type, body and its raw bytes), 'too-large' when its length exceeds `max`, or undefined. */
  next(max: number): { type: number; body: Buffer; raw: Buffer } | 'too-large' | undefined {
    if (this.queue.length < 4) return undefined;
    const len = this.queue.peek(4).readUIntBE(1, 3);
    if (len > max) return 'too-large';
    if (this.queue.length < 4 + len) return undefined;
    const raw = this.queue.take(4 + len);
    return { type: raw[0]!, body: raw.subarray(4), raw };
  }

  get buffered(): number {
    return this.queue.length;
  }
}

export function handshakeMessage(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([h, body]);
}
