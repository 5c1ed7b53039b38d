import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  TemporalFailure,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState, TimeoutType } from '@temporalio/common';
import type { Activities } from '../activities';
import type { RunNotice } from '../activities/run-notice';
import { undecodableReason } from '../codec/undecodable-payload';
import type { ApplyCustomerHoldsInput, AssignAccountNumbersResult, CompanyScope, PlanEntry, ReadAccountChangesResult } from '../activities/contracts';
import { describeIssues } from '../domain/describe-issues';
import { sequenceUnits, type NumberingBand, type SequenceUnit } from '../domain/numbering-band';
import { parseWatermark, type PlanCursor, type WorkUnit } from '../domain/work-unit';
import { holdPipelineLock } from './pipeline-lock';
import { labelDecidedMode, labelRunEnd, labelRunStart, outcomeOfError, outcomeOfReport } from './run-outcome';
import { legacySyncInputSchema, syncInputSchema, type Checkpoint, type OverlapState, type SyncInput, type SyncOptions } from './sync-input';
import { RunState, type FailurePage, type SyncProgress } from './run-state';
import { emptyCounters, type SyncReport } from './sync-report';
import { deltaLinkOf, deltaWatermark, isDeltaWatermark } from './watermark-text';

export type { SyncReport } from './sync-report';
export type { FailurePage, SyncProgress } from './run-state';

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Graceful stop: work units in flight finish, nothing new starts, the partial report is the result. */
export const cancelSignal = defineSignal('cancel');
export const progressQuery = defineQuery<SyncProgress>('progress');
export const failuresQuery = defineQuery<FailurePage, [{ offset?: number; limit?: number }?]>('failures');
export const planQuery = defineQuery<{ total: number; offset: number; items: PlanEntry[] }, [{ offset?: number; limit?: number }?]>('plan');

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const nonRetryableErrorTypes = ['InvalidConfiguration', 'InvalidInput'];

/**
 * Activity stubs with the run's heartbeat timeout. Configuration and input errors are not retried. Every activity
 * that can take longer than a few seconds heartbeats, so a worker that dies mid-attempt costs one heartbeat timeout,
 * not the start-to-close timeout. Release 0.1 retried for ever (`bounded` false when replaying its histories); now
 * an activity that keeps failing gives up after `unreachableTimeoutSeconds` (schedule-to-close), and the run fails
 * with the last cause (see giveUpOn).
 */
function activitiesFor(options: SyncOptions, bounded: boolean) {
  const heartbeatTimeout = options.heartbeatTimeoutSeconds * 1000;
  const base = { retry: { ...retry, nonRetryableErrorTypes } };
  const limitMs = options.unreachableTimeoutSeconds * 1000;
  // A check normally takes seconds: the limit is its whole time. Work that may legitimately take long gets its own
  // time limit plus the limit.
  const within = (startToCloseMs: number) => ({
    startToCloseTimeout: bounded ? Math.min(startToCloseMs, limitMs) : startToCloseMs,
    ...(bounded ? { scheduleToCloseTimeout: limitMs } : {}),
  });
  const after = (startToCloseMs: number) => ({
    startToCloseTimeout: startToCloseMs,
    ...(bounded ? { scheduleToCloseTimeout: startToCloseMs + limitMs } : {}),
  });
  const minutes = 60_000;
  // The heartbeat notices a dead worker; start-to-close only bounds checks that are slow but alive (a request may
  // take the connectors' whole request timeout).
  const checking = proxyActivities<Activities>({ ...base, ...within(10 * minutes), heartbeatTimeout });
  // One small request: a short start-to-close stands in for a heartbeat.
  const reading = proxyActivities<Activities>({ ...base, ...within(30_000) });
  const numbering = proxyActivities<Activities>({ ...base, ...after(240 * minutes), heartbeatTimeout });
  const planning = proxyActivities<Activities>({ ...base, ...within(10 * minutes), heartbeatTimeout });
  const syncing = proxyActivities<Activities>({ ...base, ...after(30 * minutes), heartbeatTimeout });
  const locking = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 5 } });
  return {
    preflight: checking.preflight,
    readWatermark: reading.readWatermark,
    assignAccountNumbers: numbering.assignAccountNumbers,
    planWorkUnits: planning.planWorkUnits,
    readAccountChanges: planning.readAccountChanges,
    syncWorkUnit: syncing.syncWorkUnit,
    applyCustomerHolds: syncing.applyCustomerHolds,
    locking: { pipelineLockId: locking.pipelineLockId, describePipelineLock: locking.describePipelineLock },
  };
}

