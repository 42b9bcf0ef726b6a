// One HTTPS port for both worlds: read the ClientHello without consuming it,
// then hand the connection to Node's TLS when the client offers a version and
// suite Node speaks (a modern client is never downgraded), to the legacy
// engine when it offers only what Windows XP offers, and otherwise answer
// with an alert and a log line saying why.
import type net from 'node:net';
import { parseClientHello, type ClientHello } from './clienthello.js';
import { chooseSuite } from './legacy/suites.js';

/**
 * Cipher suites Node's TLS serves with an RSA certificate at any TLS version:
 * ECDHE-RSA and RSA key exchange with AES-CBC. (No DHE: the server has no
 * DH parameters, so a client offering only DHE suites would be refused.)
 */
const MODERN_ANY_VERSION: readonly number[] = [0xc013, 0xc014, 0x002f, 0x0035];
/** The ones Node serves only over TLS 1.2 or 1.3 (AEAD, SHA-256 MACs, the TLS 1.3 suites). */
const MODERN_TLS12: readonly number[] = [0x1301, 0x1302, 0x1303, 0xc02f, 0xc030, 0xc027, 0xc028, 0xcca8, 0x003c, 0x003d, 0x009c, 0x009d];

/** Suites that make a ClientHello of `version` modern: TLS 1.2-only suites count only when the client offers TLS 1.2 or later. */
export function modernSuites(version: number): ReadonlySet<number> {
  return version >= 0x0303 ? MODERN_FROM_TLS12 : MODERN_BEFORE_TLS12;
}
const MODERN_BEFORE_TLS12: ReadonlySet<number> = new Set(MODERN_ANY_VERSION);
const MODERN_FROM_TLS12: ReadonlySet<number> = new Set([...MODERN_ANY_VERSION, ...MODERN_TLS12]);

export type Route = { engine: 'node' } | { engine: 'legacy'; suite: string } | { engine: 'none'; reason: string };

export function route(h: ClientHello, legacyEnabled: boolean): Route {
  if (h.version < 0x0301) return { engine: 'none', reason: `the client offers only SSL 3.0 or older (version 0x${h.version.toString(16)})` };
  const modern = modernSuites(h.version);
  if (h.suites.some((s) => modern.has(s))) return { engine: 'node' };
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
  /** Time a client has for its whole handshake, ClientHello included. */
  timeoutMs: number;
  toNode(socket: net.Socket): void;
  /** `remainingMs`: what is left of `timeoutMs` for the rest of the handshake. */
  toLegacy(socket: net.Socket, hello: ClientHello, rest: Buffer, remainingMs: number): void;
  refuse(socket: net.Socket, reason: string, remote: string): void;
}

/** Waits for the ClientHello on a fresh socket and routes it. */
export function sniff(socket: net.Socket, o: SniffOptions): void {
  // Chunks are joined and parsed only once they can hold what the hello
  // announced, so a hello trickled a byte at a time costs linear time.
  let parts: Buffer[] = [];
  let total = 0;
  let atLeast = 1;
  const remote = socket.remoteAddress ?? '';
  const started = Date.now();
  const timer = setTimeout(() => finish(() => o.refuse(socket, 'no complete ClientHello in time', remote)), o.timeoutMs);
  const finish = (then: () => void) => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onClose);
    then();
  };
  const onEnd = () => finish(() => socket.destroy());
  // A reset mid-hello ends with 'close' and no 'end': drop the buffer and timer now.
  const onClose = () => finish(() => undefined);
  const onData = (d: Buffer) => {
    parts.push(d);
    total += d.length;
    if (total < atLeast) return;
    const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
    parts = [buf];
    const r = parseClientHello(buf);
    if (r.kind === 'need-more') {
      atLeast = r.atLeast;
      return;
    }
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
    if (decision.engine === 'legacy') return finish(() => o.toLegacy(socket, r.hello, buf.subarray(r.hello.consumed), Math.max(1, o.timeoutMs - (Date.now() - started))));
    finish(() => o.refuse(socket, decision.reason, remote));
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onClose);
}
