import { z } from 'zod';

// Where an incremental run starts, as written in a run's input or carried by its checkpoint: a Dataverse row
// version (`version:<n>`, an int64 as Dataverse's RowVersion is) or an ISO-8601 date-time with its zone. Only
// strict forms pass: `Date.parse` alone accepted `x 1`, `-271821-04-20` and `2024-02-30` (rolled over to March).

const INT64_MAX = 9_223_372_036_854_775_807n;
const VERSION = /^version:(\d{1,19})$/;
// Date, `T`, hours and minutes, optional seconds and fraction, then `Z` or an offset: the zone is required, so the
// time cannot depend on the worker's own time zone.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
/** Years a modification time can sensibly name (Dataverse keeps no row older than this range). */
export const WATERMARK_YEARS = { min: 1900, max: 9999 } as const;

export function isVersionWatermark(text: string): boolean {
  const match = VERSION.exec(text);
  return match?.[1] !== undefined && BigInt(match[1]) <= INT64_MAX;
}

export function isStrictDateTime(text: string): boolean {
  const match = DATE_TIME.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) return false;
  if (year < WATERMARK_YEARS.min || year > WATERMARK_YEARS.max) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (match[7] !== 'Z') {
    const offsetHours = Number(match[8]);
    const offsetMinutes = Number(match[9]);
    if (offsetHours > 14 || offsetMinutes > 59) return false;
  }
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A Dataverse change-tracking delta link (`delta:<url>`), as a run's result gives it when Track changes is on. Only
 * its form is checked here; the activity that follows it refuses a link outside the organisation's `accounts` set
 * (the bearer token goes only to the configured service).
 */
const DELTA = /^delta:(https?:\/\/[^\s]+)$/;
export const MAX_DELTA_WATERMARK_LENGTH = 4096;

export function isDeltaWatermark(text: string): boolean {
  return text.length <= MAX_DELTA_WATERMARK_LENGTH && DELTA.test(text) && /[?&](\$|%24)deltatoken=/i.test(text);
}

/** The delta link of a `delta:<url>` watermark (check it with isDeltaWatermark first). */
export function deltaLinkOf(text: string): string {
  return text.slice('delta:'.length);
}

export function deltaWatermark(link: string): string {
  return `delta:${link}`;
}

export const watermarkTextSchema = z.string().refine((value) => isVersionWatermark(value) || isStrictDateTime(value) || isDeltaWatermark(value), {
  error:
    `must be an ISO-8601 date-time with its zone (years ${WATERMARK_YEARS.min}-${WATERMARK_YEARS.max}), such as "2024-05-01T00:00:00Z", ` +
    'a watermark "version:<n>" with n at most 9223372036854775807, or a delta link "delta:<url>" from an earlier result',
});

/**
 * The check of releases before the strict one, kept only so that histories those releases recorded replay the
 * same way (the workflow chooses it through `patched()`).
 */
export const legacyWatermarkTextSchema = z
  .string()
  .refine((value) => /^version:\d{1,19}$/.test(value) || !Number.isNaN(Date.parse(value)), {
    error: 'must be an ISO-8601 date-time or a watermark such as "version:123456"',
  });