/**
 * The end-of-run notification: 4 attempts, 1, 2 and 4 seconds apart, then the run ends without it. A webhook that
 * refuses the message (WebhookRefused: a 4xx) is not asked again.
 */
const notifying = proxyActivities<Activities>({
  startToCloseTimeout: '90 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 4, nonRetryableErrorTypes: ['WebhookRefused'] },
});

/** Units planned ahead of the window, so the window never waits for the planner. */
const PLAN_AHEAD_FACTOR = 3;

/**
 * Changes since release 0.1, whose histories must keep replaying: the run labels itself (search attributes), holds
 * its pipeline's lock, gives up on an unreachable service after a limit, and a Temporal cancellation labels the
 * run before it ends as cancelled.
 */
const OPS_PATCH = 'ops-outcome-lock-bounded-retries';

/**
 * Issue 13: with Track changes on, incremental runs follow the previous run's delta link instead of reading
 * `versionnumber gt <watermark>`, every run ends with a delta link, and `deactivation: block` puts customers of
 * deactivated or deleted accounts on hold. Histories recorded before it replay with the versionnumber watermark.
 */
const CHANGE_TRACKING_PATCH = 'change-tracking';
/**
 * The upgrade script runs in chunks of about `numberingChunkSeconds`, each continuing from the checkpoint of the one
 * before, so the progress query shows numbering live; before this patch it was one call.
 */
const NUMBERING_CHUNKS_PATCH = 'numbering-chunks';
/** Accounts with a number sync while the upgrade script numbers the rest; those join once it is done. */
const NUMBERING_OVERLAP_PATCH = 'numbering-overlap';
/**
 * Issue 15: the accounts numbered join as each chunk returns (units of its sequences), the rest of the band is read
 * among the accounts changed since numbering started instead of planning every key again, and the run continues as
 * new beside numbering (the overlap is on by default). Histories of the overlap before it replay with the band pass.
 */
const NUMBERING_JOIN_PATCH = 'numbering-overlap-join';
/** The preflight's reads start beside the pipeline's lock; before this patch they started once the lock was held. */
const PREFLIGHT_BESIDE_LOCK_PATCH = 'preflight-beside-lock';
/**
 * The longest chunk of numbering beside the sync: the accounts a chunk numbers join when it returns, so the last
 * chunk's are what the run waits for once numbering is done.
 */
const JOIN_CHUNK_SECONDS = 2;
/**
 * Every chunk writes at least one batch and passes are bounded, so numbering ends; this bounds the loop whatever
 * happens (at the default 10 s a chunk: more than a day).
 */
const MAX_NUMBERING_CHUNKS = 10_000;

/** The run's state once it exists, and whether the run labelled itself: what its end needs, whichever way it ends. */
interface RunHolder {
  labelled: boolean;
  state?: RunState;
}

/**
 * Keeps F&O customers in step with Sales accounts for one pipeline. A workflow rather than a script so that a run
 * survives worker crashes, server restarts and API outages, can be watched (queries), paused and cancelled (signals,
 * or Temporal's own cancellation) and scheduled. It holds keys, cursors and counters only; activities read and
 * write the records.
 */
export async function syncAccounts(input: SyncInput = {}, ...extraArguments: unknown[]): Promise<SyncReport> {
  const run: RunHolder = { labelled: false };
  let report: SyncReport;
  try {
    report = await syncRun(input, extraArguments, run);
    if (run.labelled) labelRunEnd(outcomeOfReport(report), report.totals, report.failures.total);
  } catch (error) {
    const outcome = outcomeOfError(error);
    // A cancelled run keeps what it did in its queries (progress, failures) and in these labels.
    if (run.labelled && outcome) labelRunEnd(outcome, run.state?.totals ?? emptyCounters(), run.state?.failuresTotal ?? 0);
    // A continuation is not an end; an error that is no TemporalFailure fails the workflow task (retried), not the run.
    if (!(error instanceof ContinueAsNew) && error instanceof TemporalFailure) {
      await announce({
        ...(run.state?.notice() ?? { pipeline: pipelineOf(input), dryRun: false, totals: emptyCounters(), failures: { total: 0, topCodes: [] } }),
        status: isCancellation(error) ? 'cancelled' : 'failed',
        failureType: failureTypeOf(error),
        finishedAt: new Date().toISOString(),
      });
    }
    throw error;
  }
  await announce({
    ...(run.state?.notice() ?? { pipeline: report.pipeline, dryRun: report.dryRun, totals: report.totals, failures: { total: report.failures.total, topCodes: [] } }),
    status: report.status,
    finishedAt: report.timings.finishedAt,
  });
  return report;
}

