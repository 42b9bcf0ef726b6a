// Our own notification-server client: version negotiation, sign-in (MD5 for
// MSNP2-7, following a dispatch redirect), list download, presence, and
// automatic challenge answers. Tests, benchmarks and bots build on it.
import { createHash } from 'node:crypto';
import { expectedAnswer } from '../msnp/challenges.js';
import { ClientError, MsnpConnection, type Connector, type Received } from './connection.js';
import { SbClient } from './sb-client.js';
import { passportTicket, type PassportOptions } from './passport.js';

export interface NsClientOptions {
  host: string;
  port: number;
  /** Passport (MSNP8+): where the HTTPS services are and which way to sign in. */
  passport?: PassportOptions;
  /** What the client reports in CVR (MSNP8+ send it before USR). */
  clientVersion?: string;
  /** Versions offered in VER, highest first (default MSNP7 down to MSNP2). */
  versions?: number[];
  /** Product id used to answer challenges (default the MSN 3.6-4.x one). */
  productId?: string;
  /** Answer CHL automatically (default true). */
  answerChallenges?: boolean;
  timeoutMs?: number;
  /** How NS and SB connections are opened (default TCP; gatewayConnector() for the HTTP gateway). */
  connect?: Connector;
}

export interface SyncResult {
  /** The list version (MSNP2-9; 0 from MSNP10, which use `stamps`). */
  version: number;
  /** MSNP10+: the two timestamps, as the client would send them back. */
  stamps: string;
  head: Received;
  lines: Received[];
}

export class NsClient {
  conn!: MsnpConnection;
  version = 0;
  email = '';
  friendlyName = '';
  /** The host:port of the server actually signed in to (after a redirect). */
  address = '';
  /** The ticket of the last Passport sign-in (MSNP8+). */
  ticket = '';
  private readonly opts: Required<Omit<NsClientOptions, 'host' | 'port' | 'passport'>> & { host: string; port: number; passport?: PassportOptions };
  private readonly connector: Connector;

  constructor(opts: NsClientOptions) {
    this.opts = {
      versions: [7, 6, 5, 4, 3, 2],
      productId: 'msmsgs@msnmsgr.com',
      answerChallenges: true,
      timeoutMs: 5000,
      clientVersion: '7.5.0324',
      connect: (host, port, _kind, timeoutMs) => MsnpConnection.connect(host, port, timeoutMs),
      ...opts,
    };
    this.connector = this.opts.connect;
  }

  /** Connects and negotiates the version; returns the version chosen. */
  async connect(host = this.opts.host, port = this.opts.port): Promise<number> {
    this.conn = await this.connector(host, port, 'NS', this.opts.timeoutMs);
    this.address = `${host}:${port}`;
    this.conn.intercept = (r) => this.onLine(r);
    const r = await this.conn.request('VER', [...this.opts.versions.map((v) => `MSNP${v}`), 'CVR0'], undefined, this.opts.timeoutMs);
    const chosen = /^MSNP(\d+)$/.exec(r.args[1] ?? '');
    if (!chosen) throw new ClientError(`no common protocol version (${r.line})`);
    this.version = Number(chosen[1]);
    return this.version;
  }

