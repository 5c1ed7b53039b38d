import type { ScheduleOverlapPolicy, ScheduleSpec, ScheduleSpecDescription } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { formatDuration } from './format-duration';

// When and how a schedule starts runs, from the flags of `p2c schedule create`.

const duration = (what: string) =>
  z.string().refine(
    (text) => {
      try {
        return /^\d+(\.\d+)?\s*[a-z]+$/i.test(text.trim()) && msToNumber(text) > 0;
      } catch {
        return false;
      }
    },
    { error: `must be ${what} such as 30s, 15m, 2h or 1d` },
  );

const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be an IANA time zone such as Europe/Berlin or UTC' },
);

export const OVERLAP_POLICIES = {
  skip: 'SKIP',
  'buffer-one': 'BUFFER_ONE',
  'buffer-all': 'BUFFER_ALL',
  'cancel-other': 'CANCEL_OTHER',
  'terminate-other': 'TERMINATE_OTHER',
  'allow-all': 'ALLOW_ALL',
} as const satisfies Record<string, ScheduleOverlapPolicy>;

/** The flag value for a policy; the server's default (unspecified) is skip. */
export function overlapName(policy: ScheduleOverlapPolicy | undefined): string {
  return Object.entries(OVERLAP_POLICIES).find(([, value]) => value === policy)?.[0] ?? 'skip';
}

export const scheduleFlagsSchema = z
  .object({
    every: duration('an interval').optional(),
    cron: z.array(z.string().min(1)).optional(),
    timeZone: timeZone.optional(),
    jitter: duration('a duration').optional(),
    overlap: z
      .enum(Object.keys(OVERLAP_POLICIES) as [keyof typeof OVERLAP_POLICIES], { error: `must be one of ${Object.keys(OVERLAP_POLICIES).join(', ')}` })
      .default('skip'),
    catchupWindow: duration('a duration').default('10m'),
    pauseOnFailure: z.boolean().default(false),
    paused: z.boolean().default(false),
    note: z.string().optional(),
  })
  .refine((flags) => Boolean(flags.every) !== Boolean(flags.cron?.length), {
    error: 'give either --every or --cron (one of them)',
    path: ['every'],
  });

export type ScheduleFlags = z.output<typeof scheduleFlagsSchema>;

export function scheduleSpec(flags: ScheduleFlags): ScheduleSpec {
  return {
    ...(flags.every ? { intervals: [{ every: flags.every }] } : {}),
    ...(flags.cron?.length ? { cronExpressions: flags.cron } : {}),
    ...(flags.timeZone ? { timezone: flags.timeZone } : {}),
    ...(flags.jitter ? { jitter: flags.jitter } : {}),
  };
}

/** `every 15m`, `minute 0 hour 2 (Europe/Berlin)`: a schedule's times as operators wrote them. */
export function describeSpec(spec: ScheduleSpecDescription): string {
  const parts = [
    ...(spec.intervals ?? []).map((interval) => `every ${formatDuration(interval.every)}${interval.offset ? ` +${formatDuration(interval.offset)}` : ''}`),
    ...(spec.calendars ?? []).map((calendar) => {
      if (calendar.comment) return calendar.comment;
      const fields = (['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const).map(
        (field) => `${field} ${ranges(calendar[field] as readonly { start: unknown; end?: unknown; step?: number }[])}`,
      );
      return fields.filter((field) => !field.endsWith(' *')).join(' ');
    }),
  ];
  return `${parts.join('; ') || '(no times)'}${spec.timezone ? ` (${spec.timezone})` : ''}`;
}

function ranges(values: readonly { start: unknown; end?: unknown; step?: number }[]): string {
  if (values.length === 0) return '*';
  return values
    .map(({ start, end, step }) => `${String(start)}${end !== undefined && end !== start ? `-${String(end)}` : ''}${step && step > 1 ? `/${step}` : ''}`)
    .join(',');
}