/**
 * Posts the run's end to the worker's webhook (if it has one). Histories recorded before this existed have no such
 * activity at their end: `patched` keeps them replaying. Not cancellable, so a run cancelled through Temporal is
 * announced too; its failure is logged and otherwise ignored.
 */
async function announce(notice: RunNotice): Promise<void> {
  if (!patched('notify-webhook')) return;
  try {
    await CancellationScope.nonCancellable(() => notifying.notifyRunEnd(notice));
  } catch (error) {
    log.warn('end-of-run notification not sent', { failureType: failureTypeOf(error) });
  }
}

function failureTypeOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  return cause instanceof Error ? cause.name : 'Unknown';
}

function pipelineOf(input: SyncInput | undefined): string {
  const requested = (input as { pipeline?: unknown } | undefined)?.pipeline;
  if (requested === undefined) return 'default';
  return typeof requested === 'string' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(requested) ? requested : '(invalid)';
}

async function syncRun(input: SyncInput, extraArguments: readonly unknown[], run: RunHolder): Promise<SyncReport> {
  const options = parseInput(input, extraArguments);
  const ops = patched(OPS_PATCH);
  const { preflight, assignAccountNumbers, readWatermark, planWorkUnits, readAccountChanges, syncWorkUnit, applyCustomerHolds, locking } = activitiesFor(
    options,
    ops,
  );
  const info = workflowInfo();
  if (ops) {
    labelRunStart(options);
    run.labelled = true;
  }
  // Counters, failures, cursor and watermarks live in `state`; this function only schedules the activities and feeds
  // their results to it. What is carried to a continuation and what the report says are both read from it.
  const state = new RunState({ options, runId: info.runId, now: new Date().toISOString() });
  run.state = state;
  let changes = 0;
  const touch = () => {
    changes += 1;
  };
  const queue: WorkUnit[] = [];
  const inFlight = new Set<number>();

  setHandler(pauseSignal, () => {
    state.paused = true;
    touch();
  });
  setHandler(resumeSignal, () => {
    state.paused = false;
    touch();
  });
  setHandler(cancelSignal, () => {
    state.cancelRequested = true;
    touch();
  });
  setHandler(progressQuery, () => state.progress({ inFlight: inFlight.size, queued: queue.length }, Date.now()));
  setHandler(failuresQuery, (request) => state.failuresPage(request?.offset, request?.limit));
  setHandler(planQuery, (request) => state.planPage(request?.offset, request?.limit));

  const check = () => preflight({ companies: options.companies }).catch((error: unknown) => surfaceRefusal(error, options));
  // The preflight only reads, so it starts beside the lock instead of after its round trips. The lock's answer is
  // awaited first: a busy pipeline is refused as before, whatever the preflight finds.
  const checking = ops && patched(PREFLIGHT_BESIDE_LOCK_PATCH) ? check() : undefined;
  // Handled here too, so a preflight failing after the lock refused the run is not an unhandled rejection.
  void checking?.catch(() => undefined);
  // After the handlers are set: a run waiting for its lock answers queries.
  if (ops) await holdPipelineLock(options.pipeline, locking);
  state.phase = 'preflight';
  const checked = await (checking ?? check());
  const scopes: CompanyScope[] = checked.companies;
  state.addCompanies(scopes.map((scope) => scope.dataAreaId));
  upsertMemo({ configVersion: checked.configVersion, pipeline: options.pipeline });

  // Delta links when the account table tracks changes (preflight asked Dataverse); the versionnumber watermark
  // otherwise, and for histories recorded before change tracking.
  const tracking = patched(CHANGE_TRACKING_PATCH) && checked.changeTracking === true;
  const blocking = tracking && checked.deactivation === 'block' && !options.accountIds;
  /** What the delta says to hold; a full run (or one that fell back to full) scans everything instead. */
  let holds: Pick<ApplyCustomerHoldsInput, 'block' | 'unblock' | 'scan'> = { block: [], unblock: [], scan: 'all' };
  /** Units the delta gave: no planning. */
  let deltaUnits: WorkUnit[] | undefined;
  /** A continuation whose delta could no longer be read plans everything from the start. */
  let replanFromStart = false;
  const fallBackToFull = (fallbackReason: string) => {
    state.decideMode({ mode: 'full', fallbackReason });
    upsertMemo({ mode: 'full', fallbackReason });
    if (ops) labelDecidedMode(options, 'full');
  };
  const readChanges = (deltaLink: string | undefined, after?: string | null): Promise<ReadAccountChangesResult> =>
    readAccountChanges({
      ...(deltaLink !== undefined ? { deltaLink } : {}),
      ...(after !== undefined ? { after } : {}),
      unitSize: options.unitSize,
      pageSize: options.pageSize,
      maxKeys: options.maxDeltaKeys,
    }).catch((error: unknown) => surfaceRefusal(error, options));

  /** Where the next incremental run starts, taken before this run reads any account (see below). */
  let watermarkTaken = false;
  const takeWatermark = async () => {
    if (watermarkTaken) return;
    watermarkTaken = true;
      if (!tracking) {
        // Taken after numbering: the accounts just numbered are read by this run, and anything changed from here on
        // is above the watermark, so the next incremental run sees it. When the sync runs beside numbering it is
        // taken before both: the next incremental run reads the accounts numbered now again (and writes nothing).
        state.nextWatermark = (await readWatermark()).watermark;
      } else if (!options.accountIds) {
        // Read after numbering too, for the same reason; and before any record is read, so whatever commits during
        // this run is in the next delta.
        const since = state.mode === 'incremental' && state.since !== undefined && isDeltaWatermark(state.since) ? deltaLinkOf(state.since) : undefined;
        if (since !== undefined) {
          const changes = await readChanges(since);
          if (changes.kind === 'changes') {
            state.nextWatermark = deltaWatermark(changes.deltaLink);
            deltaUnits = changes.units;
            state.absorbPlanning({ units: changes.units, cursor: null, done: true, scanned: changes.scanned });
            holds = {
              block: changes.deactivated,
              unblock: changes.units.flatMap((unit) => (unit.kind === 'keys' ? unit.keys : [])),
              // Tombstones name only the account id: the customers of deleted accounts are found by a scan.
              scan: changes.deleted > 0 ? 'orphans' : 'none',
            };
          } else {
            fallBackToFull(fullRunReason(changes));
            if (changes.kind === 'overflow') state.nextWatermark = deltaWatermark(changes.deltaLink);
          }
        }
        // A full run (or an incremental one from a versionnumber or a time) starts tracking; a dry run needs no link.
        if (state.nextWatermark === undefined && !options.dryRun) {
          const started = await readChanges(undefined);
          state.nextWatermark = started.kind === 'started' || started.kind === 'overflow' ? deltaWatermark(started.deltaLink) : (await readWatermark()).watermark;
        }
      }
  };
  /** The upgrade script runs beside the sync (numbering-band.ts): its first sequence, and whether it still runs. */
  let overlap = false;
  /** The overlap of `numbering-overlap-join`: numbered accounts join as each chunk returns, and runs continue as new. */
  let join = false;
  let band: number | undefined;
  let numberingRunning = false;
  let failure: unknown;
  let stopForContinuation = false;
  /** Units of the numbers the upgrade script wrote, not started yet (join), and the sequence they reach. */
  const joinQueue: SequenceUnit[] = [];
  let queuedTo = 0;
  const numberingInput = { dryRun: options.dryRun, duplicatePolicy: options.duplicatePolicy };
  let numberingStarted = Date.now();
  /** Queues the units of the numbers written up to `numberedTo` (join), in sequence order. */
  const joinNumbered = (overlapState: OverlapState) => {
    joinQueue.push(...sequenceUnits(overlapState.firstSequence, queuedTo, overlapState.numberedTo, options.unitSize));
    queuedTo = Math.max(queuedTo, overlapState.numberedTo);
  };
  /**
   * Chunks of the upgrade script until it is done, from `first`'s checkpoint. Between chunks it stops for a
   * cancellation and (join) for a continuation: the chunk in flight finishes first, and its checkpoint is carried.
   */
  const numberTheRest = async (first: AssignAccountNumbersResult) => {
    let numbered = first;
    for (let chunks = 1; numbered.done === false; chunks++) {
      if (chunks >= MAX_NUMBERING_CHUNKS || numbered.checkpoint === undefined) {
        throw ApplicationFailure.nonRetryable(
          `The upgrade script did not finish: ${chunks} chunks numbered ${numbered.assigned} of ${numbered.toNumber ?? '?'} accounts` +
            (numbered.checkpoint === undefined ? ' and the last one returned no checkpoint' : ''),
          'NumberingDidNotFinish',
        );
      }
      // A cancelled run stops numbering between chunks (the numbers written stay, each account has one).
      if (state.cancelRequested || (join && stopForContinuation)) return;
      // Beside the sync (join), a chunk's numbers wait for it to return: shorter chunks let them join sooner.
      const chunkSeconds = overlap && join ? Math.min(options.numberingChunkSeconds, JOIN_CHUNK_SECONDS) : options.numberingChunkSeconds;
      numbered = await assignAccountNumbers({ ...numberingInput, chunkSeconds, checkpoint: numbered.checkpoint });
      state.absorbNumberingChunk(numbered, numberingStarted, Date.now());
      if (join && state.overlap) {
        state.overlap.numbering = numbered.done === false ? numbered.checkpoint : undefined;
        state.overlap.numberedTo = Math.max(state.overlap.numberedTo, numberedUpTo(numbered) ?? state.overlap.numberedTo);
        joinNumbered(state.overlap);
      }
      touch();
    }
  };
  const numberBeside = (first: AssignAccountNumbersResult) => {
    numberingRunning = true;
    void numberTheRest(first)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        numberingRunning = false;
        touch();
      });
  };

  if (!state.isContinuation) {
    let decided = decideMode(options);
    if (decided.since !== undefined && isDeltaWatermark(decided.since) && !tracking) {
      decided = { mode: 'full', fallbackReason: `the previous run's delta link cannot be followed: ${TRACK_CHANGES_OFF}` };
    }
    state.decideMode(decided);
    // What was asked (`auto`) is in the input; what is being done belongs on the run's page in the UI.
    upsertMemo({ mode: decided.mode, ...(decided.fallbackReason ? { fallbackReason: decided.fallbackReason } : {}) });
    if (ops) labelDecidedMode(options, decided.mode);
    state.phase = 'numbering';
    numberingStarted = Date.now();
    const chunked = patched(NUMBERING_CHUNKS_PATCH);
    // Full runs that write, over every account and without holds, sync the accounts that have a number while the
    // upgrade script numbers the rest (numbering-band.ts), when its first chunk did not number them all.
    const overlapAllowed =
      options.numberingOverlap && chunked && decided.mode === 'full' && !options.dryRun && !options.accountIds && !blocking && patched(NUMBERING_OVERLAP_PATCH);
    join = overlapAllowed && patched(NUMBERING_JOIN_PATCH);
    // Renumbering duplicates (the last chunk) gives band numbers to accounts the numbered pass may have synced or
    // reported already: with `renumber`, numbering ends before the sync starts.
    overlap = overlapAllowed && !(join && options.duplicatePolicy === 'renumber');
    if (chunked) {
      const numbered = await assignAccountNumbers({ ...numberingInput, chunkSeconds: options.numberingChunkSeconds });
      state.absorbNumberingChunk(numbered, numberingStarted, Date.now());
      // Numbering about to end within its next chunk is left to finish first (join): syncing beside it would gain
      // little, and the delta link, taken before any account is read, would hold every number written meanwhile —
      // more than maxDeltaKeys makes the next incremental run a full one.
      if (join && overlap && numbered.done === false && numberingSecondsLeft(numbered, Date.now() - numberingStarted) < options.numberingChunkSeconds) overlap = false;
      if (overlap && numbered.done === false && numbered.checkpoint !== undefined) {
        // Before any account is read; the numbers of the first chunk are below it, the later ones above (read again
        // by the next incremental run, which writes nothing for them).
        await takeWatermark();
        band = numbered.checkpoint.firstSequence;
        if (join) {
          state.overlap = {
            firstSequence: band,
            startVersion: numbered.checkpoint.startVersion,
            numbering: numbered.checkpoint,
            toNumber: numbered.toNumber ?? numbered.checkpoint.toNumber,
            numberedTo: numbered.checkpoint.nextSequence,
            joinedTo: band,
            pass: 'numbered',
          };
          queuedTo = band;
          joinNumbered(state.overlap);
        }
        numberBeside(numbered);
      } else {
        await numberTheRest(numbered);
        overlap = false;
        join = false;
      }
    } else {
      const numbered = await assignAccountNumbers(numberingInput);
      state.absorbNumbering(numbered, (Date.now() - numberingStarted) / 1000);
    }
    // Taken after numbering, unless the sync already runs beside it (then before: see takeWatermark).
    await takeWatermark();
    if (blocking) {
      state.phase = 'holding';
      const held = await applyCustomerHolds({ companies: scopes.map((scope) => scope.dataAreaId), ...holds, dryRun: options.dryRun }).catch((error: unknown) =>
        surfaceRefusal(error, options),
      );
      state.absorbHolds(held);
    }
  } else if (state.overlap) {
    // A continuation of a run syncing beside numbering: the units of the numbers written but not started yet are
    // queued again, and numbering (if not done) continues from the carried checkpoint.
    overlap = true;
    join = true;
    band = state.overlap.firstSequence;
    queuedTo = state.overlap.joinedTo;
    joinNumbered(state.overlap);
    const carriedNumbering = state.overlap.numbering;
    if (carriedNumbering) {
      numberingStarted = Date.now() - state.numberingSeconds * 1000;
      numberBeside({ ...state.numbering, duplicateAccounts: carriedNumbering.duplicateAccounts, failures: [], done: false, checkpoint: carriedNumbering });
    }
  } else if (tracking && state.mode === 'incremental' && state.since !== undefined && isDeltaWatermark(state.since) && !options.accountIds) {
    // A continuation reads the same delta again and takes the units after its cursor. Holds were applied by the
    // first execution; nextWatermark is the first read's link, so nothing committed since is skipped.
    const again = await readChanges(deltaLinkOf(state.since), state.cursor);
    if (again.kind === 'changes') {
      deltaUnits = again.units;
      state.absorbPlanning({ units: again.units, cursor: state.cursor, done: true, scanned: again.scanned });
    } else {
      fallBackToFull(`the continuation could not read the delta again: ${fullRunReason(again)}`);
      replanFromStart = true;
    }
  }
  if (deltaUnits) queue.push(...deltaUnits);

  state.phase = 'syncing';
  let planning = false;
  let unitIds = 0;
  // Planning runs ahead of the window; the state's cursor only moves past units that were started, and continuation
  // waits until every started unit finished, so the cursor it carries never skips work.
  let plannedUpTo: PlanCursor = replanFromStart ? null : state.cursor;

  /**
   * Beside numbering, the keys are planned in passes (numbering-band.ts): units of the accounts that had a number,
   * while it runs; then (join) the rest of the band, read among the accounts changed since numbering started, once it
   * is done — the numbers it wrote join through the units `joinNumbered` queues as each chunk returns. Runs from
   * before `numbering-overlap-join` planned every key again instead (the `band` pass).
   */
  let pass: 'numbered' | 'band' = 'numbered';
  const unitBand = new Map<WorkUnit, NumberingBand>();
  const currentBand = (): NumberingBand | undefined => {
    if (!overlap || band === undefined) return undefined;
    if (join && state.overlap?.pass === 'rest') return { firstSequence: band, keep: 'rest', coveredTo: state.overlap.numberedTo };
    return { firstSequence: band, keep: join ? 'numbered' : pass };
  };

  const planMore = async () => {
    planning = true;
    const planBand = currentBand();
    // The rest of the band: active accounts changed since numbering started, as key lists (a filtered read).
    const since = planBand?.keep === 'rest' && state.overlap ? { kind: 'version' as const, value: state.overlap.startVersion } : state.since ? parseWatermark(state.since) : undefined;
    try {
      const result = await planWorkUnits({
        ...(planBand ? { band: planBand } : {}),
        since,
        ...(options.accountIds ? { accountIds: options.accountIds } : {}),
        cursor: plannedUpTo,
        unitSize: options.unitSize,
        maxUnits: options.maxConcurrentUnits * PLAN_AHEAD_FACTOR,
        pageSize: options.pageSize,
      });
      queue.push(...result.units);
      if (planBand) for (const unit of result.units) unitBand.set(unit, planBand);
      state.absorbPlanning(result);
      plannedUpTo = result.cursor;
    } catch (error) {
      failure ??= error;
    } finally {
      planning = false;
      touch();
    }
  };

  /** Starts a unit: a planned one (moves the cursor), or one of the numbers just written (moves `joinedTo`). */
  const runUnit = async (unit: WorkUnit, joining?: SequenceUnit['band']) => {
    const id = unitIds++;
    inFlight.add(id);
    if (joining && state.overlap) state.overlap.joinedTo = Math.max(state.overlap.joinedTo, joining.to);
    else state.startUnit(unit);
    const syncBand = joining ?? unitBand.get(unit);
    unitBand.delete(unit);
    try {
      state.absorbUnit(await syncWorkUnit({ unit, companies: scopes, dryRun: options.dryRun, ...(syncBand ? { band: syncBand } : {}) }));
    } catch (error) {
      failure ??= error;
    } finally {
      inFlight.delete(id);
      touch();
    }
  };

  /** Nothing left to plan or start, and (join) numbering done and the rest of the band planned. */
  const allPlannedAndStarted = () =>
    state.planningDone && !planning && queue.length === 0 && joinQueue.length === 0 && (!join || (state.overlap?.numbering === undefined && state.overlap?.pass === 'rest'));

  for (;;) {
    const seen = changes;
    if (failure !== undefined || state.cancelRequested || stopForContinuation) {
      state.phase = 'draining';
      await condition(() => inFlight.size === 0 && !planning && !numberingRunning);
      break;
    }
    if (join && state.overlap?.pass === 'numbered' && state.planningDone && !planning && queue.length === 0 && !numberingRunning && state.overlap.numbering === undefined) {
      // The accounts that had a number are planned and started, and numbering is done: the rest of the band.
      state.overlap.pass = 'rest';
      plannedUpTo = null;
      state.cursor = null;
      state.planningDone = false;
    } else if (overlap && !join && pass === 'numbered' && state.planningDone && !planning && !numberingRunning) {
      // Before numbering-overlap-join: the numbers numbering handed out are planned from the start.
      pass = 'band';
      plannedUpTo = null;
      state.planningDone = false;
    }
    if (!state.paused) {
      if (!state.planningDone && !planning && queue.length < options.maxConcurrentUnits) void planMore();
      // The numbers just written first: they are what the upgrade script's progress waits on.
      while (inFlight.size < options.maxConcurrentUnits && (joinQueue.length > 0 || queue.length > 0)) {
        const joining = joinQueue.shift();
        if (joining) void runUnit(joining.unit, joining.band);
        else void runUnit(queue.shift() as WorkUnit);
      }
    }
    if (allPlannedAndStarted() && inFlight.size === 0 && !numberingRunning && (!overlap || join || pass === 'band')) break;
    await condition(() => changes !== seen);
    const history = workflowInfo();
    // Runs from before numbering-overlap-join did not continue as new beside numbering (they could not carry its passes).
    if ((!overlap || join) && (history.historyLength >= options.continueAsNewAfterEvents || history.continueAsNewSuggested)) {
      stopForContinuation = true;
    }
  }

  if (failure !== undefined) surfaceRefusal(failure, options);

  const finishedAt = new Date().toISOString();
  if (stopForContinuation && !state.cancelRequested && !allPlannedAndStarted()) {
    state.phase = 'draining';
    await condition(allHandlersFinished);
    await continueAsNew<typeof syncAccounts>({ ...stripCheckpoint(input), checkpoint: state.checkpoint(checked.configVersion) });
  }

  state.phase = 'done';
  return state.report({ workflowId: info.workflowId, configVersion: checked.configVersion, finishedAt });
}

