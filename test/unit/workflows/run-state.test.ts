import { describe, expect, it } from 'vitest';
import type { SyncWorkUnitResult } from '../../../src/activities/contracts';
import type { RecordFailure, RecordWarning } from '../../../src/domain/record-failure';
import { CARRIED_FAILURES, CARRIED_WARNINGS, KEPT_FAILURES, RunState, unitEnd } from '../../../src/workflows/run-state';
import { syncInputSchema, type SyncInput } from '../../../src/workflows/sync-input';

const T0 = '2026-01-01T00:00:00.000Z';
const T0_MS = Date.parse(T0);

function stateFor(input: SyncInput, runId = 'run-1', now = T0): RunState {
  return new RunState({ options: syncInputSchema.parse(input), runId, now });
}

function failure(accountId: string, code: RecordFailure['code'] = 'TOO_LONG'): RecordFailure {
  return { accountId, company: 'usmf', code, reason: `Account (${accountId}) for company 'usmf': too long` };
}

const unitA: SyncWorkUnitResult = {
  totals: { read: 3, created: 1, updated: 1, unchanged: 0, failed: 1, outOfScope: 0 },
  companies: {
    usmf: { read: 2, created: 1, updated: 0, unchanged: 0, failed: 1, outOfScope: 0 },
    demf: { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0, outOfScope: 0 },
  },
  failures: [failure('a-1')],
};

const unitB: SyncWorkUnitResult = {
  totals: { read: 2, created: 0, updated: 0, unchanged: 1, failed: 0, outOfScope: 1 },
  companies: { usmf: { read: 2, created: 0, updated: 0, unchanged: 1, failed: 0, outOfScope: 1 } },
  failures: [],
};

