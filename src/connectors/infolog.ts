/**
 * F&O reports write validation failures as an Infolog flattened into one string inside the OData error's
 * `innererror.message`: `Write failed for table row of type '<Entity>'. Infolog: Warning: <text>.; Error: <text>.`
 * An entry's text may span lines; severities seen are Info (e.g. a duplicate key), Warning and Error.
 * This module turns that string into entries and recognises the validation problems a record can have.
 */

export type InfologProblem = 'not-found' | 'required' | 'too-long' | 'invalid-value' | 'duplicate' | 'update-conflict';

export interface InfologEntry {
  severity?: string;
  text: string;
  problem?: InfologProblem;
  /** The field's label as F&O shows it (e.g. `Customer group`), not the OData property name. */
  label?: string;
  value?: string;
  /** The related table for `not-found`, the table for `duplicate`. */
  table?: string;
}

interface Pattern {
  problem: InfologProblem;
  regex: RegExp;
  groups: { value?: number; label?: number; table?: number };
}

// Ordered: the first match wins. Values are matched lazily up to the next fixed phrase because F&O does not escape
// quotes inside them.
const PATTERNS: Pattern[] = [
  {
    problem: 'not-found',
    regex: /value '(.*?)' in field '(.+?)' is not found in the related table '(.+?)'/i,
    groups: { value: 1, label: 2, table: 3 },
  },
  { problem: 'required', regex: /field '(.+?)' must be filled in/i, groups: { label: 1 } },
  {
    problem: 'duplicate',
    regex: /cannot create a record in (.+?)\.(?:.*?)the record already exists/i,
    groups: { table: 1 },
  },
  { problem: 'duplicate', regex: /the record already exists/i, groups: {} },
  {
    problem: 'too-long',
    regex: /value '(.*?)' in field '(.+?)' (?:is too long|exceeds)/i,
    groups: { value: 1, label: 2 },
  },
  { problem: 'too-long', regex: /field '(.+?)'.*?(?:is too long|exceeds the maximum)/i, groups: { label: 1 } },
  {
    problem: 'invalid-value',
    regex: /value '(.*?)' (?:in field|is not (?:a )?valid (?:value )?for(?: the)? field) '(.+?)'(?: is not valid| is invalid)?/i,
    groups: { value: 1, label: 2 },
  },
  {
    problem: 'update-conflict',
    regex: /(?:cannot edit a record in (.+?)\.)?.*?the record has been updated by another user/i,
    groups: { table: 1 },
  },
];

const INFOLOG_MARKER = /Infolog:\s*/i;
const SEVERITY = /^(Info|Warning|Error)\s*:\s*/i;

/** Splits the Infolog part of an F&O write failure into entries; the text before `Infolog:` is not an entry. */
export function parseInfolog(message: string): InfologEntry[] {
  const marker = INFOLOG_MARKER.exec(message);
  const log = marker ? message.slice(marker.index + marker[0].length) : message;
  return splitEntries(log).map(parseEntry);
}

/** The first entry that names a recognised problem, which is the one that decided the write. */
export function firstProblem(entries: readonly InfologEntry[]): InfologEntry | undefined {
  return entries.find((entry) => entry.problem !== undefined);
}

function splitEntries(log: string): string[] {
  // Entries end with `.;` (or `;`) followed by the next severity; a `;` inside a value must not split.
  return log
    .split(/;\s*(?=(?:Info|Warning|Error)\s*:)/i)
    .map((part) => part.trim().replace(/;\s*$/, '').trim())
    .filter((part) => part !== '');
}

function parseEntry(raw: string): InfologEntry {
  const severityMatch = SEVERITY.exec(raw);
  // An entry can span lines (`…(CustTable). Customer account: X.\nThe record already exists..`): the break is
  // layout, not meaning, and the patterns below read one line.
  const text = (severityMatch ? raw.slice(severityMatch[0].length) : raw).replace(/\s*\r?\n\s*/g, ' ');
  const entry: InfologEntry = { text };
  if (severityMatch?.[1]) entry.severity = severityMatch[1];
  for (const pattern of PATTERNS) {
    const match = pattern.regex.exec(text);
    if (!match) continue;
    entry.problem = pattern.problem;
    const { value, label, table } = pattern.groups;
    if (value !== undefined && match[value] !== undefined) entry.value = match[value];
    if (label !== undefined && match[label] !== undefined) entry.label = match[label];
    if (table !== undefined && match[table] !== undefined) entry.table = match[table];
    break;
  }
  return entry;
}
