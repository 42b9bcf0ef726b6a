// Replays a transcript file against a real server on loopback.
//
//   env: MSNPD_CHALLENGES=enforce    (optional) settings for this transcript's server
//   users: alice@example.com:secret:Alice bob@example.com:pw:Bob
//   alice: connect ns            open a connection (ns or sb) named "alice"
//   alice: login MSNP7           MSNP2-7: VER 1, INF 2, USR 3 MD5 I, USR 4 MD5 S;
//                                MSNP8+: VER 1, CVR 2, USR 3 TWN I, a ticket from
//                                login2.srf (RST.srf from MSNP12), USR 4 TWN S
//                                (SBS and the profile message are dropped)
//   alice: passport login2 {twn} ticket
//                                gets alice's Passport ticket over HTTPS from the test
//                                server's login2.srf (or `rst`: RST.srf), presenting
//                                this TWN challenge string; binds {ticket} (t=…&p=…)
//                                and {ticket_t} (the t= part, as in MSPAuth)
//   alice> SYN 5 0               send a line ({var} is substituted)
//     | payload text\r\n         payload of the line above (whose last token must be its length)
//     | [hex] 00 01 ff           payload bytes given in hex (binary P2P headers)
//   alice< SYN 5 {ver}           the next line alice receives must match:
//                                literal text, * for any token, {var} binds a
//                                variable on first use (also inside a token, as in
//                                C={guid}) and must equal it after
//     | expected payload         (optional) the payload received must equal this, byte
//                                for byte; {var} in it binds up to the end of its line
//   alice<~ CHL 0 {chl}          the next line matching this, wherever it falls among
//                                the lines alice has not read yet (lines the server
//                                sends on its own timer, such as CHL)
//   alice: sso {nonce} ticket    MSNP15+: alice's messengerclear.live.com token from the
//                                test server's RST2.srf (MSNPSharp 3.2.1's captured
//                                request); binds {ticket}, {ticket_t} and
//                                {ticket_response} (the MBI answer to this nonce)
//   alice: sso {nonce} ticket rst
//                                the same from RST.srf with WLM 8.5's request (Pidgin
//                                2.11 sends it too); both also bind {ticket_contacts},
//                                the contacts.msn.com token XML-escaped for a TicketToken
//   alice: rst tokens            WLM 8.5's RST.srf request alone (Messenger for Mac 8
//                                signs in with TWN on MSNP15/16): binds {tokens_messenger}
//                                (the messenger.msn.com ticket t=…&p=…), {tokens_messenger_t}
//                                and {tokens_contacts} (XML-escaped)
//   alice: soap <path> <Action> <body file> [text …]
//                                POSTs test/transcripts/soap/<body file> ({var}s
//                                substituted) over HTTPS with SOAPAction
//                                http://www.msn.com/webservices/AddressBook/<Action>: the
//                                answer must be 200 with <ActionResponse and each text
//   alice: closed                the server closes alice's connection
//   alice: quiet                 nothing unexpected is waiting for alice (PNG/QNG)
//   alice: drain                 drops whatever alice has received up to a PNG/QNG round
//                                trip (notification lines a transcript is not about)
//
// Variable names start with a letter; any other braces ({0}, {GUID}) are text.
// Built-in variables: {ns} and {sb} (host:port), {md5:<var>:<password>},
// {lockkey:<var>:<product id>} (the MSNP11+ answer to the challenge bound as <var>).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { MsnpConnection, type Received } from '../src/client/connection.js';
import { passportTicket } from '../src/client/passport.js';
import { expectedAnswer } from '../src/msnp/challenges.js';
import { computeSsoResponse } from '../src/core/sso-response.js';
import { HOST, sharedTls, type TestServer } from './helpers/server.js';
import { rst2For, rstFor, rstTokens } from './helpers/sso.js';
import { soapPost } from './helpers/soap.js';

type Segment = { text: string } | { bytes: Buffer };

interface Step {
  line: number;
  who: string;
  kind: '>' | '<' | '<~' | ':';
  text: string;
  payload?: Segment[];
}

