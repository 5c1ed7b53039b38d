// Pure (bundled into workflows too): what of a result may go into a log line.

/** Enumerated words that describe a run without describing a record. */
const WORDS = new Set(['status', 'mode', 'phase']);

/** The numbers of a result, its lists' lengths, its counters (`totals`) and its status words — no keys, no values. */
export function countsOf(result: unknown): Record<string, unknown> {
  const counts: Record<string, unknown> = {};
  if (typeof result !== 'object' || result === null) return counts;
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === 'number' || typeof value === 'boolean') counts[key] = value;
    else if (typeof value === 'string' && WORDS.has(key) && /^[a-z-]{1,20}$/.test(value)) counts[key] = value;
    else if (Array.isArray(value)) counts[key] = value.length;
    else if (key === 'totals' && typeof value === 'object' && value !== null) {
      counts[key] = Object.fromEntries(Object.entries(value).filter(([, n]) => typeof n === 'number'));
    }
  }
  return counts;
}
