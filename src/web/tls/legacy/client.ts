// A TLS 1.0 client for the legacy engine's suites (RSA key exchange, 3DES or
// RC4), built from the same record, PRF, RC4 and RSA code as the server. The
// tests drive msnpd with it, including deliberate faults (a wrong Finished, a
// bad MAC or bad CBC padding, an oversized record, the SSLv2-compatible
// hello), and the bench measures legacy handshakes with it. It checks the
// server's certificate chain against a CA when given one, and nothing else a
// real client would (host names, revocation): it is not for the Internet.
import { randomBytes, X509Certificate } from 'node:crypto';
import net from 'node:net';
import { finishedData, keyBlock, masterSecret } from './prf.js';
import { ALERT, CONTENT, CipherState, HandshakeReader, handshakeMessage, MAX_CIPHERTEXT, recordHeader, RecordReader, VERSION } from './record.js';
import { encryptPreMaster } from './rsa.js';
import { LEGACY_SUITES, type LegacySuite } from './suites.js';

const HS = { clientHello: 1, serverHello: 2, certificate: 11, serverHelloDone: 14, clientKeyExchange: 16, finished: 20 } as const;

export interface LegacyClientOptions {
  host: string;
  port: number;
  /** Suites offered, in this order (default: the three the legacy engine speaks). */
  suites?: readonly number[];
  /** Send the SSLv2-compatible CLIENT-HELLO (RFC 2246 E.1) with a 16-byte challenge instead of a TLS record. */
  sslv2Hello?: boolean;
  /** PEM certificate authority the server's chain must lead to (no check without it). */
  ca?: string | Buffer;
  /** Split the ClientKeyExchange and Finished into records of this many bytes (as a client may). */
  handshakeRecordSize?: number;
  /** Misbehave: send a Finished whose verify_data is wrong (true), or one byte short ('short'). */
  wrongFinished?: boolean | 'short';
  /** Milliseconds to wait for any one thing from the server (default 10 s). */
  timeoutMs?: number;
}

/** The server sent a fatal alert (or a warning where an answer was expected). */
export class TlsAlertError extends Error {
  constructor(readonly level: number, readonly description: number) {
    super(`TLS alert ${level === 2 ? 'fatal' : 'warning'} ${description}`);
  }
}

type Event =
  | { kind: 'handshake'; type: number; body: Buffer; raw: Buffer }
  | { kind: 'ccs' }
  | { kind: 'alert'; level: number; description: number }
  | { kind: 'data'; data: Buffer }
  | { kind: 'error'; error: Error }
  | { kind: 'close' };

export class LegacyTlsClient {
  readonly socket: net.Socket;
  /** Every alert the server sent, in order. */
  readonly alerts: { level: number; description: number }[] = [];
  /** Resolves when the TCP connection has closed. */
  readonly closed: Promise<void>;
  /** The suite the server chose. */
  suite: LegacySuite | undefined;
  /** The certificate the server presented (the first of its chain). */
  serverCertificate: X509Certificate | undefined;

  private readonly records = new RecordReader();
  private readonly handshakeReader = new HandshakeReader();
  private readonly events: Event[] = [];
  private wake: (() => void) | undefined;
  private readState: CipherState | undefined;
  private writeState: FaultyCipherState | undefined;
  private pendingRead: CipherState | undefined;
  private ended = false;

  constructor(private readonly opts: LegacyClientOptions) {
    this.socket = net.connect({ host: opts.host, port: opts.port, noDelay: true });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('data', (d: Buffer) => this.receive(d));
    this.socket.on('error', (e) => this.emit({ kind: 'error', error: e }));
    this.socket.on('close', () => this.emit({ kind: 'close' }));
  }

  /** Connects and completes a full handshake. */
  static async connect(opts: LegacyClientOptions): Promise<LegacyTlsClient> {
    const c = new LegacyTlsClient(opts);
    try {
      await c.handshake();
    } catch (e) {
      c.socket.destroy();
      throw e;
    }
    return c;
  }

