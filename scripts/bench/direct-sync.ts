import { MockActivityEnvironment } from '@temporalio/testing';
import type { Activities } from '../../src/activities';
import type { CompanyScope, PlanWorkUnitsResult, SyncWorkUnitResult } from '../../src/activities/contracts';
import { parseWatermark, type PlanCursor, type WorkUnit } from '../../src/domain/work-unit';
import { absorbUnitResult, emptyCounters, type Counters } from '../../src/workflows/sync-report';
import { deltaWatermark } from '../../src/workflows/watermark-text';

export interface DirectSyncOptions {
  batchSize: number;
  maxConcurrentBatches: number;
  pageSize: number;
  /** Incremental from this watermark; full when absent. */
  since?: string;
}

export interface DirectSyncResult {
  totals: Counters;
  failures: number;
  accountNumbersAssigned: number;
  units: number;
  seconds: number;
  numberingSeconds: number;
  watermark: string;
}

/** The workflow's default `maxDeltaKeys` (sync-input.ts); a start of change tracking returns no keys either way. */
const DEFAULT_MAX_DELTA_KEYS = 5000;

/** The workflow's default `numberingChunkSeconds` (sync-input.ts). */
const NUMBERING_CHUNK_SECONDS = 10;
/** Chunks of numbering before the baseline gives up (the workflow's bound is the same order). */
const MAX_NUMBERING_CHUNKS = 10_000;

/** Units planned ahead of the window: the same factor as the workflow's. */
const PLAN_AHEAD_FACTOR = 3;

/**
 * The baseline the pipeline is measured against: the same activity functions, with the same inputs, the same
 * planning, the same bounded sliding window and the same HTTP clients, called directly in a loop — no Temporal
 * server, no workflow, no history. Activities run in Temporal's mock activity context (heartbeats go nowhere), so
 * the code measured is exactly the code the worker runs.
 */
export async function runDirectSync(activities: Activities, options: DirectSyncOptions): Promise<DirectSyncResult> {
  const context = new MockActivityEnvironment();
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => context.run(fn, ...args);
  const started = performance.now();

  const checked = await run(activities.preflight, { companies: undefined });
  const scopes: CompanyScope[] = checked.companies;
  const numberingStarted = performance.now();
  // Numbered in chunks as the workflow numbers (its opening chunk included), each continuing from the last one's
  // checkpoint. The overlap (syncing beside numbering) is not modelled: the workflow overlaps only when numbering
  // needs more chunks, and at this bench's zero latency the opening chunk numbers everything.
  const numberingInput = { dryRun: false, duplicatePolicy: 'report' as const, chunkSeconds: NUMBERING_CHUNK_SECONDS };
  let numbered = await run(activities.assignAccountNumbers, numberingInput);
  let numberingFailures = numbered.failures.length;
  for (let chunks = 1; numbered.done === false; chunks += 1) {
    if (chunks >= MAX_NUMBERING_CHUNKS || numbered.checkpoint === undefined) throw new Error(`numbering did not finish after ${chunks} chunks`);
    numbered = await run(activities.assignAccountNumbers, { ...numberingInput, checkpoint: numbered.checkpoint });
    numberingFailures += numbered.failures.length;
  }
  const numberingSeconds = (performance.now() - numberingStarted) / 1000;
  // Where the next run starts, taken after numbering and before any account is read, as the workflow takes it: a
  // full run over a table that tracks changes starts change tracking (a keys-only read of every account) and keeps
  // the delta link; otherwise, and for an incremental run from a versionnumber, the versionnumber watermark.
  const startsTracking = checked.changeTracking === true && options.since === undefined;
  const tracking = startsTracking
    ? await run(activities.readAccountChanges, { unitSize: options.batchSize, pageSize: options.pageSize, maxKeys: DEFAULT_MAX_DELTA_KEYS })
    : undefined;
  const watermark =
    tracking !== undefined && (tracking.kind === 'started' || tracking.kind === 'overflow')
      ? deltaWatermark(tracking.deltaLink)
      : (await run(activities.readWatermark)).watermark;

  const totals = emptyCounters();
  const companies: Record<string, Counters> = {};
  let failures = numberingFailures;
  let units = 0;
  const queue: WorkUnit[] = [];
  let cursor: PlanCursor = null;
  let planningDone = false;
  let planning: Promise<void> | undefined;
  const inFlight = new Set<Promise<void>>();
  const since = options.since ? parseWatermark(options.since) : undefined;

  const planMore = async () => {
    const result: PlanWorkUnitsResult = await run(activities.planWorkUnits, {
      since,
      cursor,
      unitSize: options.batchSize,
      maxUnits: options.maxConcurrentBatches * PLAN_AHEAD_FACTOR,
      pageSize: options.pageSize,
    });
    queue.push(...result.units);
    cursor = result.cursor;
    planningDone = result.done;
  };
  const runUnit = async (unit: WorkUnit) => {
    const result: SyncWorkUnitResult = await run(activities.syncWorkUnit, { unit, companies: scopes, dryRun: false });
    absorbUnitResult(totals, companies, result);
    failures += result.failures.length;
    units += 1;
  };

  for (;;) {
    if (!planningDone && !planning && queue.length < options.maxConcurrentBatches) {
      const next = planMore().finally(() => {
        planning = undefined;
      });
      planning = next;
    }
    while (inFlight.size < options.maxConcurrentBatches && queue.length > 0) {
      const unit = queue.shift() as WorkUnit;
      const task: Promise<void> = runUnit(unit).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (planningDone && !planning && queue.length === 0 && inFlight.size === 0) break;
    // Whatever finishes first (a unit or the planner) may let more work start.
    await Promise.race([...inFlight, ...(planning ? [planning] : [])]);
  }

  return {
    totals,
    failures,
    accountNumbersAssigned: numbered.assigned,
    units,
    seconds: (performance.now() - started) / 1000,
    numberingSeconds,
    watermark,
  };
}
