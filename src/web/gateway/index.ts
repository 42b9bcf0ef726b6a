// The HTTP gateway as the server wires it: sessions, the per-address request
// rate, and the routes on the web listeners (HTTP and HTTPS).
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { Router } from '../router.js';
import { gatewayRoutes } from './handler.js';
import { AddressRate } from './rate.js';
import { GatewaySessions, type GatewaySessionsOptions } from './sessions.js';

export type { ServerKind } from './sessions.js';
export { GatewayTransport } from './transport.js';

export class HttpGateway {
  readonly sessions: GatewaySessions;
  private readonly rate: AddressRate;
  private readonly now: () => number;

  constructor(
    private readonly config: Config,
    log: Logger,
    opts: Pick<GatewaySessionsOptions, 'open' | 'perIp' | 'now' | 'timers'>,
  ) {
    this.now = opts.now ?? Date.now;
    this.rate = new AddressRate(config.gatewayRequestRate, config.gatewayRequestBurst, config.ipv6Prefix);
    this.sessions = new GatewaySessions({
      log: log.child({ server: 'gateway' }),
      timeoutMs: config.gatewayTimeout * 1000,
      // Answered well before the web connection's idle timeout would cut it.
      answerWithinMs: Math.min(10_000, (config.webIdleTimeout * 1000) / 2),
      ...opts,
    });
  }

  routes(router: Router): void {
    gatewayRoutes(router, this.sessions, { host: this.config.gatewayHost, maxBody: this.config.gatewayMaxBody, rate: this.rate, now: this.now });
  }
}
