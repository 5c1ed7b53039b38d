import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  TemporalFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { CompanyScope, PreflightResult } from '../activities/contracts';
import { undecodableReason } from '../codec/undecodable-payload';
import { describeIssues } from '../domain/describe-issues';
import type { RecordFailure } from '../domain/record-failure';
import type { WorkUnit } from '../domain/work-unit';
import {
  COMPANIES_ATTRIBUTE,
  CREATED_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  FAILED_ATTRIBUTE,
  MODE_ATTRIBUTE,
  OUTCOME_ATTRIBUTE,
  PIPELINE_ATTRIBUTE,
  UPDATED_ATTRIBUTE,
} from '../temporal/search-attributes';
import { liveInputSchema, type LiveCheckpoint, type LiveInput, type LiveOptions } from './live-input';
import { LiveState, type LiveProgress, type LiveReport, type PollChanges } from './live-state';
import { holdPipelineLockAcrossContinuations, releaseLiveLock } from './pipeline-lock';
import { cancelSignal, pauseSignal, resumeSignal } from './sync-accounts';

export type { LiveProgress, LiveReport } from './live-state';
export type { LiveInput } from './live-input';

// Live mode: one long-running workflow per pipeline follows Dataverse's change feed (change tracking, delta links)
// and carries each change to F&O within seconds, through the same activities as a sync run (syncWorkUnit with key
// lists, applyCustomerHolds, assignAccountNumbers). A workflow, not a loop in the worker, so that a poll interrupted
// by a crash resumes from the last link whose changes are all in F&O — never skipping one, never writing one twice
// (the activities write only differences) — and so that it can be watched, paused and stopped like a run.
//
// It holds its pipeline's lock for its whole life, across continue-as-new, so no scheduled or manual full run of the
// pipeline writes beside it; a live start while a full run holds the lock is refused (PipelineBusy, naming the run):
// an operator asking for live mode learns at once that something else writes, rather than a start that waits for
// hours. History stays bounded: the workflow continues as new with the link and counters (never records) before its
// history grows.
//
// Failures are classified like an operations team expects of a service that runs for months. A configuration error
// (InvalidConfiguration, Track changes off, a bug: UnexpectedError) fails the workflow at once: waiting cannot fix
// it. Anything else (a service down, throttled past its limits, timing out) keeps the workflow up: the cycle is tried
// again from the same link after a backoff that doubles from pollSeconds up to maxBackoffSeconds, the progress query
// says `degraded` with the last cause, and the run is labelled `P2cOutcome = degraded` for alerts. After
// giveUpAfterSeconds of failure without a break (default a day) it fails with the last cause, so it shows among
// failed workflows instead of degrading silently for ever.

export const liveProgressQuery = defineQuery<LiveProgress>('progress');
export const liveFailuresQuery = defineQuery<
  { total: number; available: number; offset: number; items: RecordFailure[] },
  [{ offset?: number; limit?: number }?]
>('failures');
export { cancelSignal as stopSignal, pauseSignal, resumeSignal };

/** Workflow id `p2c live start` gives a pipeline's live workflow. */
export function liveWorkflowId(pipeline: string): string {
  return `p2c-live-${pipeline}`;
}

/** Most keys one read of the feed carries (h13's readAccountChanges keeps its result below ~200 KB with this). */
const MAX_KEYS_PER_POLL = 5000;
/** Units planned per step of a full pass: the window is kept busy, and the cursor moves after each step. */
const PLAN_AHEAD_FACTOR = 3;
const CONFIGURATION_ERRORS = ['InvalidConfiguration', 'InvalidInput', 'AccountNumbersExhausted', 'UnexpectedError', 'LiveNotPossible'];

/**
 * Activity stubs. Every activity of a poll gives up after a few minutes (schedule-to-close), so a service that is
 * down shows as `degraded` within minutes and the cycle is retried by the workflow's backoff, not inside one endless
 * activity. The full pass (catch-up) has the sync's longer limits.
 */
