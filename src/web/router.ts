// Requests and responses as the web services see them, independent of the
// HTTP server and TLS engine that carry them, and a router by path.
// Paths are matched with repeated slashes collapsed and case ignored
// (clients send `//RST.srf`; IIS never cared about case), whatever the Host.

export interface WebRequest {
  method: string;
  /** The path with repeated slashes collapsed, without the query. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  remoteAddress: string;
  /** The address and port the client reached (the HTTP gateway's sessions report them). */
  localAddress: string;
  localPort: number;
  /** The connection the request came on, as an opaque key (requests kept alive share it). */
  connection: object;
  secure: boolean;
}

export interface WebResponse {
  status: number;
  /** Reason phrase; the standard one when absent. */
  reason?: string;
  /** Header names exactly as sent (some clients match them case-sensitively). */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Keep the connection open for the client's next request (the HTTP gateway); otherwise `Connection: close`. */
  keepAlive?: boolean;
}

export type WebHandler = (req: WebRequest) => Promise<WebResponse> | WebResponse;

export function normalisePath(raw: string): string {
  // COMPAT: Pidgin 2.4.3 and msn-pecan send the absolute form (`POST http://host/gateway/gateway.dll?…`).
  const path = (raw.split('?')[0] ?? '/').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed.startsWith('/') ? collapsed : '/' + collapsed;
}

export class Router {
  private readonly routes = new Map<string, Map<string, WebHandler>>();
  /** Routes for every path under a prefix (lower case, ending in `/`), tried when no exact route matches. */
  private readonly prefixes: { prefix: string; methods: Map<string, WebHandler> }[] = [];

  on(method: string, path: string, handler: WebHandler): this {
    const key = path.toLowerCase();
    let m = this.routes.get(key);
    if (!m) this.routes.set(key, (m = new Map()));
    m.set(method.toUpperCase(), handler);
    return this;
  }

  /** `handler` for every path that starts with `prefix` (which ends in `/`), e.g. the picture addresses. */
  onPrefix(method: string, prefix: string, handler: WebHandler): this {
    const key = prefix.toLowerCase();
    let entry = this.prefixes.find((p) => p.prefix === key);
    if (!entry) this.prefixes.push((entry = { prefix: key, methods: new Map() }));
    entry.methods.set(method.toUpperCase(), handler);
    return this;
  }

  /** The handler for a request; a 404 or 405 answer otherwise. */
  async handle(req: WebRequest): Promise<WebResponse> {
    const path = req.path.toLowerCase();
    const m = this.routes.get(path) ?? this.prefixes.find((p) => path.startsWith(p.prefix) && path.length > p.prefix.length)?.methods;
    if (!m) return text(404, 'Not Found', 'no such page\n');
    const h = m.get(req.method) ?? (req.method === 'HEAD' ? m.get('GET') : undefined);
    if (!h) return { ...text(405, 'Method Not Allowed', 'method not allowed\n'), headers: { Allow: [...m.keys()].join(', '), 'Content-Type': 'text/plain; charset=utf-8' } };
    return h(req);
  }
}

export function text(status: number, reason: string, body: string): WebResponse {
  return { status, reason, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body };
}

export function xml(body: string, status = 200, reason?: string): WebResponse {
  return { status, reason, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body };
}

/**
 * Credentials travel only over TLS: a request for a route that takes a
 * password over plain HTTP gets a 403 before anything is read.
 */
export function onlySecure(handler: WebHandler): WebHandler {
  return (req) => (req.secure ? handler(req) : text(403, 'Forbidden', 'sign-in is only served over HTTPS\n'));
}