describe('RunState', () => {
  it('starts empty and undecided, and sums unit results into totals and per-company counters', () => {
    const state = stateFor({ pipeline: 'nightly' });
    state.addCompanies(['usmf', 'demf', 'gbsi']);
    state.absorbUnit(unitA);
    state.absorbUnit(unitB);
    expect(state.progress({ inFlight: 2, queued: 5 }, T0_MS + 10_000)).toEqual({
      pipeline: 'nightly',
      phase: 'starting',
      dryRun: false,
      mode: 'undecided',
      paused: false,
      cancelRequested: false,
      totals: { read: 5, created: 1, updated: 1, unchanged: 1, failed: 1, outOfScope: 1 },
      companies: {
        usmf: { read: 4, created: 1, updated: 0, unchanged: 1, failed: 1, outOfScope: 1 },
        demf: { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0, outOfScope: 0 },
        gbsi: { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 },
      },
      unitsDone: 2,
      unitsInFlight: 2,
      unitsQueued: 5,
      planningDone: false,
      accountsScanned: 0,
      cursor: null,
      accountNumbersAssigned: 0,
      warnings: { total: 0, byCode: {} },
      accountsPerSecond: 0.5,
      startedAt: T0,
      continuedAsNew: 0,
    });
  });

  it('a progress answer is a copy: later results do not change an answer already given', () => {
    const state = stateFor({});
    state.addCompanies(['usmf']);
    const before = state.progress({ inFlight: 0, queued: 0 }, T0_MS);
    state.absorbUnit(unitB);
    expect(before.totals.read).toBe(0);
    expect(before.companies.usmf?.read).toBe(0);
    expect(before.accountsPerSecond).toBe(0);
  });

  it('numbering figures and failures come from the numbering result; planning moves scanned and done', () => {
    const state = stateFor({});
    state.decideMode({ mode: 'incremental', since: 'version:41' });
    state.absorbNumbering(
      { assigned: 7, wouldAssign: 2, renumbered: 1, duplicateGroups: 1, duplicateAccounts: 2, failures: [failure('n-1', 'NUMBERING_FAILED')] },
      12.5,
    );
    state.absorbPlanning({ units: [], cursor: 'ACC-9', done: false, scanned: 300 });
    state.absorbPlanning({ units: [], cursor: null, done: true, scanned: 20 });
    const progress = state.progress({ inFlight: 0, queued: 0 }, T0_MS);
    expect(progress.mode).toBe('incremental');
    expect(progress.accountNumbersAssigned).toBe(7);
    expect(progress.accountsScanned).toBe(320);
    expect(progress.planningDone).toBe(true);
    expect(state.failuresPage()).toEqual({ total: 1, available: 1, offset: 0, items: [failure('n-1', 'NUMBERING_FAILED')] });
    expect(state.numbering).toEqual({ assigned: 7, wouldAssign: 2, renumbered: 1, duplicateGroups: 1 });
    expect(state.numberingSeconds).toBe(12.5);
  });

  it('numbering in chunks: the progress shows assigned so far, the rate and the time left; failures of each chunk once', () => {
    const state = stateFor({});
    state.phase = 'numbering';
    const chunk = (assigned: number, done: boolean, failures: RecordFailure[] = []) => ({
      assigned,
      wouldAssign: 0,
      renumbered: 0,
      duplicateGroups: 2,
      duplicateAccounts: 4,
      failures,
      toNumber: 7600,
      done,
    });
    expect(state.progress({ inFlight: 0, queued: 0 }, T0_MS).numbering).toBeUndefined();
    state.absorbNumberingChunk(chunk(1000, false, [failure('n-1', 'NUMBERING_FAILED')]), T0_MS, T0_MS + 10_000);
    expect(state.progress({ inFlight: 0, queued: 0 }, T0_MS + 10_000)).toMatchObject({
      accountNumbersAssigned: 1000,
      numbering: { assigned: 1000, toNumber: 7600, done: false, perSecond: 100, etaSeconds: 66 },
    });
    state.absorbNumberingChunk(chunk(7600, true), T0_MS, T0_MS + 40_000);
    const done = state.progress({ inFlight: 0, queued: 0 }, T0_MS + 40_000);
    expect(done.numbering).toEqual({ assigned: 7600, toNumber: 7600, done: true, perSecond: 190 });
    expect(state.numbering).toEqual({ assigned: 7600, wouldAssign: 0, renumbered: 0, duplicateGroups: 2 });
    expect(state.numberingSeconds).toBe(40);
    expect(state.failuresPage().total).toBe(1);
  });

  it('the cursor moves past each started unit: to a range\'s end, to a key list\'s last key', () => {
    const state = stateFor({});
    state.startUnit({ kind: 'range', after: null, upTo: 'ACC-100', expected: 100 });
    expect(state.cursor).toBe('ACC-100');
    state.startUnit({ kind: 'keys', keys: ['ACC-150', 'ACC-170'] });
    expect(state.cursor).toBe('ACC-170');
    // The last range, open at the end, keeps its start; a key list of invalid numbers only keeps the cursor.
    expect(unitEnd({ kind: 'range', after: 'ACC-170', upTo: null, expected: 3 }, 'ACC-170')).toBe('ACC-170');
    expect(unitEnd({ kind: 'keys', keys: [], accountIds: ['x'] }, 'ACC-170')).toBe('ACC-170');
  });

  it('writes a checkpoint a continuation starts from, and the continuation carries on from it', () => {
    const first = stateFor({ pipeline: 'p1', dryRun: true }, 'run-1', T0);
    first.addCompanies(['usmf']);
    first.decideMode({ mode: 'full' });
    first.nextWatermark = 'version:77';
    first.startUnit({ kind: 'range', after: null, upTo: 'ACC-3', expected: 3 });
    first.absorbUnit({
      ...unitA,
      plan: [
        { company: 'usmf', accountId: 'a-2', accountNumber: 'ACC-2', action: 'create' },
        { company: 'demf', accountId: 'a-3', accountNumber: 'ACC-3', action: 'update', fields: [{ field: 'Name', from: 'Old', to: 'New' }] },
      ],
    });
    const checkpoint = first.checkpoint('cfg-1');
    expect(checkpoint).toEqual({
      mode: 'full',
      fallbackReason: undefined,
      since: undefined,
      nextWatermark: 'version:77',
      cursor: 'ACC-3',
      unitsDone: 1,
      totals: { read: 3, created: 1, updated: 1, unchanged: 0, failed: 1, outOfScope: 0 },
      companies: {
        usmf: { read: 2, created: 1, updated: 0, unchanged: 0, failed: 1, outOfScope: 0 },
        demf: { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0, outOfScope: 0 },
      },
      numbering: { assigned: 0, wouldAssign: 0, renumbered: 0, duplicateGroups: 0 },
      failures: [failure('a-1')],
      failuresTotal: 1,
      plan: [
        { company: 'usmf', accountId: 'a-2', accountNumber: 'ACC-2', action: 'create' },
        { company: 'demf', accountId: 'a-3', accountNumber: 'ACC-3', action: 'update', fields: [{ field: 'Name', from: 'Old', to: 'New' }] },
      ],
      planTotals: { wouldCreate: 1, wouldUpdate: 1 },
      configVersion: 'cfg-1',
      startedAt: T0,
      firstRunId: 'run-1',
      previousRunIds: ['run-1'],
      numberingSeconds: 0,
    });

    // The checkpoint passes the input schema (it is the continuation's input), and the continuation resumes from it.
    const second = stateFor({ pipeline: 'p1', dryRun: true, checkpoint }, 'run-2', '2026-01-01T00:05:00.000Z');
    expect(second.isContinuation).toBe(true);
    expect(second.cursor).toBe('ACC-3');
    expect(second.startedAt).toBe(T0);
    second.absorbUnit(unitB);
    expect(second.checkpoint('cfg-1')).toMatchObject({
      unitsDone: 2,
      totals: { read: 5, created: 1, updated: 1, unchanged: 1, failed: 1, outOfScope: 1 },
      firstRunId: 'run-1',
      previousRunIds: ['run-1', 'run-2'],
    });
    expect(second.progress({ inFlight: 0, queued: 0 }, T0_MS).continuedAsNew).toBe(1);
    // The first execution's checkpoint is not changed by the continuation's work.
    expect(checkpoint.totals.read).toBe(3);
  });

  it('carries at most CARRIED_FAILURES failures, but counts them all', () => {
    const state = stateFor({});
    const many = Array.from({ length: 600 }, (_, i) => failure(`f-${i}`));
    state.absorbUnit({ ...unitB, failures: many });
    const checkpoint = state.checkpoint('cfg');
    expect(CARRIED_FAILURES).toBe(500);
    expect(checkpoint.failures).toHaveLength(500);
    expect(checkpoint.failures[499]?.accountId).toBe('f-499');
    expect(checkpoint.failuresTotal).toBe(600);
    expect(state.failuresPage(595, 100)).toMatchObject({ total: 600, available: 600, offset: 595 });
    expect(state.failuresPage(595, 100).items.map((f) => f.accountId)).toEqual(['f-595', 'f-596', 'f-597', 'f-598', 'f-599']);
  });

  it('keeps the first 10,000 failures of an execution in memory and counts the rest; the result lists the same first ones', () => {
    const state = stateFor({ maxFailuresInResult: 10_000 });
    // Twelve units of 1,000 failures each: 12,000 failures, of which the first 10,000 are kept.
    for (let unit = 0; unit < 12; unit += 1) {
      state.absorbUnit({ ...unitB, failures: Array.from({ length: 1000 }, (_, i) => failure(`u${unit}-${i}`)) });
    }
    expect(KEPT_FAILURES).toBe(10_000);
    expect(state.failuresPage(9_998, 5)).toEqual({ total: 12_000, available: 10_000, offset: 9_998, items: [failure('u9-998'), failure('u9-999')] });
    const report = state.report({ workflowId: 'wf', configVersion: 'cfg', finishedAt: T0 });
    expect(report.failures.total).toBe(12_000);
    expect(report.failures.truncated).toBe(true);
    expect(report.failures.shown[0]).toEqual(failure('u0-0'));
    expect(report.failures.shown.length).toBeLessThanOrEqual(10_000);
  });

  it('reports a completed run: watermark moves to the next one, timings from the start', () => {
    const state = stateFor({ pipeline: 'nightly', maxFailuresInResult: 1 });
    state.decideMode({ mode: 'incremental', since: 'version:10' });
    state.nextWatermark = 'version:20';
    state.absorbNumbering({ assigned: 1, wouldAssign: 0, renumbered: 0, duplicateGroups: 0, duplicateAccounts: 0, failures: [] }, 2);
    state.absorbUnit(unitA);
    state.absorbUnit({ ...unitB, failures: [failure('b-1')] });
    expect(state.report({ workflowId: 'wf-1', configVersion: 'cfg-9', finishedAt: '2026-01-01T00:00:04.000Z' })).toEqual({
      pipeline: 'nightly',
      workflowId: 'wf-1',
      firstRunId: 'run-1',
      status: 'completed',
      dryRun: false,
      mode: 'incremental',
      configVersion: 'cfg-9',
      totals: { read: 5, created: 1, updated: 1, unchanged: 1, failed: 1, outOfScope: 1 },
      companies: {
        usmf: { read: 4, created: 1, updated: 0, unchanged: 1, failed: 1, outOfScope: 1 },
        demf: { read: 1, created: 0, updated: 1, unchanged: 0, failed: 0, outOfScope: 0 },
      },
      accountNumbers: { assigned: 1, wouldAssign: 0, renumbered: 0, duplicateGroups: 0 },
      failures: { total: 2, shown: [failure('a-1')], truncated: true },
      warnings: { total: 0, byCode: {}, shown: [], truncated: false },
      watermark: { since: 'version:10', next: 'version:20' },
      timings: { startedAt: T0, finishedAt: '2026-01-01T00:00:04.000Z', seconds: 4, numberingSeconds: 2, accountsPerSecond: 1.3 },
      continuedAsNew: 0,
    });
  });

  it('a cancelled run keeps its start watermark as the next; a retry of selected accounts and a dry run move none', () => {
    const cancelled = stateFor({});
    cancelled.decideMode({ mode: 'incremental', since: 'version:10' });
    cancelled.nextWatermark = 'version:20';
    cancelled.cancelRequested = true;
    const report = cancelled.report({ workflowId: 'wf', configVersion: 'c', finishedAt: T0 });
    expect(report.status).toBe('cancelled');
    expect(report.watermark).toEqual({ since: 'version:10', next: 'version:10' });
    expect(report.timings.accountsPerSecond).toBe(0);

    const retry = stateFor({ accountIds: ['00000000-0000-0000-0000-000000000001'] });
    retry.decideMode({ mode: 'incremental' });
    retry.nextWatermark = 'version:20';
    expect(retry.report({ workflowId: 'wf', configVersion: 'c', finishedAt: T0 }).watermark).toEqual({});

    const dry = stateFor({ dryRun: true });
    dry.nextWatermark = 'version:20';
    const dryReport = dry.report({ workflowId: 'wf', configVersion: 'c', finishedAt: T0 });
    expect(dryReport.watermark).toEqual({});
    expect(dryReport.mode).toBe('full');
    expect(dryReport.plan).toEqual({ wouldCreate: 0, wouldUpdate: 0, entries: [], truncated: false });
  });

  it('the notice of the run\'s end names mode only once decided, and the most frequent failure codes', () => {
    const state = stateFor({ pipeline: 'p' });
    expect(state.notice()).toEqual({
      pipeline: 'p',
      dryRun: false,
      totals: { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 },
      failures: { total: 0, topCodes: [] },
      startedAt: T0,
    });
    state.decideMode({ mode: 'full' });
    state.absorbUnit({ ...unitB, failures: [failure('x', 'TOO_LONG'), failure('y', 'REQUIRED_MISSING'), failure('z', 'TOO_LONG')] });
    expect(state.notice()).toMatchObject({
      mode: 'full',
      failures: { total: 3, topCodes: [{ code: 'TOO_LONG', count: 2 }, { code: 'REQUIRED_MISSING', count: 1 }] },
    });
  });
});

