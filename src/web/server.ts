// The HTTP and HTTPS listeners. One node:http server handles requests from
// both: plain sockets from the HTTP port, and from the HTTPS port whatever a
// TLS engine hands over (Node's TLS today; the legacy engine for Windows XP
// can hand its decrypted streams to the same server). Responses always carry
// Content-Length (never chunked), and TLS records stay at or under 8 KiB
// (msn-pecan reads 8 KiB at a time, client-quirks.md).
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.js';
import { ConfigError } from '../config.js';
import { stripV4Mapped } from '../net/address.js';
import { ConnectionCounter } from '../net/connection-counter.js';
import { normalisePath, type Router, type WebRequest, type WebResponse } from './router.js';
import { alertRecord, sniff } from './tls/sniff.js';
import { LegacyTlsConnection, LegacyTlsStream, legacyIdentity, type LegacyTlsIdentity } from './tls/legacy/server.js';

/** Largest request body accepted (SOAP requests are a few KiB). */
const MAX_BODY = 256 * 1024;
/** TLS record payload size (client-quirks.md: msn-pecan). */
const TLS_FRAGMENT = 8192;

export interface WebServerOptions {
  router: Router;
  log: Logger;
  /** PEM key and certificate chain for HTTPS, and those of the legacy engine (a key of its own; default: the same). */
  tls: { key: string; cert: string; legacyKey?: string; legacyCert?: string };
  /** Serve clients that offer only TLS 1.0 with 3DES/RC4 (Windows XP) with the legacy engine. */
  legacyTls: boolean;
  /** Milliseconds for a TLS handshake (ClientHello included). */
  handshakeTimeoutMs?: number;
  /**
   * Milliseconds a connection may stay silent (default 30 s); none lives
   * longer than four times this (each carries one request: `Connection: close`;
   * an HTTP gateway connection kept alive starts a new lifetime with each answer).
   */
  idleTimeoutMs?: number;
  /** Connections one address may hold open on the web listeners at once (0: no limit). */
  maxConnectionsPerIp?: number;
  /** IPv6 addresses count per prefix of this length. */
  ipv6Prefix?: number;
}

/** The legacy engine's key and chain; an operator's key it cannot use stops the start with what to do. */
function legacyIdentityOf(tls: WebServerOptions['tls']): LegacyTlsIdentity {
  try {
    return legacyIdentity(tls.legacyKey ?? tls.key, tls.legacyCert ?? tls.cert);
  } catch (e) {
    throw new ConfigError(
      tls.legacyKey !== undefined && tls.legacyKey !== tls.key ? 'MSNPD_TLS_LEGACY_KEY' : 'MSNPD_TLS_KEY',
      `${(e as Error).message} (Windows XP's TLS 1.0 has only RSA key exchange): give it an RSA pair with MSNPD_TLS_LEGACY_CERT/MSNPD_TLS_LEGACY_KEY, or set MSNPD_TLS_LEGACY=off`,
    );
  }
}

export class WebServer {
  readonly http: http.Server;
  private readonly tlsServer: tls.Server;
  private readonly listeners: net.Server[] = [];
  /** Every raw connection to a listener, until it closes. */
  private readonly sockets = new Set<net.Socket>();
  /** Each raw connection's lifetime cap (renewed by a keep-alive answer). */
  private readonly lifetimes = new Map<net.Socket, NodeJS.Timeout>();

  /** Built only when the legacy engine is on (it needs an RSA key; an operator's may be ECDSA). */
  private readonly legacyIdentity: LegacyTlsIdentity | undefined;
  private readonly perIp: ConnectionCounter;
  private readonly idleMs: number;

