import { describe, expect, it } from 'vitest';
import { countersTable, describeHolds, progressFraction, renderProgressBar, renderProgressLine } from '../../../src/cli/sync/progress-view';
import type { SyncProgress } from '../../../src/workflows';

function progress(overrides: Partial<SyncProgress> = {}): SyncProgress {
  const totals = { read: 400, created: 300, updated: 50, unchanged: 20, failed: 30, outOfScope: 0 };
  return {
    pipeline: 'default',
    phase: 'syncing',
    dryRun: false,
    mode: 'full',
    paused: false,
    cancelRequested: false,
    totals,
    companies: { usmf: totals },
    unitsDone: 4,
    unitsInFlight: 2,
    unitsQueued: 2,
    planningDone: true,
    accountsScanned: 800,
    cursor: 'ACC-00400-AAAAAA',
    accountNumbersAssigned: 0,
    accountsPerSecond: 123.4,
    startedAt: '2026-01-01T00:00:00.000Z',
    continuedAsNew: 0,
    ...overrides,
  };
}

describe('progress', () => {
  it('counts finished units once planning has seen them all, and shows no percentage before', () => {
    expect(progressFraction(progress())).toBe(0.5);
    expect(progressFraction(progress({ planningDone: false }))).toBeUndefined();
    expect(progressFraction(progress({ planningDone: true, unitsDone: 0, unitsInFlight: 0, unitsQueued: 0 }))).toBe(1);
    expect(progressFraction(progress({ phase: 'done', planningDone: false }))).toBe(1);
  });

  it('counts accounts read when the total is known, never above 100%', () => {
    expect(progressFraction(progress({ planningDone: false }), 1000)).toBe(0.4);
    expect(progressFraction(progress(), 100)).toBe(1);
  });

  it('moves while the upgrade script numbers: its accounts count as work, so the bar never goes back after it', () => {
    const numbering = (assigned: number, done = false) => ({ assigned, toNumber: 400, done, perSecond: 50, ...(done ? {} : { etaSeconds: (400 - assigned) / 50 }) });
    const zero = { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 };
    const numberingPhase = (assigned: number) => progress({ phase: 'numbering', planningDone: false, totals: zero, companies: {}, numbering: numbering(assigned) });
    // The demo knows its 1,600 accounts: 400 to number plus 1,600 to read.
    expect(progressFraction(numberingPhase(0), 1600)).toBe(0);
    expect(progressFraction(numberingPhase(200), 1600)).toBe(0.1);
    expect(progressFraction(progress({ numbering: numbering(400, true) }), 1600)).toBe(0.4);
    // Without a known total: the numbering's own fraction while it runs.
    expect(progressFraction(numberingPhase(100))).toBe(0.25);
    expect(renderProgressBar(numberingPhase(200), 200, 1600)).toBe(`[${'█'.repeat(2)}${'░'.repeat(22)}]  10%  numbering   numbered 200 of 400  50/s  ETA 4 s`);
  });

  it('draws a bar fitted to the terminal width, with the phase and counts', () => {
    const bar = renderProgressBar(progress(), 200);
    expect(bar).toBe(`[${'█'.repeat(12)}${'░'.repeat(12)}]  50%  syncing     read 400  created 300  updated 50  unchanged 20  failed 30  123.4/s`);
    expect(renderProgressBar(progress(), 40)).toHaveLength(39);
    expect(renderProgressBar(progress({ planningDone: false }), 200)).toMatch(/^\[░{24}\] {2}\.\.\./);
    expect(renderProgressBar(progress({ paused: true }), 200)).toContain('paused');
    expect(renderProgressBar(progress({ cancelRequested: true }), 200)).toContain('cancelling');
  });

  it('prints a time-stamped line for logs', () => {
    expect(renderProgressLine(progress({ unitsDone: 1, unitsInFlight: 1, unitsQueued: 1 }), new Date('2026-01-01T12:34:56Z'))).toBe(
      '12:34:56  syncing  33%  read 400  created 300  updated 50  unchanged 20  failed 30  123.4/s',
    );
  });
});

describe('counters table', () => {
  const counters = (read: number, created: number, failed: number, outOfScope = 0) => ({ read, created, updated: 0, unchanged: 0, failed, outOfScope });
  const rows = (table: string) => table.split('\n').map((line) => line.trim().split(/\s{2,}/));

  it('shows the accounts refused before any company in a (no company) row, so the rows add up to the total', () => {
    const table = countersTable({ usmf: counters(1027, 917, 110), demf: counters(838, 760, 78) }, counters(1895, 1677, 218));
    expect(rows(table)).toContainEqual(['(no company)', '30', '0', '0', '0', '30', '0']);
    expect(rows(table).at(-1)).toEqual(['total', '1,895', '1,677', '0', '0', '218', '0']);
  });

  it('adds no such row when the companies account for everything', () => {
    const table = countersTable({ usmf: counters(10, 9, 1) }, counters(10, 9, 1));
    expect(table).not.toContain('(no company)');
  });
});

describe('holds', () => {
  const holds = { totals: { blocked: 3, unblocked: 1 }, companies: { usmf: { blocked: 2, unblocked: 1 }, demf: { blocked: 1, unblocked: 0 }, gbsi: { blocked: 0, unblocked: 0 } } };
  it('says how many customers were blocked and unblocked, per company that had any', () => {
    expect(describeHolds(holds, false)).toBe('3 blocked (OnHoldStatus All), 1 unblocked — usmf 2/1, demf 1/0 (blocked/unblocked)');
    expect(describeHolds({ totals: { blocked: 0, unblocked: 0 }, companies: { usmf: { blocked: 0, unblocked: 0 } } }, true)).toBe(
      '0 would be blocked (OnHoldStatus All), 0 would be unblocked',
    );
  });
});