/**
 * A refusal from an activity (invalid configuration) becomes the run's own failure, so `temporal workflow result`,
 * the UI and the CLI show the list of problems directly rather than "activity task failed". So does giving up on an
 * activity that kept failing past the limit: one line with the activity and its last cause.
 */
function surfaceRefusal(error: unknown, options: SyncOptions): never {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.nonRetryable && cause.type && nonRetryableErrorTypes.includes(cause.type)) {
    throw ApplicationFailure.nonRetryable(cause.message, cause.type, ...(cause.details ?? []));
  }
  // Temporal stops retrying when the next attempt would end past schedule-to-close (the activity fails with its last
  // failure and retry state TIMEOUT), or times out an attempt still running then — with no cause, even when earlier
  // attempts failed (observed on the dev server: three failed attempts, the third's failure reported just after the
  // limit). Only the text below is ours, no command: histories replay.
  const timedOut = cause instanceof TimeoutFailure && cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE;
  if (error instanceof ActivityFailure && (timedOut || error.retryState === RetryState.TIMEOUT)) {
    const last =
      (timedOut ? cause.cause?.message : cause?.message) ??
      'none reported: an attempt was still running at the limit, or none started (is a worker running?)';
    throw ApplicationFailure.nonRetryable(
      `gave up after ${options.unreachableTimeoutSeconds} s (unreachableTimeoutSeconds): ${error.activityType} kept failing; last cause: ${last}`,
      'ServiceUnreachable',
    );
  }
  throw error;
}

