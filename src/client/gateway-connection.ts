// The client side of the HTTP gateway: a byte stream that carries MSNP in
// HTTP requests, as the clients of 2003-2009 did when port 1863 was blocked
// (one keep-alive connection, absolute-form request lines, one request at a
// time, a poll every couple of seconds while there is nothing to send).
// MsnpConnection.over(new GatewayStream(...)) runs the NS/SB clients over it.
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { ClientError, MsnpConnection, type Connector } from './connection.js';

export interface GatewayOptions {
  /** Where the gateway listens (the HTTP or HTTPS port). */
  host: string;
  port: number;
  /** Speak HTTPS (browser-style clients); `ca` to trust. */
  tls?: { ca?: string | Buffer };
  /** The host named in the first request (later ones name the answer's GW-IP). */
  gatewayHost?: string;
  /** Milliseconds between polls while there is nothing to send (the official client: 2000). */
  pollMs?: number;
  /** Milliseconds to wait for an answer. */
  timeoutMs?: number;
}

export interface GatewayReply {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

export class GatewayStream extends Duplex {
  /** The SessionID of the latest answer. */
  sessionId: string | undefined;
  /** GW-IP of the latest answer. */
  gatewayIp: string;
  /** TCP (or TLS) connections opened so far: one for the whole session unless the server closes it. */
  connections = 0;
  /** Every answer's status and headers, oldest first (tests read them). */
  readonly replies: Omit<GatewayReply, 'body'>[] = [];
  private sock: net.Socket | undefined;
  private inbound: Buffer = Buffer.alloc(0);
  private outbox: Buffer[] = [];
  private inFlight = false;
  private ending = false;
  /** The server ended the session (`Session=close`). */
  private sessionClosed = false;
  private abandoned = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private onFinal: (() => void) | undefined;
  private readonly pollMs: number;
  private sentAt = 0;
  /** When set, each answer's round trip in milliseconds (and whether it was a poll) is recorded here (the bench). */
  timings: { ms: number; poll: boolean; bytes: number }[] | undefined;
  private sentPoll = false;

  constructor(
    private readonly opts: GatewayOptions,
    /** NS or SB: the kind of server the session is opened to. */
    readonly server: 'NS' | 'SB',
    /** The server the client means (the address in XFR or RNG, or messenger.hotmail.com). */
    readonly ip: string,
  ) {
    super({ allowHalfOpen: false });
    this.gatewayIp = opts.gatewayHost ?? 'gateway.messenger.hotmail.com';
    this.pollMs = opts.pollMs ?? 2000;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.outbox.push(chunk);
    this.next();
    cb();
  }

  /** end(): what is written is still sent; then the connection closes (the server ends the session on OUT). */
  override _final(cb: (e?: Error | null) => void): void {
    this.ending = true;
    this.onFinal = () => {
      this.onFinal = undefined;
      this.sock?.destroy();
      if (!this.sessionClosed) this.push(null);
      cb();
    };
    this.next();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    clearTimeout(this.pollTimer);
    clearTimeout(this.answerTimer);
    this.sock?.destroy();
    cb(err);
  }

  /** Stops every request without a word, as a client that lost its network: the server must notice by itself. */
  abandon(): void {
    this.abandoned = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.answerTimer);
    this.sock?.destroy();
  }

  /** Sends the next request: queued commands, or a poll when `poll` is set and nothing is queued. */
  private next(poll = false): void {
    if (this.inFlight || this.destroyed || this.abandoned) return;
    if (this.sessionClosed) return void (this.ending && this.onFinal?.());
    if (this.outbox.length === 0 && (!poll || this.sessionId === undefined)) {
      if (this.ending) return this.onFinal?.();
      return this.schedulePoll();
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const body = Buffer.concat(this.outbox);
    this.outbox = [];
    const params =
      this.sessionId === undefined ? `Action=open&Server=${this.server}&IP=${this.ip}` : body.length === 0 ? `Action=poll&SessionID=${this.sessionId}` : `SessionID=${this.sessionId}`;
    const head =
      `POST http://${this.gatewayIp}/gateway/gateway.dll?${params} HTTP/1.1\r\n` +
      `Accept: */*\r\nUser-Agent: MSMSGS\r\nHost: ${this.gatewayIp}\r\nProxy-Connection: Keep-Alive\r\nConnection: Keep-Alive\r\n` +
      `Pragma: no-cache\r\nContent-Type: application/x-msn-messenger\r\nContent-Length: ${body.length}\r\n\r\n`;
    this.inFlight = true;
    this.sentAt = performance.now();
    this.sentPoll = body.length === 0;
    this.socket().write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    this.answerTimer = setTimeout(() => this.destroy(new ClientError('the gateway did not answer in time')), this.opts.timeoutMs ?? 15000);
  }

  private schedulePoll(): void {
    if (this.sessionId === undefined || this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.next(true);
    }, this.pollMs);
  }

  private socket(): net.Socket {
    if (this.sock && !this.sock.destroyed) return this.sock;
    const { host, port } = this.opts;
    const s = this.opts.tls ? tls.connect({ host, port, ca: this.opts.tls.ca, servername: this.gatewayIp.replace(/:\d+$/, '') }) : net.connect({ host, port, noDelay: true });
    this.connections++;
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.sock !== s) return;
      this.sock = undefined;
      this.inbound = Buffer.alloc(0);
      // Between requests a closed connection is opened again for the next one; mid-request the session is lost.
      if (this.inFlight && !this.abandoned) this.destroy(new ClientError('the gateway connection closed before its answer'));
    });
    this.sock = s;
    return s;
  }

  private onData(d: Buffer): void {
    this.inbound = this.inbound.length === 0 ? d : Buffer.concat([this.inbound, d]);
    while (this.inbound.length > 0 && this.parseReply());
  }

  /** One whole answer from `inbound`, if it is all there. */
  private parseReply(): boolean {
    const end = this.inbound.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const lines = this.inbound.toString('latin1', 0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!)?.[1] ?? 0);
    const headers = new Map<string, string>();
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
    }
    const length = Number(headers.get('content-length') ?? 0);
    if (this.inbound.length < end + 4 + length) return false;
    const body = this.inbound.subarray(end + 4, end + 4 + length);
    this.inbound = this.inbound.subarray(end + 4 + length);
    clearTimeout(this.answerTimer);
    this.inFlight = false;
    this.timings?.push({ ms: performance.now() - this.sentAt, poll: this.sentPoll, bytes: length });
    this.replies.push({ status, headers });
    if ((headers.get('connection') ?? '').toLowerCase() === 'close') this.sock?.end();
    this.onReply({ status, headers, body });
    return true;
  }

  private onReply(r: GatewayReply): void {
    if (r.status !== 200) return void this.destroy(new ClientError(`the gateway answered ${r.status}`, r.status));
    let closed = false;
    for (const part of (r.headers.get('x-msn-messenger') ?? '').split(';')) {
      const [k, v = ''] = part.trim().split('=', 2) as [string, string?];
      if (k === 'SessionID') this.sessionId = v;
      else if (k === 'GW-IP') this.gatewayIp = v;
      else if (k === 'Session' && v === 'close') closed = true;
    }
    if (r.body.length > 0) this.push(Buffer.from(r.body));
    if (closed) {
      this.sessionClosed = true;
      this.sock?.destroy();
      this.push(null);
    }
    this.next();
  }
}

/** Opens NS and SB connections through the gateway (for NsClient's `connect` option). */
export function gatewayConnector(opts: GatewayOptions): Connector {
  return async (host, _port, kind) => MsnpConnection.over(new GatewayStream(opts, kind, host));
}
