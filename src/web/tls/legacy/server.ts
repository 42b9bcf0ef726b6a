// A TLS 1.0 server for clients that offer nothing newer than RSA key exchange
// with 3DES or RC4 (Windows XP's Schannel): RFC 2246 handshake, full only (no
// session resumption, no renegotiation), then a Duplex of the decrypted bytes
// that the HTTP server reads like any other connection. Anything it does not
// fully support gets a fatal alert and a close.
import { createPrivateKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type net from 'node:net';
import { Duplex } from 'node:stream';
import type { ClientHello } from '../clienthello.js';
import { finishedData, keyBlock, masterSecret } from './prf.js';
import { ALERT, CONTENT, CipherState, HandshakeReader, handshakeMessage, recordHeader, RecordReader, VERSION } from './record.js';
import { decryptPreMaster } from './rsa.js';
import { chooseSuite, type LegacySuite } from './suites.js';

const HS = { clientHello: 1, serverHello: 2, certificate: 11, serverHelloDone: 14, clientKeyExchange: 16, finished: 20 } as const;
/** Largest renegotiating ClientHello read once the connection is open (it only gets a no_renegotiation warning). */
const MAX_RENEGOTIATION_HELLO = 16384;
/** Body length of a TLS 1.0 Finished message (RFC 2246 §7.4.9). */
const FINISHED_LENGTH = 12;
/** Plaintext per record we send (COMPAT: msn-pecan reads 8 KiB at a time, client-quirks.md). */
const SEND_FRAGMENT = 8192;
/**
 * Renegotiating ClientHellos answered with a no_renegotiation warning on one
 * connection; the next gets a fatal alert and a close. Each costs a record
 * back, so without a cap a client packing empty hellos into its records
 * makes the server write several times what it sends.
 */
export const MAX_RENEGOTIATION_ATTEMPTS = 3;
/**
 * Bytes queued on a socket whose peer does not read before the connection is
 * dropped. Reading from such a client stops as soon as its output backs up,
 * so only one response chunk (the HTTP server writes a body at once; the
 * largest, RST.srf's, are tens of KiB) can push the queue past Node's
 * high-water mark.
 */
export const MAX_QUEUED_OUTPUT = 1024 * 1024;

export interface LegacyTlsIdentity {
  key: KeyObject;
  modulusBytes: number;
  /** DER certificates, server first. */
  chain: Buffer[];
}

export function legacyIdentity(keyPem: string, certPem: string): LegacyTlsIdentity {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the legacy TLS engine needs an RSA key');
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  const chain = [...certPem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  if (chain.length === 0) throw new Error('no certificate for the legacy TLS engine');
  return { key, modulusBytes: Math.ceil(bits / 8), chain };
}

export interface LegacyTlsOptions {
  identity: LegacyTlsIdentity;
  handshakeTimeoutMs: number;
  /** The handshake completed: serve this stream. */
  onSecure(stream: LegacyTlsStream): void;
  /** Why a connection ended without a handshake (one log line). */
  onFailure(reason: string): void;
  /** Why an open connection was closed on the client's account (one log line). */
  onAbort?(reason: string): void;
  /** Defaults MAX_RENEGOTIATION_ATTEMPTS and MAX_QUEUED_OUTPUT (tests change them to look at one guard alone). */
  maxRenegotiationAttempts?: number;
  maxQueuedOutput?: number;
}

type State = 'key-exchange' | 'change-cipher' | 'finished' | 'open' | 'closed';

/** The decrypted side of a legacy TLS connection. */
export class LegacyTlsStream extends Duplex {
  readonly encrypted = true;
  readonly legacyTls = true;

  constructor(
    private readonly conn: LegacyTlsConnection,
    /** The raw connection underneath (the web server renews its lifetime). */
    readonly socket: net.Socket,
    readonly suite: LegacySuite,
  ) {
    super({ allowHalfOpen: false });
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }
  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  // What node:http may call on its sockets.
  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms, () => {
      this.emit('timeout');
      cb?.();
    });
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  override _read(): void {
    this.conn.resumeReading();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.conn.sendApplicationData(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.conn.closeNotify();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.conn.destroy();
    cb(err);
  }
}

export class LegacyTlsConnection {
  private state: State = 'key-exchange';
  private readonly records = new RecordReader();
  private readonly handshake = new HandshakeReader();
  /** Every handshake message so far, for the Finished hashes. */
  private transcript: Buffer[] = [];
  private readonly suite: LegacySuite;
  private readonly serverRandom = randomBytes(32);
  private master: Buffer = Buffer.alloc(0);
  private readState: CipherState | undefined;
  private writeState: CipherState | undefined;
  private pendingRead: CipherState | undefined;
  private pendingWrite: CipherState | undefined;
  private stream: LegacyTlsStream | undefined;
  private readonly timer: NodeJS.Timeout;
  /** Renegotiating ClientHellos received so far. */
  private renegotiations = 0;
  /** The socket holds more than its high-water mark of our output: nothing more is read or answered until it drains. */
  private outputBlocked = false;
  /** The HTTP side has not taken the plaintext pushed to it yet. */
  private readerFull = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly hello: ClientHello,
    rest: Buffer,
    private readonly opts: LegacyTlsOptions,
  ) {
    this.suite = chooseSuite(hello.suites)!;
    this.timer = setTimeout(() => this.fail(ALERT.handshakeFailure, 'handshake timed out'), opts.handshakeTimeoutMs);
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('close', () => this.closed());
    socket.on('error', () => socket.destroy());
    this.start();
    if (rest.length > 0) this.receive(rest);
  }

  private start(): void {
    const h = this.hello;
    if (h.version < VERSION) return this.fail(ALERT.protocolVersion, `client offers only version ${h.version.toString(16)}`);
    if (!h.compression.includes(0)) return this.fail(ALERT.handshakeFailure, 'client offers no null compression');
    if (!this.suite) return this.fail(ALERT.handshakeFailure, 'no common cipher suite');
    // Nothing may follow the ClientHello before our answer.
    if (h.trailing > 0) return this.fail(ALERT.unexpectedMessage, 'handshake data after the ClientHello');
    // RFC 5746 §3.6: on a first handshake the client's renegotiated_connection must be empty.
    if (h.renegotiationInfo && !(h.renegotiationInfo.length === 1 && h.renegotiationInfo[0] === 0)) {
      return this.fail(ALERT.handshakeFailure, 'non-empty renegotiation_info on the first handshake');
    }
    this.transcript.push(h.message);
    // ServerHello: TLS 1.0, no session id (nothing to resume), the suite, no compression.
    const sh = Buffer.alloc(2 + 32 + 1 + 2 + 1);
    sh.writeUInt16BE(VERSION, 0);
    this.serverRandom.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
    this.serverRandom.copy(sh, 2);
    sh[34] = 0;
    sh.writeUInt16BE(this.suite.id, 35);
    sh[37] = 0;
    // RFC 5746: a client that signals secure renegotiation gets an empty renegotiation_info.
    const reneg = h.extensions.includes(0xff01) || h.suites.includes(0x00ff);
    const serverHello = reneg ? Buffer.concat([sh, Buffer.from([0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00])]) : sh;
    const certs = Buffer.concat(this.opts.identity.chain.map((c) => Buffer.concat([u24(c.length), c])));
    const messages = [
      handshakeMessage(HS.serverHello, serverHello),
      handshakeMessage(HS.certificate, Buffer.concat([u24(certs.length), certs])),
      handshakeMessage(HS.serverHelloDone, Buffer.alloc(0)),
    ];
    this.transcript.push(...messages);
    this.writeRecords(CONTENT.handshake, Buffer.concat(messages));
  }

  private receive(data: Buffer): void {
    if (this.state === 'closed') return;
    this.records.push(data);
    this.pump();
  }

  /** Handles the records read so far, until the client's output backs up. */
  private pump(): void {
    while (!this.outputBlocked) {
      const rec = this.records.next();
      if (rec === undefined) break;
      if (rec === 'overflow') return this.fail(ALERT.recordOverflow, 'record too large');
      if (rec === 'garbage') return this.fail(ALERT.unexpectedMessage, 'not a TLS record');
      // Every record after our ServerHello carries the version it chose. A
      // client refusing TLS 1.0 may send its alert in its own version: that is
      // read as the alert it is (OpenSSL's record layer does the same).
      if (rec.version !== VERSION && rec.type !== CONTENT.alert) return this.fail(ALERT.protocolVersion, `record version 0x${rec.version.toString(16)} after choosing TLS 1.0`);
      let body = rec.body;
      if (this.readState) {
        const plain = this.readState.decrypt(rec.type, body);
        if (!plain) return this.fail(ALERT.badRecordMac, 'bad record MAC or padding');
        body = plain;
      }
      if (body.length > 16384) return this.fail(ALERT.recordOverflow, 'plaintext record too large');
      this.record(rec.type, body);
      if ((this.state as State) === 'closed') return;
    }
  }

  private record(type: number, body: Buffer): void {
    switch (type) {
      case CONTENT.alert:
        if (body.length !== 2) return this.fail(ALERT.decodeError, 'malformed alert');
        if (body[1] === ALERT.closeNotify) {
          if (this.state !== 'open') return this.shutdown('client sent close_notify during the handshake', true);
          // RFC 2246 §7.2.1: answer with our own close_notify, then close.
          this.writeRecords(CONTENT.alert, Buffer.from([1, ALERT.closeNotify]));
          this.stream?.push(null);
          return this.shutdown('peer closed');
        }
        if (body[0] === 2) return this.shutdown(`client sent fatal alert ${body[1]}`, true);
        return;
      case CONTENT.changeCipherSpec:
        if (this.state !== 'change-cipher' || body.length !== 1 || body[0] !== 1) return this.fail(ALERT.unexpectedMessage, 'unexpected ChangeCipherSpec');
        this.readState = this.pendingRead;
        this.state = 'finished';
        return;
      case CONTENT.handshake:
        this.handshake.push(body);
        for (;;) {
          const m = this.handshake.next(this.handshakeLimit());
          if (m === undefined) return;
          if (m === 'too-large') return this.fail(ALERT.decodeError, 'handshake message too large');
          this.handshakeMessage(m.type, m.body, m.raw);
          if ((this.state as State) === 'closed') return;
        }
      case CONTENT.applicationData:
        if (this.state !== 'open') return this.fail(ALERT.unexpectedMessage, 'application data before the handshake finished');
        if (body.length > 0 && this.stream && !this.stream.push(body)) {
          this.readerFull = true;
          this.socket.pause();
        }
        return;
      default:
        return this.fail(ALERT.unexpectedMessage, `record type ${type}`);
    }
  }

  /** The longest handshake message the current state can expect. */
  private handshakeLimit(): number {
    switch (this.state) {
      case 'key-exchange':
        // The encrypted pre-master secret with its two-byte length.
        return this.opts.identity.modulusBytes + 2;
      case 'open':
        return MAX_RENEGOTIATION_HELLO;
      default:
        return FINISHED_LENGTH;
    }
  }

  private handshakeMessage(type: number, body: Buffer, raw: Buffer): void {
    if (this.state === 'key-exchange' && type === HS.clientKeyExchange) {
      this.transcript.push(raw);
      const k = this.opts.identity.modulusBytes;
      // TLS 1.0 prefixes the encrypted secret with its length; SSL 3.0 style clients do not.
      const enc = body.length === k + 2 && body.readUInt16BE(0) === k ? body.subarray(2) : body;
      const preMaster = decryptPreMaster(this.opts.identity.key, k, enc, this.hello.version);
      this.master = masterSecret(preMaster, this.hello.random, this.serverRandom);
      const s = this.suite;
      const kb = keyBlock(this.master, this.hello.random, this.serverRandom, s.macLength, s.keyLength, s.blockLength);
      this.pendingRead = new CipherState(s, kb.clientMac, kb.clientKey, kb.clientIv);
      this.pendingWrite = new CipherState(s, kb.serverMac, kb.serverKey, kb.serverIv);
      this.state = 'change-cipher';
      return;
    }
    if (this.state === 'finished' && type === HS.finished) {
      const expected = finishedData(this.master, 'client finished', Buffer.concat(this.transcript));
      if (body.length !== FINISHED_LENGTH || !timingSafeEqual(body, expected)) return this.fail(ALERT.decryptError, 'wrong client Finished');
      this.transcript.push(raw);
      this.writeRecords(CONTENT.changeCipherSpec, Buffer.from([1]));
      this.writeState = this.pendingWrite;
      const fin = handshakeMessage(HS.finished, finishedData(this.master, 'server finished', Buffer.concat(this.transcript)));
      this.writeRecords(CONTENT.handshake, fin);
      clearTimeout(this.timer);
      this.transcript = [];
      this.state = 'open';
      this.stream = new LegacyTlsStream(this, this.socket, this.suite);
      this.opts.onSecure(this.stream);
      return;
    }
    if (this.state === 'open' && type === HS.clientHello) {
      // No renegotiation: a warning; the client may carry on or give up. A
      // client that keeps asking is not answered for ever.
      this.renegotiations++;
      const cap = this.opts.maxRenegotiationAttempts ?? MAX_RENEGOTIATION_ATTEMPTS;
      if (this.renegotiations > cap) return this.fail(ALERT.handshakeFailure, `${this.renegotiations} renegotiation attempts (${cap} answered)`);
      this.writeRecords(CONTENT.alert, Buffer.from([1, ALERT.noRenegotiation]));
      return;
    }
    this.fail(ALERT.unexpectedMessage, `unexpected handshake message ${type} in state ${this.state}`);
  }

  /** Plaintext from the HTTP server: records of at most 8 KiB. */
  sendApplicationData(data: Buffer, cb: (e?: Error | null) => void): void {
    if (this.state !== 'open') return cb(new Error('connection closed'));
    this.writeRecords(CONTENT.applicationData, data);
    if ((this.state as State) === 'closed') cb(new Error('connection closed'));
    else if (this.socket.writableNeedDrain) this.socket.once('drain', () => cb());
    else cb();
  }

  resumeReading(): void {
    this.readerFull = false;
    if (this.state === 'open' && !this.outputBlocked) this.socket.resume();
  }

  closeNotify(): void {
    if (this.state !== 'open') return;
    this.writeRecords(CONTENT.alert, Buffer.from([1, ALERT.closeNotify]));
    this.state = 'closed';
    this.socket.end();
  }

  destroy(): void {
    this.state = 'closed';
    clearTimeout(this.timer);
    this.socket.destroy();
  }

  private writeRecords(type: number, data: Buffer): void {
    if (this.socket.destroyed) return;
    const out: Buffer[] = [];
    for (let off = 0; off < data.length || (off === 0 && data.length === 0); off += SEND_FRAGMENT) {
      const frag = data.subarray(off, Math.min(data.length, off + SEND_FRAGMENT));
      const body = this.writeState ? this.writeState.encrypt(type, frag) : frag;
      out.push(recordHeader(type, body.length), body);
      if (data.length === 0) break;
    }
    if (this.socket.write(Buffer.concat(out))) return;
    // The client is not reading what we send: stop reading (and answering)
    // until it does, and drop it once too much waits.
    const max = this.opts.maxQueuedOutput ?? MAX_QUEUED_OUTPUT;
    if (this.socket.writableLength > max) return this.drop(`${this.socket.writableLength} bytes of output unread (more than ${max})`);
    if (this.outputBlocked) return;
    this.outputBlocked = true;
    this.socket.pause();
    this.socket.once('drain', () => {
      this.outputBlocked = false;
      if (this.state === 'closed') return;
      this.pump();
      if (!this.outputBlocked && !this.readerFull && (this.state as State) !== 'closed') this.socket.resume();
    });
  }

  /** Closes at once, without an alert (nothing more can be written). */
  private drop(reason: string): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.timer);
    if (wasOpen) this.opts.onAbort?.(reason);
    else this.opts.onFailure(reason);
    if (this.stream && !this.stream.destroyed) this.stream.destroy();
    this.socket.destroy();
  }

  private fail(alert: number, reason: string): void {
    if (this.state === 'closed') return;
    if (!this.socket.destroyed) {
      try {
        this.writeRecords(CONTENT.alert, Buffer.from([2, alert]));
      } catch {
        // nothing more to say
      }
    }
    if ((this.state as State) === 'closed') return; // dropped: the alert did not fit
    this.shutdown(reason, true);
  }

  private shutdown(reason: string, failed = false): void {
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.timer);
    if (failed && !wasOpen) this.opts.onFailure(reason);
    if (failed && wasOpen) this.opts.onAbort?.(reason);
    if (this.stream && !this.stream.destroyed) this.stream.destroy();
    this.socket.end();
    this.socket.destroySoon?.();
  }

  private closed(): void {
    clearTimeout(this.timer);
    if (this.state !== 'open' && this.state !== 'closed') this.opts.onFailure('client closed during the handshake');
    this.state = 'closed';
    if (this.stream && !this.stream.destroyed) {
      this.stream.push(null);
      this.stream.destroy();
    }
  }
}

function u24(n: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUIntBE(n, 0, 3);
  return b;
}
