// Talking to the HTTPS port below HTTP: gnutls-cli (an independent TLS 1.0
// client with 3DES and RC4), raw bytes in and out, and the alert records the
// server answers with.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { HOST, startTestServer, type TestServer } from './server.js';

function whichGnutlsCli(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v gnutls-cli'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

let gnutls: Promise<string> | undefined;

/**
 * Where gnutls-cli is. Where it is missing, the test setup installs Debian's
 * gnutls-bin (as root, or through passwordless sudo) and says so; where it
 * cannot, the tests that need it fail with what to install: the
 * independent-client tests never pass by not running.
 */
export function ensureGnutlsCli(): Promise<string> {
  gnutls ??= (async () => {
    const found = whichGnutlsCli();
    if (found) return found;
    const sudo = process.getuid?.() === 0 ? '' : 'sudo -n ';
    process.stderr.write('# gnutls-cli is missing: installing Debian\'s gnutls-bin for the legacy TLS tests\n');
    const install = `${sudo}apt-get install -y -qq gnutls-bin || { ${sudo}apt-get update -qq && ${sudo}apt-get install -y -qq gnutls-bin; }`;
    const r = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const p = spawn('sh', ['-c', install], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      p.stdout.on('data', (d: Buffer) => (output += d.toString()));
      p.stderr.on('data', (d: Buffer) => (output += d.toString()));
      p.on('error', (e) => resolve({ code: null, output: String(e) }));
      p.on('close', (code) => resolve({ code, output }));
    });
    const installed = whichGnutlsCli();
    if (installed) return installed;
    throw new Error(
      `gnutls-cli is needed for the Windows XP TLS tests and could not be installed (${r.output.trim().split('\n').slice(-2).join(' / ') || `exit ${r.code}`}). ` +
        'Install it (Debian/Ubuntu: apt-get install gnutls-bin; macOS: brew install gnutls) and run the tests again.',
    );
  })();
  return gnutls;
}

/** gnutls priority strings for exactly one suite each: TLS 1.0, RSA key exchange, no compression. */
export const GNUTLS_PRIORITY: Record<number, string> = {
  0x000a: 'NONE:+VERS-TLS1.0:+RSA:+3DES-CBC:+SHA1:+COMP-NULL:+SIGN-ALL',
  0x0005: 'NONE:+VERS-TLS1.0:+RSA:+ARCFOUR-128:+SHA1:+COMP-NULL:+SIGN-ALL',
  0x0004: 'NONE:+VERS-TLS1.0:+RSA:+ARCFOUR-128:+MD5:+COMP-NULL:+SIGN-ALL',
};

/**
 * One HTTP request through gnutls-cli (no SNI, the certificate verified
 * against `ca`). The request goes to its standard input; stdin is closed once
 * the response head has arrived, not before: gnutls-cli answers EOF on stdin
 * with close_notify, and a TLS 1.0 server discards what it has not sent yet
 * when it gets one (RFC 2246 §7.2.1). Returns the response (stdout) and
 * gnutls-cli's own report (--logfile: certificate status, negotiated suite).
 */
export function gnutlsRequest(cli: string, port: number, priority: string, ca: string, request: string): Promise<{ code: number | null; response: string; log: string }> {
  const logfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'msnpd-gnutls-')), 'log');
  const proc = spawn(cli, ['--priority', priority, '--disable-sni', '--x509cafile', ca, '--logfile', logfile, '-p', String(port), HOST], { stdio: ['pipe', 'pipe', 'pipe'] });
  let response = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => {
    response += d.toString('latin1');
    if (response.includes('\r\n\r\n')) proc.stdin.end();
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin.on('error', () => undefined);
  proc.stdin.write(request);
  const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  return new Promise((resolve) => {
    proc.on('close', (code) => {
      clearTimeout(killer);
      const log = fs.existsSync(logfile) ? fs.readFileSync(logfile, 'utf8') : '';
      fs.rmSync(path.dirname(logfile), { recursive: true, force: true });
      resolve({ code, response, log: log + stderr });
    });
  });
}

export interface RawExchange {
  /** Everything the server sent. */
  received: Buffer;
  /** The server closed the connection before `waitMs`. */
  closed: boolean;
}

/** Sends bytes to a fresh connection and collects the answer until the server closes it (or `waitMs` passes). */
export function rawExchange(port: number, bytes: Buffer, waitMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const s = net.connect({ host: HOST, port }, () => {
      if (bytes.length > 0) s.write(bytes);
    });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ received: Buffer.concat(parts), closed: false });
    }, waitMs);
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(parts), closed: true });
    });
  });
}

/** The TLS records in a byte stream (complete ones only). */
export function records(bytes: Buffer): { type: number; body: Buffer }[] {
  const out: { type: number; body: Buffer }[] = [];
  for (let off = 0; off + 5 <= bytes.length; ) {
    const len = bytes.readUInt16BE(off + 3);
    if (off + 5 + len > bytes.length) break;
    out.push({ type: bytes[off]!, body: bytes.subarray(off + 5, off + 5 + len) });
    off += 5 + len;
  }
  return out;
}

/** A fatal alert record in TLS 1.0 framing: 15 03 01 00 02 02 <description>. */
export function fatalAlert(description: number): Buffer {
  return Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, description]);
}

/** A test server whose log lines (pino JSON) can be read back; MSNPD_TLS_HANDSHAKE_TIMEOUT 2 s unless `env` says. */
export async function loggedServer(env: Record<string, string>, dir?: string): Promise<{ t: TestServer; lines: string[] }> {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const t = await startTestServer({ MSNPD_TLS_HANDSHAKE_TIMEOUT: '2', ...env }, dir, { log });
  return { t, lines };
}