  /**
   * Signs in: MD5 for MSNP2-7, Passport (TWN) from MSNP8 (CVR first, then the
   * ticket from login2.srf or RST.srf). Follows one XFR NS redirect.
   */
  async login(email: string, password: string): Promise<Received> {
    if (!this.conn) await this.connect();
    for (let hop = 0; hop < 2; hop++) {
      const twn = this.version >= 8;
      if (twn) {
        await this.conn.request('CVR', ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', this.opts.clientVersion, 'msmsgs', email], undefined, this.opts.timeoutMs);
      } else {
        await this.conn.request('INF', [], undefined, this.opts.timeoutMs);
      }
      const r = await this.conn.request('USR', [twn ? 'TWN' : 'MD5', 'I', email], undefined, this.opts.timeoutMs);
      if (r.verb === 'XFR') {
        const [host, port] = splitAddress(r.args[2]!);
        this.conn.close();
        await this.connect(host, port);
        continue;
      }
      let answer: string;
      if (twn) {
        if (!this.opts.passport) throw new ClientError('MSNP8+ sign-in needs the passport option');
        this.ticket = await passportTicket(this.opts.passport, email, password, r.args[3]!);
        answer = this.ticket;
      } else {
        answer = createHash('md5').update(r.args[3]! + password, 'utf8').digest('hex');
      }
      const ok = await this.conn.request('USR', [twn ? 'TWN' : 'MD5', 'S', answer], undefined, this.opts.timeoutMs);
      this.email = ok.args[2]!;
      // MSNP10+ have no name here (it comes as PRP MFN in SYN).
      this.friendlyName = this.version >= 10 ? '' : decodeURIComponent(ok.args[3] ?? '');
      return ok;
    }
    throw new ClientError('redirected more than once');
  }

  /**
   * SYN with the cached version (MSNP10+: the two cached timestamps, default
   * `0 0`). Resolves with every line of the answer: a PNG sent right after it
   * marks the end (its QNG follows the last list line).
   */
  async sync(cached: number | string = 0): Promise<SyncResult> {
    const args = this.version >= 10 ? (typeof cached === 'string' ? cached.split(' ') : [String(cached), String(cached)]) : [cached];
    // Lines that came before the SYN are not part of its answer: set them aside.
    const earlier = this.conn.take();
    try {
      return await this.collectSync(args);
    } finally {
      this.conn.inbox.unshift(...earlier);
    }
  }

  private async collectSync(args: (string | number)[]): Promise<SyncResult> {
    const t = this.conn.send('SYN', args);
    this.conn.sendLine(['PNG']);
    const head = await this.conn.waitFor((r) => r.verb === 'SYN' || (/^\d{3}$/.test(r.verb) && r.args[0] === String(t)), this.opts.timeoutMs, 'SYN');
    if (head.verb !== 'SYN') throw new ClientError(`SYN failed with ${head.verb}`, Number(head.verb));
    const lines: Received[] = [];
    for (;;) {
      const r = await this.conn.waitFor(() => true, this.opts.timeoutMs, 'list lines');
      if (r.verb === 'QNG') break;
      lines.push(r);
    }
    const abch = this.version >= 10;
    return { version: abch ? 0 : Number(head.args[1]), stamps: abch ? head.args.slice(1, 3).join(' ') : '', head, lines };
  }

  /** CHG; on the first one the ILN lines follow (collect them with conn.take). */
  async setStatus(status: string): Promise<Received> {
    return this.conn.request('CHG', [status], undefined, this.opts.timeoutMs);
  }

  /** Asks for a switchboard, connects and authenticates; returns the open conversation. */
  async openChat(): Promise<SbClient> {
    const r = await this.conn.request('XFR', ['SB'], undefined, this.opts.timeoutMs);
    const [host, port] = splitAddress(r.args[2]!);
    const sb = await SbClient.connect(host, port, this.opts.timeoutMs, this.connector);
    await sb.usr(this.email, r.args[4]!);
    return sb;
  }

  /** Waits for an invitation (RNG) and joins it. */
  async acceptInvitation(timeoutMs = this.opts.timeoutMs): Promise<{ sb: SbClient; roster: Received[] }> {
    const rng = await this.conn.expect('RNG', timeoutMs);
    const [host, port] = splitAddress(rng.args[1]!);
    const sb = await SbClient.connect(host, port, this.opts.timeoutMs, this.connector);
    const roster = await sb.ans(this.email, rng.args[3]!, rng.args[0]!);
    return { sb, roster };
  }

  close(): void {
    this.conn?.close();
  }

  private onLine(r: Received): boolean {
    if (r.verb === 'CHL' && r.args[0] === '0' && this.opts.answerChallenges) {
      const answer = expectedAnswer(this.version >= 11 ? 'lockkey' : 'md5', r.args[1]!, this.opts.productId) ?? '';
      this.conn.send('QRY', [this.opts.productId], answer);
      return true;
    }
    // Answers to our automatic QRYs are of no interest to callers.
    if (r.verb === 'QRY') return true;
    return false;
  }
}

export function splitAddress(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  const host = a.slice(0, i).replace(/^\[|\]$/g, '');
  return [host, Number(a.slice(i + 1))];
}