  constructor(private readonly opts: WebServerOptions) {
    this.legacyIdentity = opts.legacyTls ? legacyIdentityOf(opts.tls) : undefined;
    this.perIp = new ConnectionCounter(opts.maxConnectionsPerIp ?? 0, opts.log, opts.ipv6Prefix);
    this.idleMs = opts.idleTimeoutMs ?? 30_000;
    this.http = http.createServer({ requestTimeout: 30_000, headersTimeout: 20_000, keepAliveTimeout: 15_000 }, (req, res) => {
      this.serve(req, res).catch((e: unknown) => {
        opts.log.error({ err: e, url: req.url }, 'web request failed');
        res.destroy();
      });
    });
    // Connections reach this server through 'connection' (it never listens
    // itself), so node:http's header/request timeout checks never start. A
    // connection silent for idleTimeoutMs is cut (the socket timeout), and none
    // lives longer than four times that (see listen()), which bounds a client that
    // trickles a request head. (Emitting 'listening' to start Node's checks
    // was tried: on Node 20 its first check cancelled the idle timeout of TLS
    // connections without closing them.)
    this.http.setTimeout(this.idleMs);
    this.http.on('clientError', (_e, socket: Duplex) => {
      if (!socket.writable) return void socket.destroy();
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      // A peer that never closes its side is not waited for.
      setTimeout(() => socket.destroy(), 5_000).unref();
    });
    // node:http answers an Expect other than 100-continue with a chunked 417 on a
    // connection kept alive; answer it like every other response (found by fuzzing).
    this.http.on('checkExpectation', (_req, res: http.ServerResponse) => {
      res.writeHead(417, 'Expectation Failed', { 'Content-Length': '0', Connection: 'close' });
      res.end();
    });
    // Without a listener node:http drops a CONNECT request's connection unanswered.
    this.http.on('connect', (_req, socket: Duplex) => {
      socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      setTimeout(() => socket.destroy(), 5_000).unref();
    });
    // Windows Vista/7 clients speak TLS 1.0 with AES (1.1/1.2 are off by default
    // there): Node's TLS serves them too (security level 0 allows TLS 1.0's
    // SHA-1 signatures). Modern clients still negotiate TLS 1.3 or 1.2.
    this.tlsServer = tls.createServer(
      { key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', handshakeTimeout: opts.handshakeTimeoutMs ?? 15_000 },
      (s) => this.secureConnection(s),
    );
    // Node only reports a failed or timed-out handshake here; it does not close
    // the socket itself, so a client that stalls mid-handshake would linger.
    this.tlsServer.on('tlsClientError', (e, s) => {
      opts.log.info({ remote: s.remoteAddress, reason: e.message }, 'TLS handshake failed');
      s.destroy();
    });
  }

  /** The raw connection under a request's stream: itself, under Node's TLS (`_parent`), or the legacy engine's. */
  private rawSocketOf(stream: Duplex): net.Socket {
    let s: unknown = stream;
    for (let i = 0; i < 3 && !this.lifetimes.has(s as net.Socket); i++) {
      const next: unknown = s instanceof LegacyTlsStream ? s.socket : (s as { _parent?: unknown })._parent;
      if (!next) break;
      s = next;
    }
    return s as net.Socket;
  }

  /** A decrypted connection from any TLS engine: serve HTTP on it. */
  secureConnection(stream: Duplex): void {
    if (stream instanceof tls.TLSSocket) stream.setMaxSendFragment(TLS_FRAGMENT);
    this.http.emit('connection', stream);
  }

  /** A raw connection to the HTTPS port: find out which TLS engine speaks the client's language. */
  tlsConnection(socket: net.Socket): void {
    const timeoutMs = this.opts.handshakeTimeoutMs ?? 15_000;
    sniff(socket, {
      legacyEnabled: this.legacyIdentity !== undefined,
      timeoutMs,
      toNode: (s) => this.tlsServer.emit('connection', s),
      toLegacy: (s, hello, rest, remainingMs) => {
        this.opts.log.debug({ remote: s.remoteAddress, suites: hello.suites }, 'legacy TLS client');
        new LegacyTlsConnection(s, hello, rest, {
          identity: this.legacyIdentity!,
          // One deadline for the whole handshake, the ClientHello's wait included.
          handshakeTimeoutMs: remainingMs,
          onSecure: (stream) => this.secureConnection(stream),
          onFailure: (reason) => this.opts.log.info({ remote: s.remoteAddress, reason }, 'legacy TLS handshake failed'),
          onAbort: (reason) => this.opts.log.info({ remote: s.remoteAddress, reason }, 'legacy TLS connection closed'),
        });
      },
      refuse: (s, reason, remote) => {
        this.opts.log.info({ remote, reason }, 'TLS connection refused');
        if (!s.destroyed) s.end(alertRecord(40));
        s.destroySoon?.();
        setTimeout(() => s.destroy(), 2000).unref();
      },
    });
  }

  /** Bytes written to the listeners' sockets that their peers have not taken yet (what unread output costs; the tests measure it). */
  bufferedOutputBytes(): number {
    let n = 0;
    for (const s of this.sockets) n += s.writableLength;
    return n;
  }

  async listenHttp(host: string, port: number): Promise<number> {
    return this.listen(host, port, (s) => this.http.emit('connection', s));
  }

  async listenHttps(host: string, port: number): Promise<number> {
    return this.listen(host, port, (s) => this.tlsConnection(s));
  }

  async close(): Promise<void> {
    // Stop accepting, then end every connection (idle, mid-handshake or mid-request):
    // the listeners' close callbacks wait for all of them.
    const closed = Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    for (const s of this.sockets) s.destroy();
    this.http.closeAllConnections();
    this.http.close(() => undefined);
    await closed;
  }

  private async listen(host: string, port: number, onSocket: (s: net.Socket) => void): Promise<number> {
    const server = net.createServer({ noDelay: true }, (s) => {
      this.sockets.add(s);
      const lifetime = setTimeout(() => s.destroy(), 4 * this.idleMs).unref();
      this.lifetimes.set(s, lifetime);
      s.once('close', () => {
        clearTimeout(lifetime);
        this.sockets.delete(s);
        this.lifetimes.delete(s);
      });
      s.on('error', () => s.destroy());
      // Counted from accept to close, so a flood of slow handshakes (RSA work
      // for the legacy engine) from one address cannot starve the others.
      const ip = this.perIp.keyOf(s.remoteAddress ?? '');
      if (!this.perIp.add(ip)) return void s.destroy();
      s.once('close', () => this.perIp.remove(ip));
      onSocket(s);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, backlog: 1024 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.opts.log.error({ err: e }, 'web listener error'));
    this.listeners.push(server);
    return (server.address() as net.AddressInfo).port;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let answer: WebResponse;
    try {
      const body = await readBody(req);
      if (body === 'aborted') {
        // The client went away mid-request (a reset, or close_notify before
        // the body was in): nobody to answer, nothing wrong on our side.
        this.opts.log.debug({ url: req.url }, 'web client went away');
        return void res.destroy();
      }
      if (body === undefined) {
        answer = { status: 413, reason: 'Payload Too Large', body: '' };
      } else {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        const request: WebRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          path: normalisePath(url),
          query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
          headers,
          body,
          remoteAddress: stripV4Mapped(req.socket.remoteAddress ?? ''),
          localAddress: stripV4Mapped(req.socket.localAddress ?? ''),
          localPort: req.socket.localPort ?? 0,
          connection: req.socket,
          secure: (req.socket as { encrypted?: boolean }).encrypted === true || (req.socket as { legacyTls?: boolean }).legacyTls === true,
        };
        answer = await this.opts.router.handle(request);
        this.opts.log.debug({ method: request.method, path: request.path, status: answer.status }, 'web request');
      }
    } catch (e) {
      this.opts.log.error({ err: e, url: req.url }, 'web request failed');
      answer = { status: 500, reason: 'Internal Server Error', headers: { 'Content-Type': 'text/plain' }, body: 'internal error\n' };
    }
    // Keep-alive only where the route asks for it and the client offered it (HTTP/1.1, or 1.0 with keep-alive).
    const connection = (req.headers.connection ?? '').toLowerCase();
    const keepAlive = answer.keepAlive === true && (req.httpVersion === '1.1' ? !connection.includes('close') : connection.includes('keep-alive'));
    // A connection kept alive for its next request gets a fresh lifetime (the raw connection under any TLS engine).
    if (keepAlive) this.lifetimes.get(this.rawSocketOf(req.socket))?.refresh();
    try {
      send(res, answer, req.method === 'HEAD', keepAlive);
    } catch (e) {
      // A header value Node refuses: never let one request take the process down.
      this.opts.log.error({ err: e, url: req.url }, 'web response failed');
      res.destroy();
    }
  }
}

/** The body; undefined when it is too large; 'aborted' when the client left before sending it all. */
function readBody(req: http.IncomingMessage): Promise<Buffer | undefined | 'aborted'> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY) tooBig = true;
      else parts.push(d);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(parts)));
    req.on('error', () => resolve('aborted'));
  });
}

