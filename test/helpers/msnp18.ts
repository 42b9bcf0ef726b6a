// MSNP18 clients for switchboard tests: SSO sign-in with a machine GUID (as
// MSNPSharp 3.2.1 and Pidgin 2.11 do, captures/), XFR SB, and the
// switchboard's USR/ANS with `email;{guid}`; P2P messages in both framings.
import assert from 'node:assert/strict';
import { MsnpConnection, type Received } from '../../src/client/connection.js';
import { computeSsoResponse } from '../../src/core/sso-response.js';
import { HOST, type TestServer } from './server.js';
import { rst2For, ssoToken } from './sso.js';

/** MSNPSharp 3.2.1's CVR (captures/msnpsharp-3.2.1/alice.txt). */
const CVR = ['0x040c', 'winnt', '5.1', 'i386', 'MSNMSGR', '14.0.8064.0206', 'msmsgs'];

/** Signs in over MSNP18 (SSO, `USR SSO S ticket response guid`), allows everyone (BLP AL) and goes online. */
export async function signIn18(t: TestServer, email: string, password: string, guid: string, caps = '2789003324'): Promise<MsnpConnection> {
  const { ticket, secret } = await ssoToken(t, rst2For(email, password));
  const conn = await MsnpConnection.connect(HOST, t.ns);
  assert.equal((await conn.request('VER', ['MSNP18', 'CVR0'])).args[1], 'MSNP18');
  await conn.request('CVR', [...CVR, email]);
  const usr = await conn.request('USR', ['SSO', 'I', email]);
  const ok = await conn.request('USR', ['SSO', 'S', ticket, computeSsoResponse(secret, usr.args[4]!), guid]);
  assert.equal(ok.args[1], 'OK', ok.line);
  await conn.request('BLP', ['AL']);
  await conn.request('CHG', ['NLN', caps, '0']);
  await drain(conn);
  return conn;
}

/** Everything that arrived on a notification connection up to a PNG round trip. */
export async function drain(conn: MsnpConnection): Promise<string[]> {
  conn.sendLine(['PNG']);
  await conn.expect('QNG');
  return conn.take().map((r) => r.line);
}

/** XFR SB, then `USR 1 handle cookie` on a new switchboard connection; resolves with it and the USR reply. */
export async function openSb(t: TestServer, ns: MsnpConnection, handle: string): Promise<{ sb: MsnpConnection; usr: Received }> {
  const xfr = await ns.request('XFR', ['SB']);
  const sb = await MsnpConnection.connect(HOST, t.sb);
  return { sb, usr: await sb.request('USR', [handle, xfr.args[4]!]) };
}

/** Waits for the RNG on `ns` and answers it with `handle`; resolves with the IRO lines (and the RNG). */
export async function answerRing(t: TestServer, ns: MsnpConnection, handle: string): Promise<{ sb: MsnpConnection; iro: string[]; rng: Received }> {
  const rng = await ns.expect('RNG');
  const sb = await MsnpConnection.connect(HOST, t.sb);
  const tr = sb.send('ANS', [handle, rng.args[3]!, rng.args[0]!]);
  const iro: string[] = [];
  for (;;) {
    const r = await sb.waitFor((x) => x.args[0] === String(tr), 5000, 'ANS');
    if (r.verb === 'ANS') return { sb, iro, rng };
    assert.equal(r.verb, 'IRO', r.line);
    iro.push(r.line);
  }
}

/** A P2P message: the MIME headers (P2P-Src only when given: P2Pv2), then the binary body. */
export function p2pMessage(dest: string, body: Buffer, src?: string): Buffer {
  const head = `MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: ${dest}\r\n${src ? `P2P-Src: ${src}\r\n` : ''}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * A P2Pv2 packet (MSNC12 binary header, big-endian): the 8-byte transport
 * header (header length, opcode, message size, sequence number), for data a
 * data header (length 8, TF combination, package number, session id), the
 * data, and the 4-byte application id footer.
 */
export function p2pv2(seq: number, data: Buffer, opts: { tf?: number; session?: number; appId?: number } = {}): Buffer {
  const withData = data.length > 0;
  const th = Buffer.alloc(8);
  th.writeUInt8(8, 0);
  th.writeUInt8(0, 1);
  th.writeUInt16BE(withData ? 8 + data.length : 0, 2);
  th.writeUInt32BE(seq >>> 0, 4);
  const dh = Buffer.alloc(withData ? 8 : 0);
  if (withData) {
    dh.writeUInt8(8, 0);
    dh.writeUInt8(opts.tf ?? 1, 1);
    dh.writeUInt16BE(seq & 0xffff, 2);
    dh.writeUInt32BE(opts.session ?? 0, 4);
  }
  const footer = Buffer.alloc(4);
  footer.writeUInt32BE(opts.appId ?? 0, 0);
  return Buffer.concat([th, dh, data, footer]);
}

/** A P2Pv1 packet: the 48-byte little-endian header, the data and the 4-byte big-endian application id. */
export function p2pv1(id: number, session: number, offset: number, total: number, data: Buffer, appId: number): Buffer {
  const h = Buffer.alloc(48);
  h.writeUInt32LE(session, 0);
  h.writeUInt32LE(id, 4);
  h.writeBigUInt64LE(BigInt(offset), 8);
  h.writeBigUInt64LE(BigInt(total), 16);
  h.writeUInt32LE(data.length, 24);
  h.writeUInt32LE(session ? 0x20 : 0, 28);
  const footer = Buffer.alloc(4);
  footer.writeUInt32BE(appId, 0);
  return Buffer.concat([h, data, footer]);
}
