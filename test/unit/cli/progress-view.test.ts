import { describe, expect, it } from 'vitest';
import { progressFraction, renderProgressBar, renderProgressLine } from '../../../src/cli/sync/progress-view';
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