function liveActivities(options: LiveOptions) {
  const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: CONFIGURATION_ERRORS } as const;
  const heartbeatTimeout = options.heartbeatTimeoutSeconds * 1000;
  const minutes = 60_000;
  const poll = proxyActivities<Activities>({ retry, startToCloseTimeout: 2 * minutes, scheduleToCloseTimeout: 3 * minutes, heartbeatTimeout });
  const work = proxyActivities<Activities>({ retry, startToCloseTimeout: 5 * minutes, scheduleToCloseTimeout: 10 * minutes, heartbeatTimeout });
  const pass = proxyActivities<Activities>({ retry, startToCloseTimeout: 30 * minutes, scheduleToCloseTimeout: 45 * minutes, heartbeatTimeout });
  const numbering = proxyActivities<Activities>({ retry, startToCloseTimeout: 240 * minutes, scheduleToCloseTimeout: 250 * minutes, heartbeatTimeout });
  const locking = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { ...retry, nonRetryableErrorTypes: [], maximumAttempts: 5 } });
  return {
    preflight: work.preflight,
    readChanges: poll.readAccountChanges,
    startFeed: pass.readAccountChanges,
    syncWorkUnit: work.syncWorkUnit,
    applyCustomerHolds: work.applyCustomerHolds,
    planWorkUnits: pass.planWorkUnits,
    fullHolds: pass.applyCustomerHolds,
    assignAccountNumbers: numbering.assignAccountNumbers,
    locking: { pipelineLockId: locking.pipelineLockId, describePipelineLock: locking.describePipelineLock },
  };
}

type LiveActivities = ReturnType<typeof liveActivities>;

/** Everything preflight decided for this execution. */
interface Setup {
  scopes: CompanyScope[];
  companies: string[];
  block: boolean;
  configVersion: string;
}

export async function liveSync(input: LiveInput = {}, ...extraArguments: unknown[]): Promise<LiveReport> {
  const options = parseLiveInput(input, extraArguments);
  const info = workflowInfo();
  const state = new LiveState(options, info.runId, new Date().toISOString());
  let signals = 0;
  setHandler(pauseSignal, () => {
    state.paused = true;
    signals += 1;
  });
  setHandler(resumeSignal, () => {
    state.paused = false;
    signals += 1;
  });
  setHandler(cancelSignal, () => {
    state.stopRequested = true;
    signals += 1;
  });
  setHandler(liveProgressQuery, () => state.progress(Date.now()));
  setHandler(liveFailuresQuery, (request) => state.failuresPage(request?.offset, request?.limit));
  labelStart(options);

  const activities = liveActivities(options);
  let lock: string | undefined;
  try {
    lock = await holdPipelineLockAcrossContinuations(options.pipeline, activities.locking);
    const report = await follow(options, state, activities, input, () => signals);
    await releaseLiveLock(lock).catch(() => undefined);
    labelEnd(report.failures.total > 0 ? 'with-failures' : 'ok', state);
    return report;
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    // Stopped by Temporal's cancellation or failed: the lock goes with it (a lock that is not ours is not touched).
    if (lock) await releaseLiveLock(lock).catch(() => undefined);
    labelEnd(isCancellation(error) ? 'cancelled' : 'failed', state);
    throw error;
  }
}