describe('RunState warnings', () => {
  function truncated(accountId: string): RecordWarning {
    return { accountId, company: 'usmf', field: 'name', value: 'A very long name', written: 'A very', code: 'TRUNCATED', reason: `Account (${accountId}): name truncated` };
  }
  const omitted: RecordWarning = { accountId: 's-1', company: 'demf', field: 'address1_stateorprovince', value: 'Atlantis', code: 'STATE_OMITTED', reason: 'left out' };

  it('counts every warning per code, keeps a bounded sample, and carries both to the continuation and the report', () => {
    const state = stateFor({});
    const many = Array.from({ length: 150 }, (_, i) => truncated(`t-${i}`));
    // A unit that listed 150 of its 160 TRUNCATED warnings (the rest over its byte bound), and one STATE_OMITTED.
    state.absorbUnit({ ...unitB, warnings: [...many, omitted], warningCounts: { TRUNCATED: 160, STATE_OMITTED: 1 } });
    // A result of an earlier release: warnings without counts are counted here.
    state.absorbUnit({ ...unitB, warnings: [truncated('t-x')] });
    expect(state.progress({ inFlight: 0, queued: 0 }, T0_MS).warnings).toEqual({ total: 162, byCode: { TRUNCATED: 161, STATE_OMITTED: 1 } });

    const checkpoint = state.checkpoint('cfg');
    expect(CARRIED_WARNINGS).toBe(100);
    expect(checkpoint.warnings?.byCode).toEqual({ TRUNCATED: 161, STATE_OMITTED: 1 });
    expect(checkpoint.warnings?.sample).toHaveLength(100);
    expect(checkpoint.warnings?.sample[99]?.accountId).toBe('t-99');

    const next = stateFor({ checkpoint }, 'run-2');
    next.absorbUnit({ ...unitB, warnings: [omitted], warningCounts: { STATE_OMITTED: 1 } });
    const report = next.report({ workflowId: 'wf', configVersion: 'cfg', finishedAt: T0 });
    expect(report.warnings?.total).toBe(163);
    expect(report.warnings?.byCode).toEqual({ TRUNCATED: 161, STATE_OMITTED: 2 });
    expect(report.warnings?.shown).toHaveLength(100);
    expect(report.warnings?.shown[0]).toEqual(truncated('t-0'));
    expect(report.warnings?.truncated).toBe(true);
  });

  it('a run without warnings carries none in its checkpoint', () => {
    const state = stateFor({});
    state.absorbUnit(unitA);
    expect(state.checkpoint('cfg')).not.toHaveProperty('warnings');
  });
});

