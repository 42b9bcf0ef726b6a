// MSNP over TCP: a listener that turns each accepted socket into a session,
// and the Transport around a socket.
import net from 'node:net';
import type { Logger } from '../log.js';
import type { Transport } from './transport.js';

export class TcpTransport implements Transport {
  constructor(private readonly socket: net.Socket) {}

  // Read from the socket when asked (rarely): fewer strings kept per connection.
  get remoteAddress(): string {
    return stripV4Mapped(this.socket.remoteAddress ?? '');
  }
  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }
  get localAddress(): string {
    return stripV4Mapped(this.socket.localAddress ?? '');
  }
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  get closed(): boolean {
    return this.socket.destroyed || this.socket.writableEnded;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  write(data: string | Buffer): boolean {
    if (this.closed) return false;
    this.socket.write(data);
    return true;
  }

  writeParts(head: string, body: Buffer): boolean {
    if (this.closed) return false;
    this.socket.cork();
    this.socket.write(head, 'latin1');
    this.socket.write(body);
    process.nextTick(uncork, this.socket);
    return true;
  }

  end(): void {
    if (!this.socket.destroyed) {
      this.socket.end();
      // A peer that never reads must not keep the socket half-open.
      this.socket.setTimeout(5000, () => this.socket.destroy());
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function uncork(s: net.Socket): void {
  s.uncork();
}

function stripV4Mapped(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** What a listener needs from the session it creates for each socket. */
export interface SocketSession {
  receive(chunk: Buffer, now: number): void;
  transportClosed(): void;
}

export interface ListenOptions {
  host: string;
  port: number;
  name: string;
  log: Logger;
  /** Creates the session for a new connection, or returns undefined to refuse it. */
  accept(transport: TcpTransport, socket: net.Socket): SocketSession | undefined;
}

const SESSION = Symbol('session');
const LOG = Symbol('log');
type SessionSocket = net.Socket & { [SESSION]: SocketSession; [LOG]: Logger };

function onData(this: SessionSocket, chunk: Buffer): void {
  try {
    this[SESSION].receive(chunk, Date.now());
  } catch (e) {
    // Nothing a client sends may take the process down.
    this[LOG].error({ err: e }, 'error while handling data');
    this.destroy();
  }
}

function onError(this: SessionSocket): void {
  this.destroy();
}

function onClose(this: SessionSocket): void {
  try {
    this[SESSION].transportClosed();
  } catch (e) {
    this[LOG].error({ err: e }, 'error while closing a session');
  }
}

export async function listenTcp(opts: ListenOptions): Promise<net.Server> {
  const server = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 }, (socket) => {
    let session: SocketSession | undefined;
    try {
      session = opts.accept(new TcpTransport(socket), socket);
    } catch (e) {
      opts.log.error({ err: e }, 'failed to set up a connection');
    }
    if (!session) {
      socket.destroy();
      return;
    }
    // Shared handlers with the session on the socket: no closures per connection.
    (socket as SessionSocket)[SESSION] = session;
    (socket as SessionSocket)[LOG] = opts.log;
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
  server.on('error', (e) => opts.log.error({ err: e, listener: opts.name }, 'listener error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    // A deep accept queue: a revival's users reconnect all at once after a restart.
    server.listen({ port: opts.port, host: opts.host, backlog: 4096 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return server;
}
