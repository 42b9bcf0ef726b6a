// Clients that reach the test server only through its HTTP gateway.
import fs from 'node:fs';
import { NsClient } from '../../src/client/ns-client.js';
import { gatewayConnector, type GatewayOptions } from '../../src/client/gateway-connection.js';
import { HOST, sharedTls, type TestServer } from './server.js';

/** Options for a gateway client of `t`: its HTTP port, polling quickly so tests run fast. */
export function gatewayOptions(t: TestServer, extra: Partial<GatewayOptions> = {}): GatewayOptions {
  return { host: HOST, port: t.server.ports.http!, pollMs: 25, timeoutMs: 15000, ...extra };
}

const made: NsClient[] = [];

/** An NsClient (NS and SB connections) that goes through the gateway only; MSNP8+ sign in over HTTPS as usual. */
export function gatewayClient(t: TestServer, version: number, extra: Partial<GatewayOptions> = {}): NsClient {
  const c = new NsClient({
    host: 'messenger.hotmail.com',
    port: 1863,
    versions: [version],
    timeoutMs: 15000,
    passport: { host: HOST, port: t.server.ports.https!, ca: fs.readFileSync(sharedTls().ca), method: version >= 12 ? 'rst' : 'login2' },
    connect: gatewayConnector(gatewayOptions(t, extra)),
  });
  made.push(c);
  return c;
}

/** Signs in through the gateway (SYN, then CHG unless `status` is null), like TestServer.login. */
export async function gatewayLogin(t: TestServer, email: string, version: number, opts: { status?: string | null; extra?: Partial<GatewayOptions> } = {}): Promise<NsClient> {
  const c = gatewayClient(t, version, opts.extra);
  await c.connect();
  await c.login(email, 'secret');
  await c.sync(0);
  if (opts.status !== null) await c.setStatus(opts.status ?? 'NLN');
  c.conn.take((r) => r.verb === 'MSG' || r.verb === 'ILN');
  return c;
}

/** Closes every gateway client made so far (call in after()). */
export function destroyGatewayClients(): void {
  for (const c of made.splice(0)) c.conn?.destroy();
}

export interface RawReply {
  /** The status line, e.g. `HTTP/1.1 200 OK`. */
  status: string;
  /** Header lines exactly as sent, in order. */
  headers: string[];
  body: Buffer;
}

/** A gateway request as the clients write it: absolute form, keep-alive, the body raw. */
export function gatewayRequest(query: string, body: string | Buffer = '', opts: { host?: string; version?: string; connection?: string } = {}): Buffer {
  const host = opts.host ?? 'gateway.messenger.hotmail.com';
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const head =
    `POST http://${host}/gateway/gateway.dll?${query} HTTP/${opts.version ?? '1.1'}\r\nAccept: */*\r\nUser-Agent: MSMSGS\r\nHost: ${host}\r\n` +
    `Connection: ${opts.connection ?? 'Keep-Alive'}\r\nContent-Type: application/x-msn-messenger\r\nContent-Length: ${b.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

/**
 * Sends each request on one raw TCP connection, waiting for each answer
 * (by its Content-Length) before the next; stops early if the server closes.
 * A function builds its request from the answers so far; a number is a pause (ms).
 * `waitForClose`: after the last answer, wait up to this many ms for the server to close.
 */
export async function rawExchange(port: number, requests: (Buffer | ((sofar: RawReply[]) => Buffer) | number)[], opts: { pipelined?: boolean; waitForClose?: number } = {}): Promise<{ replies: RawReply[]; closed: boolean }> {
  const net = await import('node:net');
  const sock = net.connect({ host: HOST, port });
  await new Promise<void>((res, rej) => sock.once('connect', res).once('error', rej));
  let buf = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  sock.on('close', () => {
    closed = true;
    wake?.();
  });
  sock.on('error', () => undefined);
  const replies: RawReply[] = [];
  const readReply = async (): Promise<RawReply | undefined> => {
    const deadline = Date.now() + 15000;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = buf.toString('latin1', 0, end).split('\r\n');
        const len = Number(/^content-length: *(\d+)$/im.exec(lines.join('\n'))?.[1] ?? 0);
        if (buf.length >= end + 4 + len) {
          const r = { status: lines[0]!, headers: lines.slice(1), body: buf.subarray(end + 4, end + 4 + len) };
          buf = buf.subarray(end + 4 + len);
          return r;
        }
      }
      if (closed || Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        const timer = setTimeout(() => {
          wake = undefined;
          r();
        }, 1000);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          r();
        };
      });
    }
  };
  // Pipelined: every request written at once, as one chunk, before any answer is read.
  if (opts.pipelined) sock.write(Buffer.concat(requests.filter((r) => typeof r !== 'number').map((r) => (typeof r === 'function' ? r([]) : r))));
  for (const req of requests) {
    if (closed) break;
    // A number: milliseconds to wait before the next request.
    if (typeof req === 'number') {
      await new Promise((r) => setTimeout(r, req));
      continue;
    }
    if (!opts.pipelined) sock.write(typeof req === 'function' ? req(replies) : req);
    const r = await readReply();
    if (!r) break;
    replies.push(r);
  }
  // The server closes after its last answer: give that a moment to arrive when asked.
  if (opts.waitForClose && !closed) {
    await new Promise<void>((r) => {
      const timer = setTimeout(r, opts.waitForClose);
      sock.once('close', () => {
        clearTimeout(timer);
        r();
      });
    });
  }
  const wasClosed = closed;
  sock.destroy();
  return { replies, closed: wasClosed };
}

/** The SessionID of an answer's X-MSN-Messenger header. */
export function sessionIdOf(r: RawReply): string {
  const h = r.headers.find((l) => l.startsWith('X-MSN-Messenger: '));
  return /SessionID=([^;]*)/.exec(h ?? '')![1]!;
}
