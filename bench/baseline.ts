// The physical baseline: what any relay must do (accept sockets, frame MSNP
// lines and payloads, forward bytes to the other members of a pre-formed
// group, acknowledge) and nothing of MSNP's bookkeeping: no sign-in check, no
// lists, no privacy, no state machine. msnpd's numbers are reported as ratios
// to this server's.
//
// Its dialect (bench only):
//   VER/INF/CVR/USR/CHG...  canned answers shaped like msnpd's (login scenarios);
//                           with BASELINE_TLS_CERT/KEY also the Passport pages
//                           (Nexus, login2.srf, RST.srf) on HTTPS, no password check
//   JOIN <group> <email>    join a group (a "conversation" or a watcher set)
//   MSG t A len + payload   forwarded to the group's other members as MSG email email len; ACK t
//   CHG t <status>          answered, and NLN <status> email email sent to the group's other members
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { Framer } from '../src/msnp/wire/framer.js';
import type { Command } from '../src/msnp/wire/command.js';

interface Conn {
  socket: net.Socket;
  email: string;
  group: Set<Conn> | undefined;
}

const groups = new Map<string, Set<Conn>>();
const PROFILE = Buffer.from(
  'MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: 1100000000\r\nEmailEnabled: 0\r\n' +
    'MemberIdHigh: 0\r\nMemberIdLow: 1\r\nlang_preference: 1033\r\npreferredEmail: x\r\ncountry: \r\nPostalCode: \r\nGender: \r\n' +
    'Kid: 0\r\nAge: \r\nBDayPre: \r\nBirthday: \r\nWallet: \r\nFlags: 1027\r\nsid: 507\r\nkv: 2\r\nMSPAuth: 0\r\n\r\n',
);

function handle(c: Conn, cmd: Command): void {
  const s = c.socket;
  const t = cmd.args[0];
  switch (cmd.verb) {
    case 'VER':
      s.write(`VER ${t} ${cmd.args[1]}\r\n`);
      return;
    case 'INF':
      s.write(`INF ${t} MD5\r\n`);
      return;
    case 'CVR':
      s.write(`CVR ${t} ${cmd.args[6]} ${cmd.args[6]} 1.0.0000 http://x/ http://x/\r\n`);
      return;
    case 'USR':
      if (cmd.args[2] === 'I') {
        c.email = cmd.args[3] ?? '';
        s.write(cmd.args[1] === 'TWN' ? `USR ${t} TWN S lc=1033,id=507,tw=40,fs=1,ct=1,kpp=1,kv=5,ver=2.1.0173.1,tpf=0\r\n` : `USR ${t} MD5 S 1013928519.693957190\r\n`);
      } else {
        s.cork();
        s.write(`USR ${t} OK ${c.email} ${c.email} 1\r\nMSG Hotmail Hotmail ${PROFILE.length}\r\n`);
        s.write(PROFILE);
        s.uncork();
      }
      return;
    case 'JOIN': {
      let g = groups.get(cmd.args[0]!);
      if (!g) groups.set(cmd.args[0]!, (g = new Set()));
      g.add(c);
      c.group = g;
      c.email = cmd.args[1] ?? c.email;
      s.write(`JOIN ${cmd.args[0]} OK\r\n`);
      return;
    }
    case 'MSG': {
      const payload = cmd.payload!;
      const head = `MSG ${c.email} ${c.email} ${payload.length}\r\n`;
      if (c.group) {
        for (const o of c.group) {
          if (o === c) continue;
          o.socket.cork();
          o.socket.write(head, 'latin1');
          o.socket.write(payload);
          process.nextTick(() => o.socket.uncork());
        }
      }
      if (cmd.args[1] === 'A' || cmd.args[1] === 'D') s.write(`ACK ${t}\r\n`);
      return;
    }
    case 'CHG': {
      s.write(`CHG ${t} ${cmd.args[1]}\r\n`);
      const line = `NLN ${cmd.args[1]} ${c.email} ${c.email}\r\n`;
      if (c.group) for (const o of c.group) if (o !== c) o.socket.write(line);
      return;
    }
    case 'PNG':
      s.write('QNG\r\n');
      return;
    default:
      s.write(`200 ${t ?? 0}\r\n`);
  }
}

const server = net.createServer({ noDelay: true }, (socket) => {
  const c: Conn = { socket, email: '', group: undefined };
  const framer = new Framer(
    { maxLineBytes: 8192, maxPayloadBytes: 65536, payloadVerbs: new Set(['MSG', 'QRY']) },
    { onCommand: (cmd) => handle(c, cmd), onFramingError: () => socket.destroy() },
  );
  socket.on('data', (d: Buffer) => framer.push(d));
  socket.on('error', () => socket.destroy());
  socket.on('close', () => c.group?.delete(c));
});
server.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(`baseline listening on ${(server.address() as net.AddressInfo).port}`);
});
if (process.env.BASELINE_TLS_CERT && process.env.BASELINE_TLS_KEY) {
  const web = https.createServer({ cert: fs.readFileSync(process.env.BASELINE_TLS_CERT), key: fs.readFileSync(process.env.BASELINE_TLS_KEY) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Length', '0');
      if (req.url?.includes('pprdr')) res.setHeader('PassportURLs', 'DARealm=Passport.Net,DALogin=login.passport.com/login2.srf,ConfigVersion=15');
      else res.setHeader('Authentication-Info', "Passport1.4 da-status=success,from-PP='t=baseline&p=x'");
      if (req.url?.includes('RST')) {
        const body = '<wsse:BinarySecurityToken Id="PPToken1">t=baseline&amp;p=x</wsse:BinarySecurityToken>';
        res.setHeader('Content-Length', String(body.length));
        res.end(body);
      } else {
        res.end();
      }
    });
  });
  web.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => console.log(`baseline https on ${(web.address() as net.AddressInfo).port}`));
}
process.on('SIGTERM', () => process.exit(0));
