import { FilterParseError } from './errors';

export type TokenKind =
  | 'identifier'
  | 'string'
  | 'number'
  | 'guid'
  | 'datetime'
  | 'date'
  | 'enum'
  | '('
  | ')'
  | ','
  | '='
  | '['
  | ']'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier name, string content (quotes undone), number/GUID/date text, or enum member. */
  text: string;
  /** Enum literals only: the qualified type name before the quoted member. */
  typeName?: string;
  position: number;
}

// Sticky patterns, tried in this order at each position: a GUID can start with digits, and a date is digits too.
const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y;
const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const WORD_CHAR = /[A-Za-z0-9_.\-:]/;

const PUNCTUATION: ReadonlySet<string> = new Set(['(', ')', ',', '=', '[', ']']);

/** Splits filter text into tokens; the last token is always `eof`. Linear in the text length. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text[position] ?? '';
    if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      position += 1;
      continue;
    }
    if (PUNCTUATION.has(char)) {
      tokens.push({ kind: char as TokenKind, text: char, position });
      position += 1;
      continue;
    }
    if (char === "'") {
      const { value, end } = readString(text, position);
      tokens.push({ kind: 'string', text: value, position });
      position = end;
      continue;
    }
    const literal = matchLiteral(text, position);
    if (literal !== undefined) {
      tokens.push(literal.token);
      position = literal.end;
      continue;
    }
    IDENTIFIER.lastIndex = position;
    const identifier = IDENTIFIER.exec(text);
    if (identifier !== null) {
      const end = position + identifier[0].length;
      if (text[end] === "'") {
        // Enum literal: Namespace.Type'Member'
        const { value, end: stringEnd } = readString(text, end);
        tokens.push({ kind: 'enum', text: value, typeName: identifier[0], position });
        position = stringEnd;
      } else {
        tokens.push({ kind: 'identifier', text: identifier[0], position });
        position = end;
      }
      continue;
    }
    throw new FilterParseError(`Syntax error: character '${char}' is not valid at position ${position}.`, position);
  }
  tokens.push({ kind: 'eof', text: '', position: text.length });
  return tokens;
}

function matchLiteral(text: string, position: number): { token: Token; end: number } | undefined {
  for (const [pattern, kind] of [
    [GUID, 'guid'],
    [DATETIME, 'datetime'],
    [DATE, 'date'],
    [NUMBER, 'number'],
  ] as const) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null) continue;
    const end = position + match[0].length;
    const next = text[end];
    // `12abc` or a GUID with a tail is one malformed word, not a literal followed by something.
    if (next !== undefined && WORD_CHAR.test(next)) {
      if (kind === 'guid' || kind === 'number') {
        throw new FilterParseError(`Syntax error: '${text.slice(position, end + 1)}' is not a valid literal.`, position);
      }
      continue;
    }
    return { token: { kind, text: match[0], position }, end };
  }
  return undefined;
}

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let position = start + 1;
  for (;;) {
    const close = text.indexOf("'", position);
    if (close === -1) throw new FilterParseError(`Syntax error: unterminated string literal at position ${start}.`, start);
    value += text.slice(position, close);
    if (text[close + 1] === "'") {
      value += "'";
      position = close + 2;
      continue;
    }
    return { value, end: close + 1 };
  }
}
