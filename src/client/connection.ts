// A client-side MSNP connection: frames server lines (with their payloads),
// numbers transactions, and matches replies to requests. Used by our tests,
// benchmarks and bots; it speaks whatever the caller writes.
import net from 'node:net';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Framer } from '../msnp/wire/framer.js';
import type { Command } from '../msnp/wire/command.js';

/** Server-to-client verbs that carry a payload (flows.md §0). */
export const SERVER_PAYLOAD_VERBS: ReadonlySet<string> = new Set(
  'MSG NOT GCF UBX UBN UBM ADL RML FQY IPG NFY SDG PUT DEL'.split(' '),
);

export interface Received extends Command {
  /** The line as received (without CR LF). */
  line: string;
}

/** Opens a connection to an NS or SB address (TCP by default; the HTTP gateway in gateway-connection.ts). */
export type Connector = (host: string, port: number, kind: 'NS' | 'SB', timeoutMs: number) => Promise<MsnpConnection>;

export class ClientError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export class MsnpConnection extends EventEmitter {
  private nextTrid = 1;
  private readonly framer: Framer;
  private readonly waiters = new Set<{ match: (r: Received) => boolean; resolve: (r: Received) => void }>();
  /** Every line received and not yet taken by a request or a waitFor. */
  readonly inbox: Received[] = [];
  /** Sees each line first; returning true consumes it (e.g. automatic challenge answers). */
  intercept: ((r: Received) => boolean) | undefined;
  /** When false, unmatched lines are dropped instead of queued (long-running load generators). */
  keepInbox = true;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    super();
    // Each pending wait listens for 'close'; benchmarks keep dozens pending on one connection.
    this.setMaxListeners(0);
    this.framer = new Framer(
      { maxLineBytes: 1 << 20, maxPayloadBytes: 1 << 24, payloadVerbs: SERVER_PAYLOAD_VERBS, lenientPayloads: true },
      {
        onCommand: (c) => this.onCommand(c),
        onFramingError: (e) => this.emit('error', new ClientError(`framing error from server: ${e}`)),
      },
    );
    socket.on('data', (d: Buffer) => this.framer.push(d));
    socket.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
    socket.on('error', () => undefined);
  }

  static connect(host: string, port: number, timeoutMs = 5000): Promise<MsnpConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true });
      const t = setTimeout(() => {
        socket.destroy();
        reject(new ClientError(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(t);
        resolve(new MsnpConnection(socket));
      });
      socket.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  /**
   * A connection over another byte stream that is already open (the HTTP
   * gateway's GatewayStream). Only the Duplex side of `socket` is used here;
   * its socket-only properties (ports, addresses) are undefined.
   */
  static over(stream: Duplex): MsnpConnection {
    return new MsnpConnection(stream as net.Socket);
  }

  trid(): number {
    return this.nextTrid++;
  }

  /** Writes raw bytes (tests use this to send anything at all). */
  raw(data: string | Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  /** Writes `verb trid args...` (and a payload, whose length is appended) and returns the trid. */
  send(verb: string, args: (string | number)[] = [], payload?: Buffer | string): number {
    const t = this.trid();
    this.sendLine([verb, t, ...args], payload);
    return t;
  }

  /** Writes a line of tokens as given (no trid added). */
  sendLine(tokens: (string | number)[], payload?: Buffer | string): void {
    if (payload === undefined) return this.raw(tokens.join(' ') + '\r\n');
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    this.raw(Buffer.concat([Buffer.from(`${tokens.join(' ')} ${body.length}\r\n`, 'utf8'), body]));
  }

  /**
   * Sends a command and resolves with the first line carrying its trid (the
   * reply or an error code). Errors reject with ClientError(code).
   */
  async request(verb: string, args: (string | number)[] = [], payload?: Buffer | string, timeoutMs = 5000): Promise<Received> {
    const t = this.send(verb, args, payload);
    const r = await this.waitFor((x) => x.args[0] === String(t), timeoutMs, `${verb} ${t}`);
    if (/^\d{3}$/.test(r.verb)) throw new ClientError(`${verb} failed with ${r.verb}`, Number(r.verb));
    return r;
  }

  /** Resolves with the first received line (already queued, or future) that matches. */
  waitFor(match: (r: Received) => boolean, timeoutMs = 5000, what = 'a line'): Promise<Received> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (r: Received) => {
          clearTimeout(timer);
          this.off('close', onClose);
          resolve(r);
        },
      };
      const onClose = () => {
        clearTimeout(timer);
        this.waiters.delete(w);
        reject(new ClientError(`connection closed while waiting for ${what}`));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        this.off('close', onClose);
        reject(new ClientError(`timed out waiting for ${what}; inbox: ${this.inbox.map((x) => x.line).join(' | ')}`));
      }, timeoutMs);
      this.waiters.add(w);
      if (this.closed) onClose();
      else this.once('close', onClose);
    });
  }

  /** Waits for a line of this verb (e.g. an asynchronous NLN). */
  expect(verb: string, timeoutMs = 5000, match: (r: Received) => boolean = () => true): Promise<Received> {
    return this.waitFor((r) => r.verb === verb && match(r), timeoutMs, verb);
  }

  /** Takes every queued line matching (non-blocking). */
  take(match: (r: Received) => boolean = () => true): Received[] {
    const out: Received[] = [];
    for (let i = 0; i < this.inbox.length; ) {
      if (match(this.inbox[i]!)) out.push(...this.inbox.splice(i, 1));
      else i++;
    }
    return out;
  }

  /** Resolves when the server closes the connection. */
  closedByPeer(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new ClientError('connection still open')), timeoutMs);
      this.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon?.();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onCommand(c: Command): void {
    const r: Received = { ...c, line: [c.verb, ...c.args].join(' ') };
    if (this.intercept?.(r)) return;
    this.emit('line', r);
    for (const w of this.waiters) {
      if (w.match(r)) {
        this.waiters.delete(w);
        w.resolve(r);
        return;
      }
    }
    if (this.keepInbox) this.inbox.push(r);
  }
}