/**
 * Runs recorded before these checks replay with the checks they ran with (`patched` is false only while replaying
 * such a history): refusing, on replay, an input an earlier release accepted would diverge from its history.
 */
const HOSTILE_INPUT_CHECKS = 'refuse-hostile-input';

function parseInput(input: SyncInput, extraArguments: readonly unknown[]): SyncOptions {
  const strict = patched(HOSTILE_INPUT_CHECKS);
  if (strict) refuseUnreadableArguments([input, ...extraArguments]);
  const parsed = (strict ? syncInputSchema : legacySyncInputSchema).safeParse(input ?? {});
  if (!parsed.success) {
    const problems = describeIssues(parsed.error);
    throw invalidInput(problems.join('; '), { problems });
  }
  if (strict && parsed.data.checkpoint) refuseForeignCheckpoint(parsed.data.checkpoint);
  return parsed.data;
}

function invalidInput(reason: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`Invalid input: ${reason}`, 'InvalidInput', ...(details === undefined ? [] : [details]));
}

/** One JSON object, decoded: an argument the worker could not decode, or a second one, is refused rather than ignored. */
function refuseUnreadableArguments(args: readonly unknown[]): void {
  args.forEach((arg, index) => {
    const reason = undecodableReason(arg);
    if (reason !== undefined) throw invalidInput(`argument ${index + 1} could not be decoded: ${reason}`);
  });
  if (args.length > 1) {
    throw invalidInput(`syncAccounts takes one JSON object, got ${args.length} arguments (one --input, not several)`);
  }
}