describe('sync input: company or companies', () => {
  it('company is shorthand for companies; both together are refused', () => {
    expect(syncInputSchema.parse({ company: 'usmf' }).companies).toEqual(['usmf']);
    expect('company' in syncInputSchema.parse({ company: 'usmf' })).toBe(false);
    expect(syncInputSchema.parse({ companies: ['usmf', 'demf'] }).companies).toEqual(['usmf', 'demf']);
    expect(syncInputSchema.parse({}).companies).toBeUndefined();
    const both = syncInputSchema.safeParse({ company: 'usmf', companies: ['demf'] });
    expect(both.success).toBe(false);
    expect(both.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['company', 'give either company or companies, not both']]);
  });
});

describe('sync input: unit knobs and their old names', () => {
  it('unitSize and maxConcurrentUnits default to 1000 and 4; batchSize and maxConcurrentBatches are accepted for them', () => {
    expect(syncInputSchema.parse({})).toMatchObject({ unitSize: 1000, maxConcurrentUnits: 4 });
    const old = syncInputSchema.parse({ batchSize: 10, maxConcurrentBatches: 2 });
    expect(old).toMatchObject({ unitSize: 10, maxConcurrentUnits: 2 });
    expect(Object.keys(old)).not.toContain('batchSize');
    expect(Object.keys(old)).not.toContain('maxConcurrentBatches');
    expect(syncInputSchema.parse({ unitSize: 10, batchSize: 10 }).unitSize).toBe(10);
    const both = syncInputSchema.safeParse({ unitSize: 10, batchSize: 20, maxConcurrentUnits: 3, maxConcurrentBatches: 5 });
    expect(both.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'batchSize: is the old name of unitSize, given as well with another value (20 and 10): give unitSize only',
      'maxConcurrentBatches: is the old name of maxConcurrentUnits, given as well with another value (5 and 3): give maxConcurrentUnits only',
    ]);
    expect(syncInputSchema.safeParse({ batchSize: 2001 }).error?.issues[0]?.message).toBe('must be between 1 and 2000');
  });
});