async function follow(options: LiveOptions, state: LiveState, activities: LiveActivities, input: LiveInput, signals: () => number): Promise<LiveReport> {
  let setup: Setup | undefined;
  let degradedLabel = state.failing;
  for (;;) {
    if (state.stopRequested) break;
    if (state.paused) {
      state.phase = 'paused';
      await condition(() => !state.paused || state.stopRequested);
      continue;
    }
    const cycleStart = Date.now();
    let again = false;
    try {
      setup ??= await prepare(options, state, activities);
      if (!state.catchUpDone) {
        await catchUp(options, state, activities, setup, input);
        again = state.catchUpDone;
      } else {
        again = await poll(options, state, activities, setup);
      }
    } catch (error) {
      if (error instanceof ContinueAsNew || isCancellation(error)) throw error;
      const cause = classify(error);
      if (cause.fatal) throw ApplicationFailure.nonRetryable(cause.message, cause.type);
      state.recordFailure({ type: cause.type, message: cause.message }, new Date().toISOString());
      log.warn('live poll failed; retrying after a backoff', { pipeline: options.pipeline, type: cause.type });
      if (options.giveUpAfterSeconds > 0 && state.failingSeconds(Date.now()) >= options.giveUpAfterSeconds) {
        throw ApplicationFailure.nonRetryable(
          `live sync of pipeline '${options.pipeline}' gave up after ${Math.round(state.failingSeconds(Date.now()))} s of failing polls ` +
            `(giveUpAfterSeconds ${options.giveUpAfterSeconds}); last cause (${cause.type}): ${cause.message}`,
          'ServiceUnreachable',
        );
      }
    }
    if (state.failing !== degradedLabel) {
      degradedLabel = state.failing;
      upsertSearchAttributes([{ key: OUTCOME_ATTRIBUTE, value: degradedLabel ? 'degraded' : 'running' }]);
    }
    await continueIfLong(options, state, input);
    const delayMs = state.failing ? state.backoffSeconds() * 1000 : again ? 0 : Math.max(0, cycleStart + options.pollSeconds * 1000 - Date.now());
    if (delayMs > 0) {
      state.phase = state.failing ? 'backing-off' : 'waiting';
      state.nextAttemptAt = new Date(Date.now() + delayMs).toISOString();
      const seen = signals();
      await condition(() => signals() !== seen && (state.stopRequested || state.paused), delayMs);
      state.nextAttemptAt = undefined;
    }
  }
  state.phase = 'stopped';
  return state.report({ workflowId: workflowInfo().workflowId, finishedAt: new Date().toISOString(), maxFailures: options.maxFailuresKept });
}

/** Preflight, once per execution: the configuration may have changed with a new worker since the last one. */
async function prepare(options: LiveOptions, state: LiveState, activities: LiveActivities): Promise<Setup> {
  state.phase = 'starting';
  const requested = options.companies ?? (options.company ? [options.company] : undefined);
  const checked: PreflightResult = await activities.preflight({ companies: requested });
  if (checked.changeTracking === false) {
    throw ApplicationFailure.nonRetryable(
      `live sync of pipeline '${options.pipeline}' needs change tracking: turn on "Track changes" for the Account table in Dataverse (Power Apps: Tables > Account > Properties > Advanced options), then start it again`,
      'LiveNotPossible',
    );
  }
  const companies = checked.companies.map((scope) => scope.dataAreaId);
  state.addCompanies(companies);
  upsertMemo({ configVersion: checked.configVersion, pipeline: options.pipeline });
  return { scopes: checked.companies, companies, block: checked.deactivation === 'block', configVersion: checked.configVersion };
}

/**
 * The full pass before following the feed (a fresh live pipeline, an expired link, more changes than one read
 * carries): number the accounts without a number, start the feed (its link is taken before anything is read, so a
 * change committed during the pass is in the next poll), then sync every account and, under `block`, every hold.
 * Writes only differences, like any sync. Its position is carried across continue-as-new.
 */
async function catchUp(options: LiveOptions, state: LiveState, activities: LiveActivities, setup: Setup, input: LiveInput): Promise<void> {
  state.phase = 'catching-up';
  state.catchUp ??= { cursor: null, numbered: false, startedAt: new Date().toISOString() };
  const position = state.catchUp;
  if (!position.numbered) {
    state.absorbNumbering(await activities.assignAccountNumbers({ dryRun: false, duplicatePolicy: 'report' }));
    position.numbered = true;
  }
  if (position.link === undefined) {
    position.startedAt = new Date().toISOString();
    const started = await activities.startFeed({ unitSize: options.unitSize, pageSize: options.pageSize, maxKeys: MAX_KEYS_PER_POLL });
    if (started.kind === 'untracked') throw ApplicationFailure.nonRetryable(`live sync of pipeline '${options.pipeline}' needs change tracking: ${started.reason}`, 'LiveNotPossible');
    if (started.kind !== 'started') throw ApplicationFailure.retryable(`starting the change feed answered '${started.kind}'`, 'FeedNotStarted');
    position.link = started.deltaLink;
  }
  for (;;) {
    const planned = await activities.planWorkUnits({
      cursor: position.cursor,
      unitSize: options.unitSize,
      maxUnits: options.maxConcurrentUnits * PLAN_AHEAD_FACTOR,
      pageSize: options.pageSize,
    });
    await syncUnits(options, state, activities, setup, planned.units);
    position.cursor = planned.cursor;
    if (planned.done) break;
    await continueIfLong(options, state, input);
    // Stopped or paused mid-pass: the position is kept, and the pass goes on from it after a resume.
    if (state.stopRequested || state.paused) return;
  }
  if (setup.block) {
    state.absorbHolds(await activities.fullHolds({ companies: setup.companies, block: [], unblock: [], scan: 'all', dryRun: false }));
  }
  state.finishCatchUp(position.link, position.startedAt);
}

