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