export interface Transcript {
  env: Record<string, string>;
  users: [string, string, string][];
  steps: Step[];
}

export function parseTranscript(src: string): Transcript {
  const env: Record<string, string> = {};
  const users: [string, string, string][] = [];
  const steps: Step[] = [];
  src.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const pm = /^\s+\| ?(.*)$/.exec(line);
    if (pm) {
      const last = steps[steps.length - 1];
      if (!last) throw new Error(`line ${i + 1}: payload without a command`);
      const hex = /^\[hex\]((?:\s+[0-9a-fA-F]{2})+)\s*$/.exec(pm[1]!);
      (last.payload ??= []).push(hex ? { bytes: Buffer.from(hex[1]!.replace(/\s+/g, ''), 'hex') } : { text: pm[1]!.replace(/\\r/g, '\r').replace(/\\n/g, '\n') });
      return;
    }
    const em = /^env:\s*(.*)$/.exec(line);
    if (em) {
      for (const kv of em[1]!.trim().split(/\s+/)) {
        const eq = kv.indexOf('=');
        env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
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
    const m = /^([\w-]+)(>|<~|<|:)\s?(.*)$/.exec(line);
    if (!m) throw new Error(`line ${i + 1}: cannot read "${line}"`);
    steps.push({ line: i + 1, who: m[1]!, kind: m[2] as Step['kind'], text: m[3]!.trim() });
  });
  return { env, users, steps };
}