/**
 * The checkpoint is the state a run hands to its own continuation; from anywhere else it would let the caller set
 * the counters and the next watermark. It is accepted only in a run started by continue-as-new, from the run the
 * checkpoint names as its last.
 */
function refuseForeignCheckpoint(checkpoint: Checkpoint): void {
  const continuedFrom = workflowInfo().continuedFromExecutionRunId;
  if (continuedFrom === undefined) {
    throw invalidInput('checkpoint is internal state a run hands to its own continuation; a run started from outside cannot carry one');
  }
  if (checkpoint.previousRunIds[checkpoint.previousRunIds.length - 1] !== continuedFrom) {
    throw invalidInput(`checkpoint was not written by run ${continuedFrom}, the run this one continues`);
  }
}

/** Full or incremental, and from where: explicit `since`, else the previous scheduled run's watermark. */
function decideMode(options: SyncOptions): { mode: 'full' | 'incremental'; since?: string; fallbackReason?: string } {
  // Selected accounts are synced by key, like an incremental run, whatever their version.
  if (options.accountIds) return { mode: 'incremental' };
  if (options.mode === 'full') return { mode: 'full' };
  const since = options.since ?? previousWatermark();
  if (since) return { mode: 'incremental', since };
  if (options.mode === 'incremental') {
    return { mode: 'full', fallbackReason: 'no watermark: no since in the input and no previous successful scheduled run' };
  }
  return { mode: 'full' };
}

