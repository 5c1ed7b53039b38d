import { describe, expect, it } from 'vitest';
import type { RecordFailure } from '../../../src/domain/record-failure';
import { liveInputSchema } from '../../../src/workflows/live-input';
import { LiveState } from '../../../src/workflows/live-state';

const T0 = '2026-12-05T12:00:00.000Z';

function failure(index: number): RecordFailure {
  return { accountId: `id-${index}`, accountNumber: `ACC-${index}`, code: 'FNO_REJECTED', reason: `refused ${index}` };
}

function unit(created: number, updated: number, failures: RecordFailure[] = []) {
  const totals = { read: created + updated, created, updated, unchanged: 0, failed: failures.length, outOfScope: 0 };
  return { totals, companies: { usmf: { ...totals } }, failures };
}

describe('LiveState', () => {
  it('backs off from pollSeconds, doubling per failure in a row, up to maxBackoffSeconds, and recovers at once', () => {
    const state = new LiveState(liveInputSchema.parse({ pollSeconds: 10, maxBackoffSeconds: 60 }), 'run-1', T0);
    expect(state.backoffSeconds()).toBe(10);
    const waits = [1, 2, 3, 4, 5].map(() => {
      state.recordFailure({ type: 'ServiceUnavailable', message: 'Dataverse GET … 503' }, T0);
      return state.backoffSeconds();
    });
    expect(waits).toEqual([10, 20, 40, 60, 60]);
    expect(state.progress(Date.parse(T0) + 90_000)).toMatchObject({
      health: 'degraded',
      failingSince: T0,
      consecutiveFailures: 5,
      lastError: { type: 'ServiceUnavailable' },
    });
    expect(state.failingSeconds(Date.parse(T0) + 90_000)).toBe(90);
    state.completePoll({ link: 'L2', readAt: '2026-12-05T12:01:30.000Z', finishedAt: '2026-12-05T12:01:31.000Z', changes: { changed: 0, deactivated: 0, deleted: 0, unnumbered: 0 } });
    expect(state.progress(Date.parse(T0)).health).toBe('ok');
    expect(state.backoffSeconds()).toBe(10);
  });

  it('moves last change only when a poll saw one, and measures lag from the start of the last complete poll', () => {
    const state = new LiveState(liveInputSchema.parse({}), 'run-1', T0);
    state.completePoll({ link: 'L1', readAt: '2026-12-05T12:00:10.000Z', finishedAt: '2026-12-05T12:00:11.000Z', changes: { changed: 3, deactivated: 1, deleted: 0, unnumbered: 0 } });
    state.completePoll({ link: 'L2', readAt: '2026-12-05T12:00:20.000Z', finishedAt: '2026-12-05T12:00:20.500Z', changes: { changed: 0, deactivated: 0, deleted: 0, unnumbered: 0 } });
    const progress = state.progress(Date.parse('2026-12-05T12:00:27.000Z'));
    expect(progress.lastPollAt).toBe('2026-12-05T12:00:20.500Z');
    expect(progress.lastChangeAt).toBe('2026-12-05T12:00:11.000Z');
    expect(progress.lastChanges).toEqual({ changed: 3, deactivated: 1, deleted: 0, unnumbered: 0 });
    expect(progress.lagSeconds).toBe(7);
    expect(progress.counts).toMatchObject({ polls: 2, changesSeen: 4 });
    expect(state.link).toBe('L2');
  });

  it('counts warnings per code in progress, checkpoint and report, and carries them to a continuation', () => {
    const state = new LiveState(liveInputSchema.parse({}), 'run-1', T0);
    state.absorbUnit({ ...unit(1, 0), warningCounts: { TRUNCATED: 2 } });
    state.absorbUnit({ ...unit(0, 1), warningCounts: { TRUNCATED: 1, STATE_OMITTED: 1 } });
    state.absorbUnit(unit(0, 1));
    expect(state.progress(Date.parse(T0)).warnings).toEqual({ TRUNCATED: 3, STATE_OMITTED: 1 });
    const checkpoint = state.checkpoint();
    expect(checkpoint.warnings).toEqual({ TRUNCATED: 3, STATE_OMITTED: 1 });
    const next = new LiveState(liveInputSchema.parse({ checkpoint }), 'run-2', T0);
    next.absorbUnit({ ...unit(1, 0), warningCounts: { TRUNCATED: 1 } });
    expect(next.report({ workflowId: 'wf', finishedAt: T0, maxFailures: 10 }).warnings).toEqual({ TRUNCATED: 4, STATE_OMITTED: 1 });
    expect(new LiveState(liveInputSchema.parse({}), 'run-3', T0).checkpoint()).not.toHaveProperty('warnings');
  });

  it('keeps the newest failures only, and counts them all', () => {
    const state = new LiveState(liveInputSchema.parse({ maxFailuresKept: 3 }), 'run-1', T0);
    state.absorbUnit(unit(0, 1, [failure(1), failure(2)]));
    state.absorbUnit(unit(1, 0, [failure(3), failure(4), failure(5)]));
    const page = state.failuresPage(0, 10);
    expect(page.total).toBe(5);
    expect(page.items.map((f) => f.accountId)).toEqual(['id-3', 'id-4', 'id-5']);
    expect(state.totals).toMatchObject({ created: 1, updated: 1, failed: 5 });
  });

  it('hands its continuation everything it needs: the link, the catch-up position, counters, health and pause', () => {
    const first = new LiveState(liveInputSchema.parse({ pipeline: 'p1', pollSeconds: 5 }), 'run-1', T0);
    first.addCompanies(['usmf']);
    first.finishCatchUp('L1', T0);
    first.absorbUnit(unit(2, 3));
    first.absorbHolds({ totals: { blocked: 4, unblocked: 1 }, companies: {}, failures: [], scanned: { accounts: 0, customers: 0 } });
    first.absorbNumbering({ assigned: 6, failures: [], sequence: { nextSequence: 107, version: '5000' } });
    first.completePoll({ link: 'L2', readAt: '2026-12-05T12:00:05.000Z', finishedAt: '2026-12-05T12:00:06.000Z', changes: { changed: 5, deactivated: 4, deleted: 0, unnumbered: 6 } });
    first.recordFailure({ type: 'Timeout', message: 'syncWorkUnit timed out' }, '2026-12-05T12:00:10.000Z');
    first.paused = true;
    const checkpoint = first.checkpoint();
    // The checkpoint travels as the continuation's input: it must pass the same schema.
    const next = new LiveState(liveInputSchema.parse({ pipeline: 'p1', pollSeconds: 5, checkpoint }), 'run-2', '2026-12-05T13:00:00.000Z');
    expect(next.link).toBe('L2');
    expect(next.sequence).toEqual({ nextSequence: 107, version: '5000' });
    expect(next.catchUpDone).toBe(true);
    expect(next.paused).toBe(true);
    expect(next.startedAt).toBe(T0);
    expect(next.continuedAsNew).toBe(1);
    expect(next.checkpoint().lastRunId).toBe('run-2');
    expect(next.progress(Date.parse('2026-12-05T12:00:15.000Z'))).toMatchObject({
      health: 'degraded',
      consecutiveFailures: 1,
      lastChanges: { changed: 5, deactivated: 4, deleted: 0, unnumbered: 6 },
      totals: { created: 2, updated: 3 },
      companies: { usmf: { created: 2, updated: 3 } },
      counts: { polls: 1, changesSeen: 15, blocked: 4, unblocked: 1, accountNumbersAssigned: 6 },
      lagSeconds: 10,
    });
  });

  it('starts the feed again with a full pass when the link is lost, and carries a pass in progress', () => {
    const state = new LiveState(liveInputSchema.parse({}), 'run-1', T0);
    state.finishCatchUp('L1', T0);
    state.restartFeed('the change-tracking link expired');
    expect(state.link).toBeUndefined();
    expect(state.catchUpDone).toBe(false);
    state.catchUp = { link: 'L9', cursor: 'ACC-00100-AAAAAA', numbered: true, startedAt: T0 };
    const next = new LiveState(liveInputSchema.parse({ checkpoint: state.checkpoint() }), 'run-2', T0);
    expect(next.catchUp).toEqual({ link: 'L9', cursor: 'ACC-00100-AAAAAA', numbered: true, startedAt: T0 });
    expect(next.progress(Date.parse(T0)).catchUp).toEqual({ done: false, reason: 'the change-tracking link expired' });
    expect(next.progress(Date.parse(T0)).counts.deltaRestarts).toBe(1);
  });

  it('refuses poll intervals out of bounds, naming the field and the bounds', () => {
    const parsed = liveInputSchema.safeParse({ pollSeconds: 0 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['pollSeconds'], message: 'must be between 1 and 3600' });
    expect(liveInputSchema.safeParse({ pollSeconds: 3601 }).success).toBe(false);
    expect(liveInputSchema.safeParse({ pollSeconds: 2.5 }).success).toBe(false);
    expect(liveInputSchema.safeParse({ polSeconds: 5 }).success).toBe(false);
    expect(liveInputSchema.parse({}).pollSeconds).toBe(10);
  });
});
