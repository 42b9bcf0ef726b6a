// The web services: certificates, routes, and the HTTP/HTTPS listeners.
import type { Config } from '../config.js';
import type { Core } from '../core/core.js';
import type { Logger } from '../log.js';
import { ensureCertificates, type TlsMaterial } from './certificates.js';
import { passportRoutes } from './passport.js';
import { msgrConfigRoutes } from './msgrconfig.js';
import { rstRoutes } from './rst.js';
import { rst2Routes } from './rst2.js';
import { soapRoutes, type SoapRate } from './soap/routes.js';
import { storageRoutes, type StorageWebOptions } from './soap/storage-routes.js';
import { Router, text } from './router.js';
import { WebServer } from './server.js';

export interface RunningWeb {
  server: WebServer;
  tls: TlsMaterial;
  httpPort: number | undefined;
  httpsPort: number | undefined;
  /** One line per listener that could not start (e.g. a low port without privilege). */
  problems: string[];
}

/** `more`: routes of other fronts (the HTTP gateway); `soap`: the SOAP services' per-account request rate; `storage`: where pictures are served. */
export function buildRouter(
  core: Core,
  log: Logger,
  more?: (router: Router) => void,
  soap: SoapRate = { rate: 20, burst: 100 },
  storage: StorageWebOptions = { tileUrl: 'http://blufiles.storage.msn.com' },
): Router {
  const router = new Router();
  router.on('GET', '/', () => text(200, 'OK', 'msnpd web services\n'));
  // WLM probes the sign-in host with an empty POST as a reachability check (services.md §13).
  router.on('POST', '/', () => text(200, 'OK', ''));
  passportRoutes(router, core, log);
  rstRoutes(router, core, log);
  rst2Routes(router, core, log);
  soapRoutes(router, core, log, soap);
  storageRoutes(router, core, log, soap, storage);
  msgrConfigRoutes(router);
  more?.(router);
  return router;
}

/** Why a port could not be bound, in one line naming the variable and the fixes. */
export function bindProblem(e: unknown, variable: string, port: number, what: string): string {
  const code = (e as { code?: string }).code;
  if (code === 'EACCES' && port < 1024) {
    return `msnpd: ${what} not started: port ${port} (${variable}) needs privileges. Give node the capability (sudo setcap cap_net_bind_service=+ep "$(command -v node)"), or set ${variable} to a port above 1023 and forward ${port} to it.`;
  }
  if (code === 'EADDRINUSE') return `msnpd: ${what} not started: port ${port} (${variable}) is already in use.`;
  return `msnpd: ${what} not started on port ${port} (${variable}): ${(e as Error).message}`;
}

export async function startWeb(config: Config, core: Core, log: Logger, more?: (router: Router) => void): Promise<RunningWeb> {
  const material = ensureCertificates({
    dataDir: config.dataDir,
    publicHost: config.publicHost,
    certFile: config.tlsCert,
    keyFile: config.tlsKey,
    legacyCertFile: config.tlsLegacyCert,
    legacyKeyFile: config.tlsLegacyKey,
    legacyTls: config.tlsLegacy,
  });
  if (material.created) log.info({ ca: material.caPath }, 'made the local certificate authority / server certificate');
  for (const w of material.warnings) log.warn(w);
  const server = new WebServer({
    router: buildRouter(core, log.child({ server: 'web' }), more, { rate: config.soapRequestRate, burst: config.soapRequestBurst }, { tileUrl: config.storageTileUrl }),
    log: log.child({ server: 'web' }),
    tls: material,
    legacyTls: config.tlsLegacy,
    handshakeTimeoutMs: config.tlsHandshakeTimeout * 1000,
    idleTimeoutMs: config.webIdleTimeout * 1000,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    ipv6Prefix: config.ipv6Prefix,
  });
  const problems: string[] = [];
  let httpPort: number | undefined;
  let httpsPort: number | undefined;
  try {
    httpPort = await server.listenHttp(config.host, config.httpPort);
  } catch (e) {
    problems.push(bindProblem(e, 'MSNPD_HTTP_PORT', config.httpPort, 'HTTP server'));
  }
  try {
    httpsPort = await server.listenHttps(config.host, config.httpsPort);
  } catch (e) {
    problems.push(bindProblem(e, 'MSNPD_HTTPS_PORT', config.httpsPort, 'HTTPS server'));
  }
  return { server, tls: material, httpPort, httpsPort, problems };
}