function send(res: http.ServerResponse, a: WebResponse, head: boolean, keepAlive: boolean): void {
  const body = a.body === undefined ? Buffer.alloc(0) : typeof a.body === 'string' ? Buffer.from(a.body, 'utf8') : a.body;
  res.statusCode = a.status;
  if (a.reason) res.statusMessage = a.reason;
  // Fixed headers first, then the route's in its order: COMPAT: msn-pecan (2009)
  // joins header lines without separators, so the one it parses (Location,
  // WWW-Authenticate) must come last; Node would append Date and Connection
  // after ours (/work/notes/passport-rst.md §2.5).
  res.sendDate = false;
  res.setHeader('Connection', keepAlive ? 'Keep-Alive' : 'close');
  // COMPAT: Pidgin's HTTP reader needs Content-Length spelled so, and no chunking (client-quirks.md).
  res.setHeader('Content-Length', String(body.length));
  for (const [k, v] of Object.entries(a.headers ?? {})) res.setHeader(k, v);
  if (head || body.length === 0) {
    res.end();
    return;
  }
  // COMPAT: msn-pecan: no piece of the body larger than one 8 KiB TLS record (client-quirks.md).
  for (let off = 0; off < body.length; off += TLS_FRAGMENT) res.write(body.subarray(off, Math.min(body.length, off + TLS_FRAGMENT)));
  res.end();
}