/**
 * One read of the feed and everything it reported carried to F&O; the feed moves past it only then. Says whether to
 * read again at once (accounts were just numbered: their numbers are the next changes).
 */
async function poll(options: LiveOptions, state: LiveState, activities: LiveActivities, setup: Setup): Promise<boolean> {
  state.phase = 'polling';
  const link = state.link;
  if (link === undefined) {
    state.restartFeed('no change-tracking link');
    return true;
  }
  const readAt = new Date().toISOString();
  const read = await activities.readChanges({ deltaLink: link, unitSize: options.unitSize, pageSize: options.pageSize, maxKeys: MAX_KEYS_PER_POLL });
  if (read.kind === 'expired') {
    state.restartFeed(`the change-tracking link can no longer be used (${read.reason}): a full pass, then live again`);
    return true;
  }
  if (read.kind === 'overflow') {
    state.restartFeed(`${read.changes} changes since the last poll, more than one poll carries (${read.maxKeys}): a full pass, then live again`);
    return true;
  }
  if (read.kind === 'untracked') throw ApplicationFailure.nonRetryable(`live sync of pipeline '${options.pipeline}' needs change tracking: ${read.reason}`, 'LiveNotPossible');
  if (read.kind === 'started') throw ApplicationFailure.retryable('the change feed started again although a link was given', 'FeedNotStarted');

  await syncUnits(options, state, activities, setup, read.units);
  if (setup.block && (read.deactivated.length > 0 || read.deleted > 0 || read.changed > 0)) {
    const unblock = read.units.flatMap((unit) => unit.keys);
    state.absorbHolds(
      await activities.applyCustomerHolds({
        companies: setup.companies,
        block: read.deactivated,
        unblock,
        // Tombstones carry only the id: deleted accounts' customers are found by what no active account carries.
        scan: read.deleted > 0 ? 'orphans' : 'none',
        dryRun: false,
      }),
    );
  }
  let numbered = 0;
  if (read.unnumbered > 0) {
    // Only the new accounts: the sequence goes on from the last numbering, without a scan of every number.
    const result = await activities.assignAccountNumbers({ dryRun: false, duplicatePolicy: 'report', ...(state.sequence ? { after: state.sequence } : {}) });
    state.absorbNumbering(result);
    numbered = result.assigned;
  }
  const changes: PollChanges = { changed: read.changed, deactivated: read.deactivated.length, deleted: read.deleted, unnumbered: read.unnumbered };
  state.completePoll({ link: read.deltaLink, readAt, finishedAt: new Date().toISOString(), changes });
  return numbered > 0;
}

/** The units through a window of maxConcurrentUnits activities; the first failure fails the step once all settled. */
async function syncUnits(options: LiveOptions, state: LiveState, activities: LiveActivities, setup: Setup, units: readonly WorkUnit[]): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (failure === undefined && next < units.length) {
      const unit = units[next] as WorkUnit;
      next += 1;
      try {
        state.absorbUnit(await activities.syncWorkUnit({ unit, companies: setup.scopes, dryRun: false }));
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.maxConcurrentUnits, units.length) }, lane));
  if (failure !== undefined) throw failure;
}