  /** ClientHello to the server's Finished; rejects with TlsAlertError when the server refuses. */
  async handshake(): Promise<void> {
    const version = VERSION;
    const clientRandom = randomBytes(32);
    const suites = this.opts.suites ?? LEGACY_SUITES.map((s) => s.id);
    const transcript: Buffer[] = [];
    if (this.opts.sslv2Hello) {
      clientRandom.fill(0, 0, 16); // a 16-byte challenge, right-aligned in the random (RFC 2246 E.1)
      const { record, message } = sslv2ClientHello(version, suites, clientRandom.subarray(16));
      transcript.push(message);
      this.sendRaw(record);
    } else {
      const hello = clientHello(version, clientRandom, suites);
      transcript.push(hello);
      this.send(CONTENT.handshake, hello);
    }

    const sh = await this.expectHandshake(HS.serverHello);
    transcript.push(sh.raw);
    const serverVersion = sh.body.readUInt16BE(0);
    const serverRandom = Buffer.from(sh.body.subarray(2, 34));
    const sidLen = sh.body[34]!;
    const suiteId = sh.body.readUInt16BE(35 + sidLen);
    const suite = LEGACY_SUITES.find((s) => s.id === suiteId);
    if (serverVersion !== VERSION || !suite || !suites.includes(suiteId)) throw new Error(`unexpected ServerHello: version 0x${serverVersion.toString(16)}, suite 0x${suiteId.toString(16)}`);
    this.suite = suite;

    const cert = await this.expectHandshake(HS.certificate);
    transcript.push(cert.raw);
    const chain = parseCertificates(cert.body);
    this.serverCertificate = chain[0];
    if (this.opts.ca !== undefined) verifyChain(chain, new X509Certificate(this.opts.ca));
    const done = await this.expectHandshake(HS.serverHelloDone);
    transcript.push(done.raw);

    const { preMaster, encrypted } = encryptPreMaster(chain[0]!.publicKey, version);
    const lenPrefix = Buffer.alloc(2);
    lenPrefix.writeUInt16BE(encrypted.length);
    const cke = handshakeMessage(HS.clientKeyExchange, Buffer.concat([lenPrefix, encrypted]));
    transcript.push(cke);
    const master = masterSecret(preMaster, clientRandom, serverRandom);
    const kb = keyBlock(master, clientRandom, serverRandom, suite.macLength, suite.keyLength, suite.blockLength);
    this.pendingRead = new CipherState(suite, kb.serverMac, kb.serverKey, kb.serverIv);
    const verify = finishedData(master, 'client finished', Buffer.concat(transcript));
    if (this.opts.wrongFinished === true) verify[0]! ^= 0xff;
    const fin = handshakeMessage(HS.finished, this.opts.wrongFinished === 'short' ? verify.subarray(0, verify.length - 1) : verify);
    transcript.push(fin);
    this.sendHandshake(cke);
    this.send(CONTENT.changeCipherSpec, Buffer.from([1]));
    this.writeState = new FaultyCipherState(suite, kb.clientMac, kb.clientKey, kb.clientIv);
    this.sendHandshake(fin);

    const ccs = await this.next();
    if (ccs.kind !== 'ccs') throw this.unexpected(ccs, 'ChangeCipherSpec');
    const sf = await this.expectHandshake(HS.finished);
    if (!sf.body.equals(finishedData(master, 'server finished', Buffer.concat(transcript)))) throw new Error('wrong server Finished');
  }

