// User text inside MSNP tokens (friendly names, group names, phone numbers)
// is URL-encoded UTF-8. The core stores it decoded; fronts encode on output.

/** Decodes a token; a malformed escape is kept as it was rather than refused. */
export function urlDecode(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/** Encodes text so it fits in one token (spaces, %, control characters and non-ASCII escaped). */
export function urlEncode(text: string): string {
  return encodeURIComponent(text);
}
