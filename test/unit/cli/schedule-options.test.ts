import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/cli/schedule/format-duration';
import { describeSpec, overlapName, scheduleFlagsSchema, scheduleSpec } from '../../../src/cli/schedule/schedule-options';

function problems(flags: Record<string, unknown>): string[] {
  const parsed = scheduleFlagsSchema.safeParse(flags);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('schedule options', () => {
  it('defaults to overlap skip and a 10 minute catch-up window', () => {
    const flags = scheduleFlagsSchema.parse({ every: '15m' });
    expect(flags).toMatchObject({ overlap: 'skip', catchupWindow: '10m', pauseOnFailure: false, paused: false });
    expect(scheduleSpec(flags)).toEqual({ intervals: [{ every: '15m' }] });
  });

  it('turns cron, time zone and jitter into a spec', () => {
    const flags = scheduleFlagsSchema.parse({ cron: ['0 2 * * *', '30 14 * * 1-5'], timeZone: 'Europe/Berlin', jitter: '30s' });
    expect(scheduleSpec(flags)).toEqual({ cronExpressions: ['0 2 * * *', '30 14 * * 1-5'], timezone: 'Europe/Berlin', jitter: '30s' });
  });

  it('refuses missing or doubled times, bad durations, zones and policies', () => {
    expect(problems({})).toEqual(['every: give either --every or --cron (one of them)']);
    expect(problems({ every: '1h', cron: ['0 * * * *'] })).toEqual(['every: give either --every or --cron (one of them)']);
    expect(problems({ every: '15' })).toEqual(['every: must be an interval such as 30s, 15m, 2h or 1d']);
    expect(problems({ every: '0s' })).toEqual(['every: must be an interval such as 30s, 15m, 2h or 1d']);
    expect(problems({ every: '1h', catchupWindow: 'later' })).toEqual(['catchupWindow: must be a duration such as 30s, 15m, 2h or 1d']);
    expect(problems({ cron: ['0 2 * * *'], timeZone: 'Europe/Atlantis' })).toEqual(['timeZone: must be an IANA time zone such as Europe/Berlin or UTC']);
    expect(problems({ every: '1h', overlap: 'never' })[0]).toMatch(/^overlap: must be one of skip, buffer-one/);
  });

  it('describes intervals and calendars as operators wrote them', () => {
    expect(describeSpec({ intervals: [{ every: 900_000, offset: 60_000 }], timezone: 'UTC' })).toBe('every 15m +1m (UTC)');
    const calendar = {
      second: [{ start: 0, end: 0, step: 1 }],
      minute: [{ start: 30, end: 30, step: 1 }],
      hour: [{ start: 2, end: 2, step: 1 }],
      dayOfMonth: [],
      month: [],
      year: [],
      dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }],
      comment: '',
    } as unknown as NonNullable<Parameters<typeof describeSpec>[0]['calendars']>[number];
    expect(describeSpec({ calendars: [calendar] })).toBe('second 0 minute 30 hour 2 dayOfWeek MONDAY-FRIDAY');
    expect(describeSpec({})).toBe('(no times)');
  });

  it('names overlap policies by their flag values, unspecified being skip', () => {
    expect(overlapName('BUFFER_ONE')).toBe('buffer-one');
    expect(overlapName(undefined)).toBe('skip');
  });

  it('formats durations', () => {
    expect(formatDuration(900_000)).toBe('15m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_061_500)).toBe('1d1h1m1s500ms');
    expect(formatDuration(0)).toBe('0s');
  });
});
