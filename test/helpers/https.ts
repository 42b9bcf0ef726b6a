// HTTPS requests against a test server, trusting its certificate authority,
// and a raw view of what went over the wire.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { sharedTls, HOST } from './server.js';

export interface RawResponse {
  status: number;
  statusLine: string;
  /** Header names as sent. */
  rawHeaders: [string, string][];
  header(name: string): string | undefined;
  body: Buffer;
}

interface RequestOptions {
  host?: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Collects a response into a RawResponse. */
function collect(res: http.IncomingMessage, resolve: (r: RawResponse) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (d: Buffer) => parts.push(d));
  res.on('end', () => {
    const raw: [string, string][] = [];
    for (let i = 0; i < res.rawHeaders.length; i += 2) raw.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
    resolve({
      status: res.statusCode ?? 0,
      statusLine: `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`,
      rawHeaders: raw,
      header: (n) => raw.find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1],
      body: Buffer.concat(parts),
    });
  });
}

function send(req: http.ClientRequest, opts: RequestOptions, reject: (e: Error) => void): void {
  req.on('error', reject);
  if (opts.body !== undefined) req.write(opts.body);
  req.end();
}

/** One HTTPS request (TLS verified against the test CA, SNI = `host`). */
export function httpsRequest(port: number, opts: RequestOptions & { ca?: string }): Promise<RawResponse> {
  const ca = fs.readFileSync(opts.ca ?? sharedTls().ca);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: HOST,
        port,
        servername: opts.host ?? 'login.passport.com',
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { Host: opts.host ?? 'login.passport.com', ...(opts.headers ?? {}) },
        ca,
        agent: false,
      },
      (res) => collect(res, resolve),
    );
    send(req, opts, reject);
  });
}

/** The same request over plain HTTP (the server's HTTP port). */
export function httpRequest(port: number, opts: RequestOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port, method: opts.method ?? 'GET', path: opts.path, headers: { Host: opts.host ?? 'login.passport.com', ...(opts.headers ?? {}) }, agent: false },
      (res) => collect(res, resolve),
    );
    send(req, opts, reject);
  });
}

/**
 * Sends raw HTTP over TLS through a recording proxy: returns the decrypted
 * response bytes and the lengths of the TLS records the server sent.
 */
export async function rawHttps(port: number, request: string, host = 'login.passport.com'): Promise<{ response: string; recordLengths: number[] }> {
  const fromServer: Buffer[] = [];
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, HOST);
    client.pipe(upstream);
    upstream.on('data', (d: Buffer) => {
      fromServer.push(d);
      client.write(d);
    });
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, HOST, () => r()));
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  const response = await new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: HOST, port: proxyPort, servername: host, ca: fs.readFileSync(sharedTls().ca) }, () => s.write(request));
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => resolve(Buffer.concat(parts).toString('latin1')));
    s.on('error', reject);
  });
  proxy.close();
  const all = Buffer.concat(fromServer);
  const recordLengths: number[] = [];
  for (let off = 0; off + 5 <= all.length; ) {
    const len = all.readUInt16BE(off + 3);
    if (all[off] === 23) recordLengths.push(len);
    off += 5 + len;
  }
  return { response, recordLengths };
}