describe('RunState holds (deactivation: block)', () => {
  const delta = 'delta:https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=accountid&$deltatoken=12%2101%2F01%2F2026%2000%3A00%3A00';

  it('has no holds until one is applied, then sums them per company into progress, checkpoint and report', () => {
    const state = stateFor({ pipeline: 'nightly' });
    state.addCompanies(['usmf', 'demf']);
    expect(state.progress({ inFlight: 0, queued: 0 }, T0_MS).holds).toBeUndefined();
    state.absorbHolds({
      totals: { blocked: 3, unblocked: 1 },
      companies: { usmf: { blocked: 2, unblocked: 1 }, demf: { blocked: 1, unblocked: 0 } },
      failures: [failure('', 'FNO_REJECTED')],
      scanned: { accounts: 10, customers: 12 },
    });
    const expected = { totals: { blocked: 3, unblocked: 1 }, companies: { usmf: { blocked: 2, unblocked: 1 }, demf: { blocked: 1, unblocked: 0 } } };
    expect(state.progress({ inFlight: 0, queued: 0 }, T0_MS).holds).toEqual(expected);
    expect(state.failuresTotal).toBe(1);
    state.decideMode({ mode: 'incremental', since: delta });
    state.nextWatermark = delta.replace('12%21', '13%21');
    const checkpoint = state.checkpoint('1+abc');
    expect(checkpoint.holds).toEqual(expected);
    expect(state.report({ workflowId: 'w', configVersion: '1+abc', finishedAt: T0 })).toMatchObject({ holds: expected, watermark: { since: delta, next: state.nextWatermark } });

    // A continuation carries them on, and more add up.
    const next = new RunState({ options: syncInputSchema.parse({ pipeline: 'nightly', checkpoint }), runId: 'run-2', now: T0 });
    next.absorbHolds({ totals: { blocked: 1, unblocked: 0 }, companies: { usmf: { blocked: 1, unblocked: 0 } }, failures: [], scanned: { accounts: 0, customers: 1 } });
    expect(next.report({ workflowId: 'w', configVersion: '1+abc', finishedAt: T0 }).holds).toEqual({
      totals: { blocked: 4, unblocked: 1 },
      companies: { usmf: { blocked: 3, unblocked: 1 }, demf: { blocked: 1, unblocked: 0 } },
    });
  });
});
