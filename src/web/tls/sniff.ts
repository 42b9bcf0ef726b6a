// One HTTPS port for both worlds: read the ClientHello without consuming it,
// then hand the connection to Node's TLS when the client offers a version and
// suite Node speaks (a modern client is never downgraded), to the legacy
// engine when it offers only what Windows XP offers, and otherwise answer
// with an alert and a log line saying why.
import type net from 'node:net';
import { parseClientHello, type ClientHello } from './clienthello.js';
import { chooseSuite } from './legacy/suites.js';

/**
 * Cipher suites Node's TLS serves with an RSA certificate (TLS 1.3, ECDHE,
 * DHE and RSA with AES or ChaCha20): a client offering any of them is modern.
 */
export const MODERN_SUITES: ReadonlySet<number> = new Set([
  0x1301, 0x1302, 0x1303, // TLS 1.3
  0xc02f, 0xc030, 0xc013, 0xc014, 0xc027, 0xc028, 0xcca8, // ECDHE-RSA
  0x009e, 0x009f, 0x0033, 0x0039, 0x0067, 0x006b, 0xccaa, // DHE-RSA
  0x002f, 0x0035, 0x003c, 0x003d, 0x009c, 0x009d, // RSA with AES
]);

export type Route = { engine: 'node' } | { engine: 'legacy'; suite: string } | { engine: 'none'; reason: string };

export function route(h: ClientHello, legacyEnabled: boolean): Route {
  if (h.version < 0x0301) return { engine: 'none', reason: `the client offers only SSL 3.0 or older (version 0x${h.version.toString(16)})` };
  if (h.suites.some((s) => MODERN_SUITES.has(s))) return { engine: 'node' };
  const legacy = chooseSuite(h.suites);
  if (legacy && legacyEnabled) return { engine: 'legacy', suite: legacy.name };
  const offered = h.suites.map((s) => `0x${s.toString(16).padStart(4, '0')}`).join(',');
  if (legacy) return { engine: 'none', reason: `the client offers only legacy suites (${legacy.name}) and MSNPD_TLS_LEGACY is off` };
  return { engine: 'none', reason: `no cipher suite in common (offered: ${offered})` };
}

/** A fatal TLS alert record (TLS 1.0 framing, which every version reads). */
export function alertRecord(description: number): Buffer {
  return Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, description]);
}

export interface SniffOptions {
  legacyEnabled: boolean;
  /** Time a client has to send its whole ClientHello. */
  timeoutMs: number;
  toNode(socket: net.Socket): void;
  toLegacy(socket: net.Socket, hello: ClientHello, rest: Buffer): void;
  refuse(socket: net.Socket, reason: string, remote: string): void;
}

/** Waits for the ClientHello on a fresh socket and routes it. */
export function sniff(socket: net.Socket, o: SniffOptions): void {
  let buf: Buffer = Buffer.alloc(0);
  const remote = socket.remoteAddress ?? '';
  const timer = setTimeout(() => finish(() => o.refuse(socket, 'no complete ClientHello in time', remote)), o.timeoutMs);
  const finish = (then: () => void) => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    then();
  };
  const onEnd = () => finish(() => socket.destroy());
  const onData = (d: Buffer) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    const r = parseClientHello(buf);
    if (r.kind === 'need-more') return;
    if (r.kind === 'invalid') return finish(() => o.refuse(socket, r.reason, remote));
    const decision = route(r.hello, o.legacyEnabled);
    if (decision.engine === 'node') {
      return finish(() => {
        socket.pause();
        // Node's TLS reads what is buffered on the socket before the rest.
        socket.unshift(buf);
        o.toNode(socket);
      });
    }
    if (decision.engine === 'legacy') return finish(() => o.toLegacy(socket, r.hello, buf.subarray(r.hello.consumed)));
    finish(() => o.refuse(socket, decision.reason, remote));
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
}
