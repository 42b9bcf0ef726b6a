// The MIME message an OIM Store carries in `Content` (services.md §7.1):
// headers, a blank line, the text (base64 in practice). LF or CRLF line ends
// (COMPAT: Pidgin 2.11 writes LF, MSNPSharp 3.2.1 CRLF).

export interface OimContent {
  text: string;
  runId: string | undefined;
  seq: number | undefined;
}

/** The text and the run id / sequence number, or undefined when it cannot be read. */
export function parseOimContent(raw: string): OimContent | undefined {
  const norm = raw.replace(/\r\n/g, '\n').replace(/^\n+/, '');
  const split = norm.indexOf('\n\n');
  if (split < 0) return undefined;
  const headers = new Map<string, string>();
  for (const line of norm.slice(0, split).split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = norm.slice(split + 2);
  const encoding = (headers.get('content-transfer-encoding') ?? '8bit').toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') {
    const b64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) return undefined;
    bytes = Buffer.from(b64, 'base64');
  } else if (encoding === '7bit' || encoding === '8bit') {
    bytes = Buffer.from(body.replace(/\n$/, ''), 'utf8');
  } else {
    return undefined;
  }
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(headers.get('content-type') ?? '')?.[1] ?? 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const runId = /^\{?([0-9A-Fa-f-]{1,64})\}?$/.exec(headers.get('x-oim-run-id') ?? '')?.[1];
  const seqText = headers.get('x-oim-sequence-num');
  const seq = seqText !== undefined && /^\d{1,15}$/.test(seqText) ? Number(seqText) : undefined;
  return { text, runId, seq };
}
