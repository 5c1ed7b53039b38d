import { noRouteData } from './fno-http-error';

/**
 * Parses the inside of a key segment, `dataAreaId='usmf',CustomerAccount='O''X'` (percent-encoded as it came in
 * the URL): every key part named, values as OData string literals with doubled quotes. Anything else — an
 * unnamed value, a missing or repeated part, an unknown name — is F&O's 400 "No route data was found".
 */
export function parseKeySegment(encoded: string, keys: readonly string[]): Record<string, string> {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    throw noRouteData();
  }
  const values: Record<string, string> = {};
  let position = 0;
  while (position < text.length) {
    const equals = text.indexOf('=', position);
    if (equals < 0) throw noRouteData();
    const name = text.slice(position, equals).trim();
    if (!keys.includes(name) || Object.hasOwn(values, name)) throw noRouteData();
    let cursor = equals + 1;
    while (text[cursor] === ' ') cursor += 1;
    if (text[cursor] !== "'") throw noRouteData();
    let value = '';
    cursor += 1;
    for (;;) {
      if (cursor >= text.length) throw noRouteData();
      const char = text[cursor] as string;
      if (char === "'") {
        if (text[cursor + 1] === "'") {
          value += "'";
          cursor += 2;
          continue;
        }
        cursor += 1;
        break;
      }
      value += char;
      cursor += 1;
    }
    values[name] = value;
    while (text[cursor] === ' ') cursor += 1;
    if (cursor < text.length) {
      if (text[cursor] !== ',') throw noRouteData();
      cursor += 1;
      if (cursor >= text.length) throw noRouteData();
    }
    position = cursor;
  }
  if (keys.some((key) => !Object.hasOwn(values, key))) throw noRouteData();
  return values;
}