/** Continue as new with the feed's position and counters once history is long (never mid-activity). */
async function continueIfLong(options: LiveOptions, state: LiveState, input: LiveInput): Promise<void> {
  const history = workflowInfo();
  if (history.historyLength < options.continueAsNewAfterEvents && !history.continueAsNewSuggested) return;
  await condition(allHandlersFinished);
  const { checkpoint: _previous, ...rest } = input;
  await continueAsNew<typeof liveSync>({ ...rest, checkpoint: state.checkpoint() });
}

/** Configuration problems fail the workflow; anything else is worth waiting for. One line with the cause either way. */
function classify(error: unknown): { fatal: boolean; type: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const activity = error instanceof ActivityFailure ? `${error.activityType}: ` : '';
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? 'Error';
    return { fatal: cause.nonRetryable === true && CONFIGURATION_ERRORS.includes(type), type, message: `${activity}${cause.message}` };
  }
  if (cause instanceof TemporalFailure) {
    // A timeout (the service answered too slowly for too long) or another failure of the activity itself.
    const inner = cause.cause instanceof Error ? `; last cause: ${cause.cause.message}` : '';
    return { fatal: false, type: cause.name, message: `${activity}${cause.message}${inner}` };
  }
  return { fatal: false, type: cause instanceof Error ? cause.name : 'Error', message: `${activity}${cause instanceof Error ? cause.message : String(cause)}` };
}

function labelStart(options: LiveOptions): void {
  const companies = options.companies ?? (options.company ? [options.company] : undefined);
  const updates: SearchAttributeUpdatePair[] = [
    { key: PIPELINE_ATTRIBUTE, value: options.pipeline },
    { key: MODE_ATTRIBUTE, value: 'live' },
    { key: DRY_RUN_ATTRIBUTE, value: false },
    { key: OUTCOME_ATTRIBUTE, value: options.checkpoint?.failingSince ? 'degraded' : 'running' },
  ];
  if (companies) updates.push({ key: COMPANIES_ATTRIBUTE, value: companies });
  upsertSearchAttributes(updates);
}

function labelEnd(outcome: 'ok' | 'with-failures' | 'failed' | 'cancelled', state: LiveState): void {
  const { totals, counts } = state.progress(Date.now());
  upsertSearchAttributes([
    { key: OUTCOME_ATTRIBUTE, value: outcome },
    { key: CREATED_ATTRIBUTE, value: totals.created },
    { key: UPDATED_ATTRIBUTE, value: totals.updated },
    { key: FAILED_ATTRIBUTE, value: counts.failures },
  ]);
}

function parseLiveInput(input: LiveInput, extraArguments: readonly unknown[]): LiveOptions {
  [input, ...extraArguments].forEach((arg, index) => {
    const reason = undecodableReason(arg);
    if (reason !== undefined) throw invalidInput(`argument ${index + 1} could not be decoded: ${reason}`);
  });
  if (extraArguments.length > 0) throw invalidInput(`liveSync takes one JSON object, got ${extraArguments.length + 1} arguments (one --input, not several)`);
  const parsed = liveInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = describeIssues(parsed.error);
    throw invalidInput(problems.join('; '), { problems });
  }
  if (parsed.data.company && parsed.data.companies) throw invalidInput('give either company or companies, not both');
  if (parsed.data.checkpoint) refuseForeignCheckpoint(parsed.data.checkpoint);
  return parsed.data;
}

/** The checkpoint is state a run hands to its own continuation; from outside it would set the feed's position. */
function refuseForeignCheckpoint(checkpoint: LiveCheckpoint): void {
  const continuedFrom = workflowInfo().continuedFromExecutionRunId;
  if (continuedFrom === undefined) {
    throw invalidInput('checkpoint is internal state a run hands to its own continuation; a run started from outside cannot carry one');
  }
  if (checkpoint.lastRunId !== continuedFrom) throw invalidInput(`checkpoint was not written by run ${continuedFrom}, the run this one continues`);
}

function invalidInput(reason: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`Invalid input: ${reason}`, 'InvalidInput', ...(details === undefined ? [] : [details]));
}
