// What a client gets right after its credentials are accepted, by version:
// the USR OK line, the login profile message (text/x-msmsgsprofile) and, from
// MSNP11, the initial mail summary. vectors.md §7, ns-msnp8-12 §3.6.
import type { VersionTraits } from '../../versions.js';
import { urlEncode } from '../../wire/urlcode.js';

/** `USR t OK …`: MSNP2-5 email name; 6-7 + verified; 8-9 + verified, restricted; 10+ the name moves to PRP MFN. */
export function usrOk(v: VersionTraits, trid: number, email: string, friendlyName: string): string {
  const name = urlEncode(friendlyName);
  const rest = v.abch ? `${email} 1 0` : v.auth === 'TWN' ? `${email} ${name} 1 0` : v.usrOkVerified ? `${email} ${name} 1` : `${email} ${name}`;
  return `USR ${trid} OK ${rest}`;
}

export interface ProfileFacts {
  accountId: number;
  email: string;
  /** The `t=` part of the Passport ticket (0 for MD5 sign-ins). */
  mspAuth: string;
  loginTime: number;
  clientIp: string;
  clientPort: number;
}

/** The body of the login profile message. */
export function profileMessage(v: VersionTraits, f: ProfileFacts): string {
  const lines = ['MIME-Version: 1.0', 'Content-Type: text/x-msmsgsprofile; charset=UTF-8', `LoginTime: ${f.loginTime}`];
  if (v.fullProfile) {
    lines.push(
      'EmailEnabled: 0', 'MemberIdHigh: 0', `MemberIdLow: ${f.accountId}`, 'lang_preference: 1033', `preferredEmail: ${f.email}`,
      'country: ', 'PostalCode: ', 'Gender: ', 'Kid: 0', 'Age: ', 'BDayPre: ', 'Birthday: ', 'Wallet: ',
      'Flags: 1027', 'sid: 507', 'kv: 5', `MSPAuth: ${f.mspAuth}`,
    );
  }
  if (v.profileClientAddress) {
    // ClientPort is written byte-swapped, as the original service did (vectors.md §7).
    lines.push(`ClientIP: ${f.clientIp}`, `ClientPort: ${((f.clientPort & 0xff) << 8) | (f.clientPort >> 8)}`);
  }
  if (v.abch) lines.push('ABCHMigrated: 1');
  return lines.join('\r\n') + '\r\n\r\n';
}

/** The Hotmail summary MSNP11-12 clients expect after the first presence burst: no mail, no offline messages. */
export function initialMailData(v: VersionTraits): string | undefined {
  if (!v.sbs) return undefined;
  return (
    'MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8\r\n\r\n' +
    'Mail-Data: <MD><E><I>0</I><IU>0</IU><O>0</O><OU>0</OU></E><Q><QTM>409600</QTM><QNM>204800</QNM></Q></MD>\r\n' +
    'Inbox-URL: /cgi-bin/HoTMaiL\r\nFolders-URL: /cgi-bin/folders\r\nPost-URL: http://www.hotmail.com\r\n\r\n'
  );
}
