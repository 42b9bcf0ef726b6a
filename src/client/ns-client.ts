// Our own notification-server client: version negotiation, sign-in (MD5 for
// MSNP2-7, following a dispatch redirect), list download, presence, and
// automatic challenge answers. Tests, benchmarks and bots build on it.
import { createHash } from 'node:crypto';
import { expectedAnswer } from '../msnp/challenges.js';
import { ClientError, MsnpConnection, type Received } from './connection.js';
import { SbClient } from './sb-client.js';

export interface NsClientOptions {
  host: string;
  port: number;
  /** Versions offered in VER, highest first (default MSNP7 down to MSNP2). */
  versions?: number[];
  /** Product id used to answer challenges (default the MSN 3.6-4.x one). */
  productId?: string;
  /** Answer CHL automatically (default true). */
  answerChallenges?: boolean;
  timeoutMs?: number;
}

export interface SyncResult {
  version: number;
  lines: Received[];
}

export class NsClient {
  conn!: MsnpConnection;
  version = 0;
  email = '';
  friendlyName = '';
  /** The host:port of the server actually signed in to (after a redirect). */
  address = '';
  private readonly opts: Required<Omit<NsClientOptions, 'host' | 'port'>> & { host: string; port: number };

  constructor(opts: NsClientOptions) {
    this.opts = {
      versions: [7, 6, 5, 4, 3, 2],
      productId: 'msmsgs@msnmsgr.com',
      answerChallenges: true,
      timeoutMs: 5000,
      ...opts,
    };
  }

  /** Connects and negotiates the version; returns the version chosen. */
  async connect(host = this.opts.host, port = this.opts.port): Promise<number> {
    this.conn = await MsnpConnection.connect(host, port, this.opts.timeoutMs);
    this.address = `${host}:${port}`;
    this.conn.intercept = (r) => this.onLine(r);
    const r = await this.conn.request('VER', [...this.opts.versions.map((v) => `MSNP${v}`), 'CVR0'], undefined, this.opts.timeoutMs);
    const chosen = /^MSNP(\d+)$/.exec(r.args[1] ?? '');
    if (!chosen) throw new ClientError(`no common protocol version (${r.line})`);
    this.version = Number(chosen[1]);
    return this.version;
  }

  /** Signs in with MD5 (MSNP2-7). Follows one XFR NS redirect. */
  async login(email: string, password: string): Promise<Received> {
    if (!this.conn) await this.connect();
    for (let hop = 0; hop < 2; hop++) {
      await this.conn.request('INF', [], undefined, this.opts.timeoutMs);
      const r = await this.conn.request('USR', ['MD5', 'I', email], undefined, this.opts.timeoutMs);
      if (r.verb === 'XFR') {
        const [host, port] = splitAddress(r.args[2]!);
        this.conn.close();
        await this.connect(host, port);
        continue;
      }
      const salt = r.args[3]!;
      const ok = await this.conn.request('USR', ['MD5', 'S', createHash('md5').update(salt + password, 'utf8').digest('hex')], undefined, this.opts.timeoutMs);
      this.email = ok.args[2]!;
      this.friendlyName = decodeURIComponent(ok.args[3] ?? '');
      return ok;
    }
    throw new ClientError('redirected more than once');
  }

  /** SYN with a cached version: resolves when the announced lists have arrived. */
  async sync(cached = 0): Promise<SyncResult> {
    const t = this.conn.send('SYN', [cached]);
    const head = await this.conn.waitFor((r) => r.verb === 'SYN' || (/^\d{3}$/.test(r.verb) && r.args[0] === String(t)), this.opts.timeoutMs, 'SYN');
    if (head.verb !== 'SYN') throw new ClientError(`SYN failed with ${head.verb}`, Number(head.verb));
    const version = Number(head.args[1]);
    const lines: Received[] = [];
    if (version === cached && version !== 0) return { version, lines };
    // Classic SYN ends with the RL list: its last LST line has index == count (or 0 0).
    for (;;) {
      const r = await this.conn.waitFor((x) => x.args[0] === String(t) || (x.verb === 'BPR' && x.args[0] === String(version)), this.opts.timeoutMs, 'list lines');
      lines.push(r);
      if (r.verb === 'LST' && r.args[1] === 'RL' && r.args[3] === r.args[4]) break;
    }
    return { version, lines };
  }

  /** CHG; on the first one the ILN lines follow (collect them with conn.take). */
  async setStatus(status: string): Promise<Received> {
    return this.conn.request('CHG', [status], undefined, this.opts.timeoutMs);
  }

  /** Asks for a switchboard, connects and authenticates; returns the open conversation. */
  async openChat(): Promise<SbClient> {
    const r = await this.conn.request('XFR', ['SB'], undefined, this.opts.timeoutMs);
    const [host, port] = splitAddress(r.args[2]!);
    const sb = await SbClient.connect(host, port, this.opts.timeoutMs);
    await sb.usr(this.email, r.args[4]!);
    return sb;
  }

  /** Waits for an invitation (RNG) and joins it. */
  async acceptInvitation(timeoutMs = this.opts.timeoutMs): Promise<{ sb: SbClient; roster: Received[] }> {
    const rng = await this.conn.expect('RNG', timeoutMs);
    const [host, port] = splitAddress(rng.args[1]!);
    const sb = await SbClient.connect(host, port, this.opts.timeoutMs);
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
