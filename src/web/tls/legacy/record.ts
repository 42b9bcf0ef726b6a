// The TLS 1.0 record layer (RFC 2246 §6.2): MAC-then-encrypt with HMAC over
// the sequence number and header, 3DES-CBC with the IV chained from the last
// ciphertext block, or RC4. One CipherState per direction.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
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

/** One direction's keys and state after ChangeCipherSpec. */
export class CipherState {
  private seq = 0n;
  private iv: Buffer;
  private readonly rc4: Rc4 | undefined;

  constructor(
    private readonly suite: LegacySuite,
    private readonly macKey: Buffer,
    private readonly key: Buffer,
    iv: Buffer,
  ) {
    this.iv = iv;
    this.rc4 = suite.cipher === 'rc4' ? new Rc4(key) : undefined;
  }

  private mac(type: number, fragment: Buffer): Buffer {
    const head = Buffer.alloc(13);
    head.writeBigUInt64BE(this.seq, 0);
    head[8] = type;
    head.writeUInt16BE(VERSION, 9);
    head.writeUInt16BE(fragment.length, 11);
    return createHmac(this.suite.mac, this.macKey).update(head).update(fragment).digest();
  }

  /**
   * The record body for `plaintext` (MAC appended, padded, encrypted).
   * `fault` breaks it on purpose (the test client's misbehaviours): a MAC
   * with one bit flipped, or CBC padding bytes that disagree with its length.
   */
  encrypt(type: number, plaintext: Buffer, fault?: 'mac' | 'padding'): Buffer {
    const mac = this.mac(type, plaintext);
    this.seq++;
    if (fault === 'mac') mac[0]! ^= 0x01;
    if (this.rc4) return this.rc4.update(Buffer.concat([plaintext, mac]));
    const bs = this.suite.blockLength;
    let padLen = (bs - ((plaintext.length + mac.length + 1) % bs)) % bs;
    // A wrong padding byte needs at least one besides the length byte.
    if (fault === 'padding' && padLen === 0) padLen = bs;
    const pad = Buffer.alloc(padLen + 1, padLen);
    if (fault === 'padding') pad[0]! ^= 0xff;
    return this.encryptBlocks(Buffer.concat([plaintext, mac, pad]));
  }

  private encryptBlocks(data: Buffer): Buffer {
    const bs = this.suite.blockLength;
    const c = createCipheriv('des-ede3-cbc', this.key, this.iv).setAutoPadding(false);
    const out = Buffer.concat([c.update(data), c.final()]);
    this.iv = Buffer.from(out.subarray(out.length - bs));
    return out;
  }

  /**
   * The plaintext of a record body, or undefined when its padding or MAC is
   * wrong (one answer for both: no padding oracle).
   */
  decrypt(type: number, body: Buffer): Buffer | undefined {
    const macLen = this.suite.macLength;
    let plain: Buffer;
    let padOk = true;
    let dataLen: number;
    if (this.rc4) {
      if (body.length < macLen) return undefined;
      plain = this.rc4.update(body);
      dataLen = plain.length - macLen;
    } else {
      const bs = this.suite.blockLength;
      if (body.length === 0 || body.length % bs !== 0 || body.length < macLen + 1) return undefined;
      const d = createDecipheriv('des-ede3-cbc', this.key, this.iv).setAutoPadding(false);
      plain = Buffer.concat([d.update(body), d.final()]);
      this.iv = Buffer.from(body.subarray(body.length - bs));
      const padLen = plain[plain.length - 1]!;
      if (padLen + 1 + macLen > plain.length) {
        padOk = false;
        dataLen = plain.length - macLen - 1;
      } else {
        // Every padding byte must equal the padding length (RFC 2246 §6.2.3.2).
        let bad = 0;
        for (let i = plain.length - 1 - padLen; i < plain.length - 1; i++) bad |= plain[i]! ^ padLen;
        padOk = bad === 0;
        dataLen = plain.length - padLen - 1 - macLen;
      }
    }
    const data = plain.subarray(0, Math.max(0, dataLen));
    const expected = this.mac(type, data);
    this.seq++;
    const got = plain.subarray(data.length, data.length + macLen);
    const macOk = got.length === expected.length && timingSafeEqual(got, expected);
    return padOk && macOk ? Buffer.from(data) : undefined;
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
