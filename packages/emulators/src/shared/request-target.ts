/**
 * The path and query a `$batch` part's URL names: `new URL(url, base)`'s `pathname` and `search`. Every part of a
 * run names an absolute URL on the emulator's own origin in plain characters, whose path and query the parser would
 * leave exactly as written; those are sliced off without parsing (a URL parse per part was a visible share of a
 * batch's CPU). Anything else — relative, another origin, dot segments, characters the parser would encode or
 * drop — is parsed. Throws what `new URL` throws.
 */
export function requestTarget(url: string, base: string, origin: string): { pathname: string; search: string } {
  if (url.startsWith(origin) && url.charCodeAt(origin.length) === 47 /* / */ && PLAIN_ORIGIN.test(origin)) {
    const rest = url.slice(origin.length);
    const match = PLAIN_TARGET.exec(rest);
    if (match !== null) {
      const pathname = match[1] ?? '';
      if (!DOT_SEGMENT.test(pathname)) return { pathname, search: match[2] ?? '' };
    }
  }
  const parsed = new URL(url, base);
  return { pathname: parsed.pathname, search: parsed.search };
}

/** `http(s)://host[:port]`: the authority ends where the path starts. */
const PLAIN_ORIGIN = /^https?:\/\/[A-Za-z0-9.\-]+(?::\d+)?$/;
/**
 * A path of characters the parser keeps as they are, then a non-empty query without `'` (which it percent-encodes
 * for http) — an empty query would not be kept.
 */
const PLAIN_TARGET = /^(\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*)(\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]+)?$/;
/** `.` and `..` segments, and `%2e`, which the parser reads as a dot. */
const DOT_SEGMENT = /\/\.\.?(?:\/|$)|%2e/i;