function previousWatermark(): string | undefined {
  const last = workflowInfo().lastResult as Partial<SyncReport> | undefined;
  // Read as "no watermark", an unreadable result would silently turn the scheduled run into a full one.
  const unreadable = undecodableReason(last);
  if (unreadable !== undefined) {
    throw ApplicationFailure.nonRetryable(`The previous scheduled run's result could not be decoded: ${unreadable}`, 'UndecodablePayload');
  }
  const next = last?.watermark?.next;
  return typeof next === 'string' && next.length > 0 ? next : undefined;
}

const TRACK_CHANGES_OFF = 'Track changes is off for the Dataverse account table (preflight warns about it)';

/** Why a run that was to follow a delta link syncs everything instead, for the report and the run's memo. */
function fullRunReason(read: Exclude<ReadAccountChangesResult, { kind: 'changes' }>): string {
  switch (read.kind) {
    case 'overflow':
      return `the delta since the previous run holds ${read.changes} changes, more than maxDeltaKeys (${read.maxKeys}): a full sync instead`;
    case 'expired':
      return `the previous run's delta link can no longer be used (${read.reason}): a full sync instead`;
    case 'untracked':
      return `${TRACK_CHANGES_OFF}: a full sync instead`;
    case 'started':
      return 'no delta link to follow: a full sync instead';
  }
}

/** Seconds numbering still needs at the rate of its chunks so far (infinite when it numbered nothing yet). */
function numberingSecondsLeft(result: AssignAccountNumbersResult, elapsedMs: number): number {
  const left = Math.max(0, (result.toNumber ?? result.assigned) - result.assigned);
  if (left === 0) return 0;
  return result.assigned > 0 && elapsedMs > 0 ? left / (result.assigned / (elapsedMs / 1000)) : Number.POSITIVE_INFINITY;
}

/**
 * Every number below this sequence is written once a chunk has returned (contracts.ts): the checkpoint's next
 * sequence while numbering goes on, the sequence's once done; undefined from a result that has neither.
 */
function numberedUpTo(result: AssignAccountNumbersResult): number | undefined {
  return result.done === false ? result.checkpoint?.nextSequence : result.sequence?.nextSequence;
}

function stripCheckpoint(input: SyncInput): SyncInput {
  const { checkpoint: _ignored, ...rest } = input ?? {};
  return rest;
}
