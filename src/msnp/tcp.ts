// MSNP over TCP: a listener that turns each accepted socket into a session,
// and the Transport around a socket.
import net from 'node:net';
import type { Logger } from '../log.js';
import { stripV4Mapped } from '../net/address.js';
import type { ConnectionCounter } from '../net/connection-counter.js';
import type { SocketSession, Transport } from '../net/transport.js';

/** What every connection of one listener shares. */
interface ListenerShared {
  log: Logger;
  perIp: ConnectionCounter | undefined;
}

export class TcpTransport implements Transport {
  /** Writes of one tick are gathered into one writev (corked until the next tick). */
  private corked = false;
  /** @internal the session reading from this connection */
  session: SocketSession | undefined;

  constructor(
    private readonly socket: net.Socket,
    /** @internal */ readonly shared: ListenerShared,
    /** @internal the key counted against the per-address limit */ readonly ip: string,
  ) {}

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
    this.cork();
    this.socket.write(data);
    return true;
  }

  writeParts(head: string, body: Buffer): boolean {
    if (this.closed) return false;
    this.cork();
    this.socket.write(head, 'latin1');
    this.socket.write(body);
    return true;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(uncork, this);
  }

  /** @internal */
  uncorkNow(): void {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
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

function uncork(t: TcpTransport): void {
  t.uncorkNow();
}



export interface ListenOptions {
  host: string;
  port: number;
  name: string;
  log: Logger;
  perIp?: ConnectionCounter;
  /** Creates the session for a new connection, or returns undefined to refuse it. */
  accept(transport: TcpTransport, socket: net.Socket): SocketSession | undefined;
}

// The socket's handlers are shared functions; the one property added to each
// socket leads to everything else (no closures, few properties per connection).
const TRANSPORT = Symbol('transport');
type TransportSocket = net.Socket & { [TRANSPORT]: TcpTransport };

function onData(this: TransportSocket, chunk: Buffer): void {
  const t = this[TRANSPORT];
  try {
    t.session!.receive(chunk, Date.now());
  } catch (e) {
    // Nothing a client sends may take the process down.
    t.shared.log.error({ err: e }, 'error while handling data');
    this.destroy();
  }
}

function onError(this: TransportSocket): void {
  this.destroy();
}

function onClose(this: TransportSocket): void {
  const t = this[TRANSPORT];
  t.shared.perIp?.remove(t.ip);
  try {
    t.session!.transportClosed();
  } catch (e) {
    t.shared.log.error({ err: e }, 'error while closing a session');
  }
}

export async function listenTcp(opts: ListenOptions): Promise<net.Server> {
  const shared: ListenerShared = { log: opts.log, perIp: opts.perIp };
  const server = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 }, (socket) => {
    const ip = opts.perIp ? opts.perIp.keyOf(socket.remoteAddress ?? '') : '';
    if (opts.perIp && !opts.perIp.add(ip)) {
      socket.destroy();
      return;
    }
    const transport = new TcpTransport(socket, shared, ip);
    try {
      transport.session = opts.accept(transport, socket);
    } catch (e) {
      opts.log.error({ err: e }, 'failed to set up a connection');
    }
    if (!transport.session) {
      opts.perIp?.remove(ip);
      socket.destroy();
      return;
    }
    (socket as TransportSocket)[TRANSPORT] = transport;
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
