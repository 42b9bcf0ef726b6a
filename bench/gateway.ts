// The HTTP gateway relay: pairs chat through polling gateway sessions (NS and
// SB both over HTTP, one keep-alive connection each, as Pidgin and msn-pecan
// do), with the same message driver as the TCP relay scenario.
// `npm run bench -- --scenarios gateway` (50 pairs x 200 messages, window 10),
// 2026-12-03 on 2 shared cores: 3,100 messages/s through the gateway vs 15,800
// over TCP; latency p50 94 ms, p99 2,020 ms (a message for a side with nothing
// to send waits for its next poll, every 2 s); a poll that finds output is
// answered in 2.5 ms (p50), an empty one in 0.8 ms. With --gateway-poll-ms 250:
// 7,000 messages/s, p99 444 ms.
import { GatewayStream, gatewayConnector } from '../src/client/gateway-connection.js';
import { NsClient } from '../src/client/ns-client.js';
import { account, formPair, HOST, PASSWORD, relayRun, type RelayResult } from './scenarios.js';
import { distribution, pool, type Distribution } from './stats.js';

export interface GatewayRelayResult extends RelayResult {
  pollMs: number;
  /** Polls that found output waiting: request to answer. */
  pollWithOutputMs: Distribution;
  /** Empty polls: request to answer (answered at once, no long-poll). */
  emptyPollMs: Distribution;
  /** Requests carrying commands: request to answer (their commands handled, replies included). */
  sendMs: Distribution;
  requests: number;
}

/** P pairs sign in through the gateway (MSNP7), befriend, open a conversation through it, and relay. */
export async function gatewayRelayScenario(httpPort: number, p: number, messages: number, window: number, offset: number, pollMs: number): Promise<GatewayRelayResult> {
  const connect = gatewayConnector({ host: HOST, port: httpPort, pollMs, timeoutMs: 60000 });
  const streams: GatewayStream[] = [];
  const signIn = async (email: string) => {
    const c = new NsClient({ host: 'messenger.hotmail.com', port: 1863, versions: [7], timeoutMs: 60000, connect });
    await c.connect();
    await c.login(email, PASSWORD);
    return c;
  };
  const pairs = await pool(Array.from({ length: p }, (_, i) => i), 25, async (i) => {
    const pair = await formPair(signIn, account(offset + 2 * i), account(offset + 2 * i + 1), 60000);
    for (const c of pair.chat) {
      const s = c.socket as unknown as GatewayStream;
      s.timings = [];
      streams.push(s);
    }
    return pair;
  });
  const r = await relayRun(pairs.map((x) => x.chat), messages, window);
  for (const x of pairs) for (const c of x.ns) c.destroy();
  const timings = streams.flatMap((s) => s.timings ?? []);
  return {
    ...r,
    pollMs,
    pollWithOutputMs: distribution(timings.filter((x) => x.poll && x.bytes > 0).map((x) => x.ms)),
    emptyPollMs: distribution(timings.filter((x) => x.poll && x.bytes === 0).map((x) => x.ms)),
    sendMs: distribution(timings.filter((x) => !x.poll).map((x) => x.ms)),
    requests: timings.length,
  };
}