  /** Application data, in records of at most 16 KiB. */
  write(data: Buffer | string, fault?: 'mac' | 'padding'): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (let off = 0; off < buf.length; off += 16384) this.send(CONTENT.applicationData, buf.subarray(off, off + 16384), fault);
  }

  /** A record header announcing more than TLS allows (2^14 + 2048 + 1 bytes), and that many bytes. */
  sendOversized(type: number = CONTENT.applicationData): void {
    this.sendRaw(Buffer.concat([recordHeader(type, MAX_CIPHERTEXT + 1), Buffer.alloc(MAX_CIPHERTEXT + 1)]));
  }

  /** One record of `type` (encrypted once the handshake is done), whatever it holds. */
  sendRecord(type: number, data: Buffer): void {
    this.send(type, data);
  }

  /** The bytes of one record as `sendRecord` would send them, not sent (the sequence number moves on): for tests to mutate. */
  sealRecord(type: number, data: Buffer): Buffer {
    const body = this.writeState ? this.writeState.encrypt(type, data) : data;
    return Buffer.concat([recordHeader(type, body.length), body]);
  }

  /** Bytes as they are, past the record layer. */
  sendRaw(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** All application data until the server closes (close_notify or TCP close). */
  async readAll(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const e = await this.next();
      if (e.kind === 'data') parts.push(e.data);
      else if (e.kind === 'close' || (e.kind === 'alert' && e.description === ALERT.closeNotify)) return Buffer.concat(parts);
      else if (e.kind === 'alert' && e.level === 2) throw new TlsAlertError(e.level, e.description);
      else if (e.kind === 'error') throw e.error;
    }
  }

  /** One HTTP exchange: the request as written, the response until the server closes. */
  async request(http: string): Promise<string> {
    this.write(http);
    return (await this.readAll()).toString('latin1');
  }

  /** close_notify, then the end of the TCP stream. */
  close(): void {
    if (this.socket.destroyed) return;
    this.send(CONTENT.alert, Buffer.from([1, ALERT.closeNotify]));
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private sendHandshake(message: Buffer): void {
    const size = this.opts.handshakeRecordSize ?? message.length;
    for (let off = 0; off < message.length; off += size) this.send(CONTENT.handshake, message.subarray(off, off + size));
  }

  private send(type: number, data: Buffer, fault?: 'mac' | 'padding'): void {
    if (!fault || !this.writeState) return this.sendRaw(this.sealRecord(type, data));
    const body = this.writeState.encryptWithFault(type, data, fault);
    this.sendRaw(Buffer.concat([recordHeader(type, body.length), body]));
  }

  private receive(data: Buffer): void {
    this.records.push(data);
    for (;;) {
      const rec = this.records.next();
      if (rec === undefined) return;
      if (rec === 'overflow' || rec === 'garbage') return this.emit({ kind: 'error', error: new Error(`server sent ${rec}`) });
      let body = rec.body;
      if (this.readState) {
        const plain = this.readState.decrypt(rec.type, body);
        if (!plain) return this.emit({ kind: 'error', error: new Error('bad record MAC from the server') });
        body = plain;
      }
      if (rec.type === CONTENT.changeCipherSpec) {
        this.readState = this.pendingRead;
        this.emit({ kind: 'ccs' });
      } else if (rec.type === CONTENT.alert) {
        const a = { level: body[0] ?? 0, description: body[1] ?? 0 };
        this.alerts.push(a);
        this.emit({ kind: 'alert', ...a });
      } else if (rec.type === CONTENT.applicationData) {
        this.emit({ kind: 'data', data: body });
      } else if (rec.type === CONTENT.handshake) {
        this.handshakeReader.push(body);
        for (let m = this.handshakeReader.next(1 << 20); m !== undefined; m = this.handshakeReader.next(1 << 20)) {
          if (m === 'too-large') return this.emit({ kind: 'error', error: new Error('handshake message too large') });
          this.emit({ kind: 'handshake', ...m });
        }
      }
    }
  }

  private emit(e: Event): void {
    if (this.ended) return;
    if (e.kind === 'close') this.ended = true;
    this.events.push(e);
    this.wake?.();
  }

  private async next(): Promise<Event> {
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    while (this.events.length === 0) {
      if (this.ended) return { kind: 'close' };
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing from the server in ${timeoutMs} ms`)), timeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
    return this.events.shift()!;
  }

  private async expectHandshake(type: number): Promise<{ body: Buffer; raw: Buffer }> {
    const e = await this.next();
    if (e.kind === 'handshake' && e.type === type) return e;
    throw this.unexpected(e, `handshake message ${type}`);
  }

  private unexpected(e: Event, wanted: string): Error {
    if (e.kind === 'alert') return new TlsAlertError(e.level, e.description);
    if (e.kind === 'error') return e.error;
    if (e.kind === 'close') return new Error(`connection closed while waiting for ${wanted}`);
    return new Error(`expected ${wanted}, got ${e.kind}${e.kind === 'handshake' ? ` ${e.type}` : ''}`);
  }
}

/**
 * The test client's record writer, which can break a record on purpose (the
 * server's own CipherState has no such branch): a MAC with one bit flipped, or
 * CBC padding bytes that disagree with its length.
 */
class FaultyCipherState extends CipherState {
  encryptWithFault(type: number, plaintext: Buffer, fault: 'mac' | 'padding'): Buffer {
    const mac = this.nextMac(type, plaintext);
    if (fault === 'mac') mac[0]! ^= 0x01;
    let pad = this.padding(plaintext.length + mac.length);
    if (fault === 'padding') {
      // A wrong padding byte needs at least one besides the length byte.
      if (pad.length === 1) pad = Buffer.alloc(this.suite.blockLength + 1, this.suite.blockLength);
      pad[0]! ^= 0xff;
    }
    return this.seal(plaintext, mac, pad);
  }
}

/** A TLS 1.0 ClientHello handshake message: no session id, null compression, no extensions (as Windows XP). */
export function clientHello(version: number, random: Buffer, suites: readonly number[]): Buffer {
  const cs = Buffer.alloc(2 + 2 * suites.length);
  cs.writeUInt16BE(2 * suites.length, 0);
  suites.forEach((s, i) => cs.writeUInt16BE(s, 2 + 2 * i));
  const v = Buffer.alloc(2);
  v.writeUInt16BE(version);
  return handshakeMessage(HS.clientHello, Buffer.concat([v, random, Buffer.from([0]), cs, Buffer.from([1, 0])]));
}

/** The same in one TLS handshake record. */
export function clientHelloRecord(suites: readonly number[], version = VERSION): Buffer {
  const hello = clientHello(version, randomBytes(32), suites);
  return Buffer.concat([recordHeader(CONTENT.handshake, hello.length), hello]);
}

/**
 * An SSLv2-compatible CLIENT-HELLO: the record (two-byte header) and the
 * message that enters the Finished hashes (the record without its header).
 * An SSLv2-only spec (RC4_128_WITH_MD5, 0x010080) comes first, as real ones have.
 */
export function sslv2ClientHello(version: number, suites: readonly number[], challenge: Buffer): { record: Buffer; message: Buffer } {
  const specs = Buffer.concat([Buffer.from([0x01, 0x00, 0x80]), ...suites.map((s) => Buffer.from([0, s >> 8, s & 0xff]))]);
  const head = Buffer.alloc(9);
  head[0] = 1;
  head.writeUInt16BE(version, 1);
  head.writeUInt16BE(specs.length, 3);
  head.writeUInt16BE(0, 5);
  head.writeUInt16BE(challenge.length, 7);
  const message = Buffer.concat([head, specs, challenge]);
  const len = Buffer.from([0x80 | (message.length >> 8), message.length & 0xff]);
  return { record: Buffer.concat([len, message]), message };
}

function parseCertificates(body: Buffer): X509Certificate[] {
  const total = body.readUIntBE(0, 3);
  const out: X509Certificate[] = [];
  for (let p = 3; p < 3 + total; ) {
    const len = body.readUIntBE(p, 3);
    out.push(new X509Certificate(body.subarray(p + 3, p + 3 + len)));
    p += 3 + len;
  }
  if (out.length === 0) throw new Error('empty Certificate message');
  return out;
}

/** Each certificate signed by the next, the last by the CA (or the CA itself). */
function verifyChain(chain: X509Certificate[], ca: X509Certificate): void {
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (cert.fingerprint256 === ca.fingerprint256) return;
    const issuer = chain[i + 1] ?? ca;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) throw new Error(`certificate "${cert.subject}" is not signed by "${issuer.subject}"`);
  }
}