// A variable's name starts with a letter: other braces ({0}, GUIDs, product ids) are text.
const PLACEHOLDER = /\{([A-Za-z_]\w*(?::[^}]*)?)\}/g;
/** A regular expression source matching these characters literally (latin1 view of bytes). */
const literal = (s: string) => s.replace(/[^A-Za-z0-9 ]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

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
  /** The value of a placeholder, or undefined for a variable not bound yet. */
  const value = (v: string): string | undefined => {
    const md5 = /^md5:(\w+):(.*)$/.exec(v);
    if (md5) return createHash('md5').update((vars.get(md5[1]!) ?? '') + md5[2]!).digest('hex');
    const lk = /^lockkey:(\w+):(.*)$/.exec(v);
    if (lk) {
      const answer = expectedAnswer('lockkey', vars.get(lk[1]!) ?? '', lk[2]!);
      if (answer === undefined) throw new Error(`no product key for ${lk[2]}`);
      return answer;
    }
    return vars.get(v);
  };
  const subst = (s: string) =>
    s.replace(PLACEHOLDER, (_, v: string) => {
      const val = value(v);
      if (val === undefined) throw new Error(`unbound variable {${v}}`);
      return val;
    });
  const bytesOf = (segments: Segment[]) => Buffer.concat(segments.map((s) => ('bytes' in s ? s.bytes : Buffer.from(subst(s.text), 'utf8'))));
  /**
   * A pattern over the latin1 view of received bytes: literal text, * (one
   * token), bound variables as their value, unbound ones as captures (the first
   * occurrence binds, later ones must repeat it).
   */
  const compile = (segments: Segment[], anyToken: boolean, free: string) => {
    const names: string[] = [];
    let src = '';
    for (const seg of segments) {
      if ('bytes' in seg) {
        src += literal(seg.bytes.toString('latin1'));
        continue;
      }
      let at = 0;
      for (const m of seg.text.matchAll(PLACEHOLDER)) {
        src += lit(seg.text.slice(at, m.index));
        at = m.index! + m[0].length;
        const v = m[1]!;
        const val = value(v);
        if (val !== undefined) src += literal(latin1(val));
        else if (names.includes(v)) src += `\\${names.indexOf(v) + 1}`;
        else {
          if (!/^\w+$/.test(v)) throw new Error(`cannot bind {${v}}`);
          names.push(v);
          src += `(${free})`;
        }
      }
      src += lit(seg.text.slice(at));
    }
    return { re: new RegExp(`^${src}$`), names };
    function lit(s: string) {
      return anyToken ? s.split(/(?<=^| )\*(?= |$)/).map((p) => literal(latin1(p))).join('[^ ]+') : literal(latin1(s));
    }
  };
  const lineMatcher = (step: Step) => compile([{ text: step.text }], true, '[^ ]*');
  const matches = (got: Received, step: Step) => lineMatcher(step).re.test(Buffer.from(got.line, 'utf8').toString('latin1'));
  const bind = (m: RegExpExecArray | null, names: string[]) => names.forEach((n, i) => vars.set(n, Buffer.from(m![i + 1]!, 'latin1').toString('utf8')));
  const expectLine = (got: Received, step: Step) => {
    const where = `transcript line ${step.line}: expected "${step.text}", got "${got.line}"`;
    const { re, names } = lineMatcher(step);
    const m = re.exec(Buffer.from(got.line, 'utf8').toString('latin1'));
    assert.ok(m, where);
    bind(m, names);
    if (step.payload !== undefined) {
      const p = compile(step.payload, false, '[^\\r\\n]*');
      const body = (got.payload ?? Buffer.alloc(0)).toString('latin1');
      const pm = p.re.exec(body);
      assert.ok(pm, `${where}: the payload differs; received ${JSON.stringify(body)}`);
      bind(pm, p.names);
    }
  };
  const conn = (who: string, step: Step) => {
    const c = conns.get(who);
    if (!c) throw new Error(`line ${step.line}: ${who} has no connection`);
    return c;
  };
  const emailOf = (who: string, step: Step) => {
    // A second connection of the same user is named `alice-75`, `alice-sb`…
    const email = users.find(([e]) => e.startsWith(who.split('-')[0] + '@'))?.[0];
    if (!email) throw new Error(`line ${step.line}: no user for ${who}`);
    return email;
  };
  const passport = (email: string, method: 'login2' | 'rst', challenge: string) =>
    passportTicket({ host: HOST, port: t.server.ports.https!, ca: fs.readFileSync(sharedTls().ca), method }, email, passwords.get(email)!, challenge);

  try {
    for (const step of steps) {
      if (step.kind === ':') {
        const [what, ...args] = step.text.split(/\s+/);
        const arg = args[0];
        if (what === 'connect') {
          const port = arg === 'sb' ? t.sb : t.ns;
          conns.set(step.who, await MsnpConnection.connect(HOST, port));
        } else if (what === 'login') {
          const c = await MsnpConnection.connect(HOST, t.ns);
          conns.set(step.who, c);
          const email = emailOf(step.who, step);
          const version = Number(/^MSNP(\d+)$/.exec(arg ?? '')?.[1]);
          await c.request('VER', [arg!, 'CVR0']);
          if (version >= 8) {
            await c.request('CVR', ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', version >= 12 ? '7.5.0324' : '6.2.0208', 'msmsgs', email]);
            const twn = (await c.request('USR', ['TWN', 'I', email])).args[3]!;
            await c.request('USR', ['TWN', 'S', await passport(email, version >= 12 ? 'rst' : 'login2', twn)]);
            if (version >= 11) await c.expect('SBS');
          } else {
            await c.request('INF');
            const salt = (await c.request('USR', ['MD5', 'I', email])).args[3]!;
            await c.request('USR', ['MD5', 'S', createHash('md5').update(salt + passwords.get(email)).digest('hex')]);
          }
          await c.expect('MSG');
        } else if (what === 'passport') {
          const [method, challenge, bindAs] = args;
          if ((method !== 'login2' && method !== 'rst') || !challenge || !bindAs) throw new Error(`line ${step.line}: passport login2|rst <challenge> <ticket var>`);
          const ticket = await passport(emailOf(step.who, step), method, subst(challenge));
          vars.set(bindAs, ticket);
          vars.set(`${bindAs}_t`, /^t=([^&]*)/.exec(ticket)?.[1] ?? '');
        } else if (what === 'sso') {
          const [nonce, bindAs] = args;
          if (!nonce || !bindAs) throw new Error(`line ${step.line}: sso <nonce> <ticket var>`);
          const email = emailOf(step.who, step);
          const request = args[2] === 'rst' ? rstFor(email, passwords.get(email)!) : rst2For(email, passwords.get(email)!);
          const tokens = await rstTokens(t, request);
          const clear = tokens.find((x) => x.address === 'messengerclear.live.com' && x.secret);
          if (!clear) throw new Error(`line ${step.line}: no messengerclear.live.com token`);
          const { ticket, secret } = { ticket: clear.ticket, secret: clear.secret! };
          const contacts = tokens.find((x) => x.address === 'contacts.msn.com');
          if (contacts) vars.set(`${bindAs}_contacts`, contacts.ticket.replace(/&/g, '&amp;'));
          vars.set(bindAs, ticket);
          vars.set(`${bindAs}_t`, /^t=([^&]*)/.exec(ticket)?.[1] ?? '');
          vars.set(`${bindAs}_response`, computeSsoResponse(secret, subst(nonce)));
        } else if (what === 'rst') {
          if (!arg) throw new Error(`line ${step.line}: rst <var>`);
          const email = emailOf(step.who, step);
          const tokens = await rstTokens(t, rstFor(email, passwords.get(email)!));
          const messenger = tokens.find((x) => x.address === 'messenger.msn.com');
          const contacts = tokens.find((x) => x.address === 'contacts.msn.com');
          if (!messenger || !contacts) throw new Error(`line ${step.line}: no messenger.msn.com or contacts.msn.com token`);
          vars.set(`${arg}_messenger`, messenger.ticket);
          vars.set(`${arg}_messenger_t`, /^t=([^&]*)/.exec(messenger.ticket)?.[1] ?? '');
          vars.set(`${arg}_contacts`, contacts.ticket.replace(/&/g, '&amp;'));
        } else if (what === 'soap') {
          const [path, action, file, ...texts] = args;
          if (!path || !action || !file) throw new Error(`line ${step.line}: soap <path> <Action> <body file> [text …]`);
          const body = subst(fs.readFileSync(new URL(`../../test/transcripts/soap/${file}`, import.meta.url), 'utf8'));
          const res = await soapPost(t, { path, action: `http://www.msn.com/webservices/AddressBook/${action}`, body });
          const xml = res.body.toString('utf8');
          assert.equal(res.status, 200, `transcript line ${step.line}: ${action} answered ${res.status}: ${xml.slice(0, 400)}`);
          for (const want of [`<${action}Response`, ...texts.map(subst)]) assert.ok(xml.includes(want), `transcript line ${step.line}: ${action} lacks ${want}: ${xml.slice(0, 2000)}`);
        } else if (what === 'closed') {
          await conn(step.who, step).closedByPeer();
        } else if (what === 'drain') {
          const c = conn(step.who, step);
          c.sendLine(['PNG']);
          await c.expect('QNG');
          c.take();
        } else if (what === 'quiet') {
          const c = conn(step.who, step);
          c.sendLine(['PNG']);
          const next = await c.waitFor(() => true);
          assert.equal(next.line.split(' ')[0], 'QNG', `transcript line ${step.line}: ${step.who} received "${next.line}" unexpectedly`);
        } else {
          throw new Error(`line ${step.line}: unknown directive ${what}`);
        }
      } else if (step.kind === '>') {
        const line = subst(step.text);
        const c = conn(step.who, step);
        if (step.payload === undefined) {
          c.raw(line + '\r\n');
        } else {
          const body = bytesOf(step.payload);
          assert.equal(line.split(' ').pop(), String(body.length), `transcript line ${step.line}: payload is ${body.length} bytes`);
          c.raw(Buffer.concat([Buffer.from(line + '\r\n'), body]));
        }
      } else if (step.kind === '<~') {
        expectLine(await conn(step.who, step).waitFor((r) => matches(r, step), 5000, `line ${step.line}`), step);
      } else {
        expectLine(await conn(step.who, step).waitFor(() => true, 5000, `line ${step.line}`), step);
      }
    }
  } finally {
    for (const c of conns.values()) c.destroy();
  }
}
