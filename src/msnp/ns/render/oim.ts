// Offline messages as the Hotmail side of the service showed them: the
// Mail-Data summary (NS sign-in message, the arrival notification and RSI
// GetMetadata share it) and the RFC 822 text RSI GetMessage returns.
// Shapes: services.md §7.2, flows.md §4 and §5.1, rsi_datatypes.xsd
// (MetadataMessage); client-quirks.md "Offline messages".
import type { OfflineMessage } from '../../../core/offline-messages.js';

/** More waiting messages than this and Mail-Data says `too-large`: the client asks RSI GetMetadata (NINA wiki, MSNP13 "Offline IM"). */
export const MAIL_DATA_INLINE_MAX = 25;

/** The quota part the service always sent (flows.md §4.1). */
const QUOTA = '<Q><QTM>409600</QTM><QNM>204800</QNM></Q>';
const INBOX = '<E><I>0</I><IU>0</IU><O>0</O><OU>0</OU></E>';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** RFC 2047 encoded word (MSNPSharp splits it on `?`; base64 holds none). */
export function encodedWord(s: string): string {
  return `=?utf-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

/** `12 Jun 2011 10:00:00 +0000`: no weekday (COMPAT: Pidgin 2.11 scans exactly this). */
export function oimDate(ms: number): string {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${mon} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** Base64 in 76-character lines, as mail bodies are written. */
function base64Lines(text: string): string {
  const b = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 76) lines.push(b.slice(i, i + 76));
  return lines.join('\n');
}

/**
 * GetMessageResult: headers and a base64 body with LF line ends, `From:` with
 * the address in `<…>`, `Content-Transfer-Encoding` (MSNPSharp decodes by it).
 */
export function oimMessageText(m: OfflineMessage, recipientEmail: string): string {
  return (
    [
      `From: ${encodedWord(m.senderName || m.senderEmail)} <${m.senderEmail}>`,
      `To: ${recipientEmail}`,
      'X-OIM-Message-Type: OfflineMessage',
      `X-OIM-Run-Id: {${m.runId}}`,
      `X-OIM-Sequence-Num: ${m.seq}`,
      'X-OIMProxy: MSNMSGR',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      `Date: ${oimDate(m.receivedAt)}`,
      `Message-ID: <${m.id}@msnpd>`,
      '',
      base64Lines(m.body),
    ].join('\n') + '\n'
  );
}

/** One `<M>` (element order of MetadataMessage): `RT` an xs:dateTime, `I` the GUID, `E` the sender. */
export function mailDataEntry(m: OfflineMessage, recipientEmail: string): string {
  const size = Buffer.byteLength(oimMessageText(m, recipientEmail), 'utf8');
  return (
    `<M><T>11</T><S>6</S><RT>${new Date(m.receivedAt).toISOString()}</RT><RS>0</RS><SZ>${size}</SZ>` +
    `<E>${esc(m.senderEmail)}</E><I>${m.id}</I><F>.!!OIM</F><N>${esc(encodedWord(m.senderName || m.senderEmail))}</N><SU> </SU></M>`
  );
}

/** The whole `<MD>` document (RSI GetMetadata puts it in the body as elements). */
export function mailDataXml(ms: readonly OfflineMessage[], recipientEmail: string): string {
  return `<MD>${INBOX}${QUOTA}${ms.map((m) => mailDataEntry(m, recipientEmail)).join('')}</MD>`;
}

/** The `Mail-Data:` header value: the document, or `too-large` when it would list too many. */
export function mailDataValue(ms: readonly OfflineMessage[], recipientEmail: string): string {
  return ms.length > MAIL_DATA_INLINE_MAX ? 'too-large' : mailDataXml(ms, recipientEmail);
}

const HOTMAIL_URLS = 'Inbox-URL: /cgi-bin/HoTMaiL\r\nFolders-URL: /cgi-bin/folders\r\nPost-URL: http://www.hotmail.com\r\n';

/** `MSG Hotmail Hotmail`, text/x-msmsgsinitialmdatanotification, after the first presence burst. */
export function initialMailDataMessage(mailData: string): string {
  return `MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8\r\n\r\nMail-Data: ${mailData}\r\n${HOTMAIL_URLS}\r\n`;
}

/** text/x-msmsgsoimnotification: one message arrived while the user is signed in (flows.md §5.1). */
export function oimNotificationMessage(m: OfflineMessage, recipientEmail: string): string {
  return `MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsoimnotification; charset=UTF-8\r\n\r\nMail-Data: <MD>${mailDataEntry(m, recipientEmail)}</MD>\r\n\r\n`;
}
