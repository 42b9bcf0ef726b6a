// Replays a transcript file against a real server on loopback.
//
//   users: alice@example.com:secret:Alice bob@example.com:pw:Bob
//   alice: connect ns            open a connection (ns or sb) named "alice"
//   alice: login MSNP7           VER 1, INF 2, USR 3 I, USR 4 S (profile dropped)
//   alice> SYN 5 0               send a line ({var} is substituted)
//     | payload text\r\n         payload of the line above (whose last token must be its length)
//   alice< SYN 5 {ver}           the next line alice receives must match:
//                                literal tokens, * for any token, {var} binds a
//                                variable on first use and must equal it after
//     | expected payload         (optional) the payload received must equal this
//   alice: closed                the server closes alice's connection
//   alice: quiet                 nothing unexpected is waiting for alice (PNG/QNG)
//
// Built-in variables: {ns} and {sb} (host:port), {md5:<var>:<password>}.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MsnpConnection, type Received } from '../src/client/connection.js';
import { HOST, type TestServer } from './helpers/server.js';

interface Step {
  line: number;
  who: string;
  kind: '>' | '<' | ':';
  text: string;
  payload?: string;
}

export function parseTranscript(src: string): { users: [string, string, string][]; steps: Step[] } {
  const users: [string, string, string][] = [];
  const steps: Step[] = [];
  src.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const pm = /^\s+\| ?(.*)$/.exec(line);
    if (pm) {
      const last = steps[steps.length - 1];
      if (!last) throw new Error(`line ${i + 1}: payload without a command`);
      last.payload = (last.payload ?? '') + pm[1]!.replace(/\\r/g, '\r').replace(/\\n/g, '\n');
      return;
    }
    const um = /^users:\s*(.*)$/.exec(line);
    if (um) {
      for (const u of um[1]!.trim().split(/\s+/)) {
        const [email, pw, ...name] = u.split(':');
        users.push([email!, pw!, name.join(':').replace(/_/g, ' ')]);
      }
      return;
    }
    const m = /^([\w-]+)(>|<|:)\s?(.*)$/.exec(line);
    if (!m) throw new Error(`line ${i + 1}: cannot read "${line}"`);
    steps.push({ line: i + 1, who: m[1]!, kind: m[2] as Step['kind'], text: m[3]!.trim() });
  });
  return { users, steps };
}

export async function runTranscript(src: string, t: TestServer): Promise<void> {
  const { users, steps } = parseTranscript(src);
  const passwords = new Map<string, string>();
  for (const [email, pw, name] of users) {
    await t.user(email, pw, name || undefined);
    passwords.set(email, pw);
  }
  const vars = new Map<string, string>([
    ['ns', `${HOST}:${t.ns}`],
    ['sb', `${HOST}:${t.sb}`],
  ]);
  const conns = new Map<string, MsnpConnection>();
  const subst = (s: string) =>
    s.replace(/\{([^}]+)\}/g, (_, v: string) => {
      const md5 = /^md5:(\w+):(.*)$/.exec(v);
      if (md5) return createHash('md5').update((vars.get(md5[1]!) ?? '') + md5[2]!).digest('hex');
      const val = vars.get(v);
      if (val === undefined) throw new Error(`unbound variable {${v}}`);
      return val;
    });
  const conn = (who: string, step: Step) => {
    const c = conns.get(who);
    if (!c) throw new Error(`line ${step.line}: ${who} has no connection`);
    return c;
  };
  const expectLine = (got: Received, step: Step) => {
    const want = step.text.split(' ');
    const have = got.line.split(' ');
    const where = `transcript line ${step.line}: expected "${step.text}", got "${got.line}"`;
    assert.equal(have.length, want.length, where);
    want.forEach((w, i) => {
      const h = have[i]!;
      if (w === '*') return;
      const v = /^\{(\w+)\}$/.exec(w);
      if (v) {
        const bound = vars.get(v[1]!);
        if (bound === undefined) vars.set(v[1]!, h);
        else assert.equal(h, bound, where);
        return;
      }
      assert.equal(h, subst(w), where);
    });
    if (step.payload !== undefined) assert.equal(got.payload?.toString('utf8'), subst(step.payload), `${where} (payload)`);
  };

  try {
    for (const step of steps) {
      if (step.kind === ':') {
        const [what, arg] = step.text.split(/\s+/);
        if (what === 'connect') {
          const port = arg === 'sb' ? t.sb : t.ns;
          conns.set(step.who, await MsnpConnection.connect(HOST, port));
        } else if (what === 'login') {
          const c = await MsnpConnection.connect(HOST, t.ns);
          conns.set(step.who, c);
          const email = users.find(([e]) => e.startsWith(step.who + '@'))?.[0];
          if (!email) throw new Error(`line ${step.line}: no user for ${step.who}`);
          await c.request('VER', [arg!, 'CVR0']);
          await c.request('INF');
          const salt = (await c.request('USR', ['MD5', 'I', email])).args[3]!;
          await c.request('USR', ['MD5', 'S', createHash('md5').update(salt + passwords.get(email)).digest('hex')]);
          await c.expect('MSG');
        } else if (what === 'closed') {
          await conn(step.who, step).closedByPeer();
        } else if (what === 'quiet') {
          const c = conn(step.who, step);
          c.sendLine(['PNG']);
          const next = await c.waitFor(() => true);
          assert.equal(next.line, 'QNG', `transcript line ${step.line}: ${step.who} received "${next.line}" unexpectedly`);
        } else {
          throw new Error(`line ${step.line}: unknown directive ${what}`);
        }
      } else if (step.kind === '>') {
        const line = subst(step.text);
        const c = conn(step.who, step);
        if (step.payload === undefined) {
          c.raw(line + '\r\n');
        } else {
          const body = Buffer.from(subst(step.payload), 'utf8');
          assert.equal(line.split(' ').pop(), String(body.length), `transcript line ${step.line}: payload is ${body.length} bytes`);
          c.raw(Buffer.concat([Buffer.from(line + '\r\n'), body]));
        }
      } else {
        expectLine(await conn(step.who, step).waitFor(() => true, 5000, `line ${step.line}`), step);
      }
    }
  } finally {
    for (const c of conns.values()) c.destroy();
  }
}
