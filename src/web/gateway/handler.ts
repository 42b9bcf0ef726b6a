// POST /gateway/gateway.dll: MSNP tunnelled through HTTP for clients behind
// firewalls that block 1863 (services.md §9). `Action=open&Server=NS|SB&IP=…`
// starts a session, `SessionID=…` sends the body's commands, `Action=poll`
// collects queued output. Every answer is `HTTP/1.1 200 OK` with
// Content-Length and `X-MSN-Messenger: SessionID=…; GW-IP=…`, on a connection
// kept alive for the client's next request.
import type { Router, WebRequest, WebResponse } from '../router.js';
import type { GatewaySessions } from './sessions.js';
import type { AddressRate } from './rate.js';

export const GATEWAY_PATH = '/gateway/gateway.dll';

export interface GatewayRouteOptions {
  /** GW-IP: where clients send their next requests (MSNPD_GATEWAY_HOST); default the Host they reached. */
  host: string | undefined;
  maxBody: number;
  /** Requests per address. */
  rate: AddressRate;
  now: () => number;
}

/** For browser clients: they may post from any page and read X-MSN-Messenger (as Escargot allows). */
const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'X-MSN-Messenger' };

const HOST_CHARS = /^[A-Za-z0-9.\-:[\]]{1,255}$/;

export function gatewayRoutes(router: Router, sessions: GatewaySessions, opts: GatewayRouteOptions): void {
  const { now, rate } = opts;
  router.on('OPTIONS', GATEWAY_PATH, () => ({
    status: 200,
    headers: {
      ...CORS,
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '86400',
    },
  }));
  router.on('POST', GATEWAY_PATH, async (req) => {
    // The address rate counts what costs a new session or probes for one; a live
    // session's own requests are answered in turn (a refusal would sign its user out).
    const limited = () => !rate.take(req.remoteAddress, now());
    const q = req.query;
    let s;
    if ((q.get('Action') ?? '').toLowerCase() === 'open') {
      // IP names the server the client meant (the address in XFR NS/XFR SB/RNG, or
      // messenger.hotmail.com): all of them are this service, so Server= decides.
      const kind = (q.get('Server') ?? '').toUpperCase();
      if (limited()) return refuse(429, 'Too Many Requests', 'too many requests from this address\n');
      if (kind !== 'NS' && kind !== 'SB') return refuse(400, 'Bad Request', 'Server must be NS or SB\n');
      if (req.body.length > opts.maxBody) return refuse(413, 'Payload Too Large', 'request body too large\n');
      s = sessions.open(kind, req.remoteAddress, req.localAddress, req.localPort);
      if (!s) return refuse(503, 'Service Unavailable', 'too many sessions from this address\n');
    } else {
      // Unknown, malformed, expired or another's: 400, as the original gateway answered a
      // request it could not place (hypothetic.org "HTTP connections"); the clients then
      // drop that connection and sign in again (Pidgin, msn-pecan: any status but 200).
      s = sessions.find(q.get('SessionID') ?? '');
      if (!s) return limited() ? refuse(429, 'Too Many Requests', 'too many requests from this address\n') : refuse(400, 'Bad Request', 'no such session\n');
      if (req.body.length > opts.maxBody) {
        // As a command over the size limit closes a TCP connection.
        sessions.drop(s, 'request body over MSNPD_GATEWAY_MAX_BODY');
        return refuse(413, 'Payload Too Large', 'request body too large\n');
      }
    }
    const a = await sessions.serve(s, req.body);
    const header = `SessionID=${s.id}; GW-IP=${gatewayHost(req, opts.host)}${a.closed ? '; Session=close' : ''}`;
    return {
      status: 200,
      // X-MSN-Messenger last: COMPAT: msn-pecan (2009) reads the last header of some answers as their end.
      headers: { 'Content-Type': 'application/x-msn-messenger', ...CORS, 'X-MSN-Messenger': header },
      body: a.body,
      keepAlive: true,
    };
  });
}

/**
 * GW-IP: the configured host, else the host the client used, else the address it reached.
 * Without a port: clients send their next requests to GW-IP on port 80 (client-quirks.md).
 */
function gatewayHost(req: WebRequest, configured: string | undefined): string {
  if (configured) return configured;
  const host = req.headers.host?.trim();
  if (host && HOST_CHARS.test(host)) return host.replace(/:\d+$/, '');
  return req.localAddress.includes(':') ? `[${req.localAddress}]` : req.localAddress;
}

function refuse(status: number, reason: string, body: string): WebResponse {
  return { status, reason, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...CORS }, body };
}
