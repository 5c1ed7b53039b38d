// A live workflow's state as one pure object: where the change feed stands, what the pipeline has done since it
// started live, and its health. The workflow feeds it activity results and reads three views from it: the progress
// (query), the checkpoint a continuation starts from (continue-as-new) and the report (the result when stopped).
// No Temporal API and no clock here: times come in as arguments, so it is tested without a server and replays alike.

import type { ApplyCustomerHoldsResult, SyncWorkUnitResult } from '../activities/contracts';
import type { RecordFailure } from '../domain/record-failure';
import { addWarningCounts, countWarnings, type WarningCounts } from '../domain/warning-counts';
import type { CatchUpPosition, LiveCheckpoint, LiveOptions } from './live-input';
import { absorbUnitResult, emptyCounters, failuresForResult, page, type Counters } from './sync-report';

export type LivePhase = 'starting' | 'catching-up' | 'polling' | 'waiting' | 'paused' | 'backing-off' | 'stopping' | 'stopped';

export interface LiveCounts {
  /** Reads of the change feed that completed. */
  polls: number;
  /** Changes the feed reported: accounts created or changed, deactivated, deleted, and new without a number. */
  changesSeen: number;
  blocked: number;
  unblocked: number;
  accountNumbersAssigned: number;
  /** Times the feed had to start again from a full pass (link expired, or more changes than one read carries). */
  deltaRestarts: number;
  failures: number;
}

/** What one poll found: counts only (the accounts themselves are read by the sync activities). */
export interface PollChanges {
  changed: number;
  deactivated: number;
  deleted: number;
  unnumbered: number;
}

export interface LiveProgress {
  pipeline: string;
  phase: LivePhase;
  paused: boolean;
  stopRequested: boolean;
  pollSeconds: number;
  health: 'ok' | 'degraded';
  /** While polling fails: since when, how often in a row, the last classified cause, when the next attempt is. */
  failingSince?: string;
  consecutiveFailures: number;
  lastError?: { type: string; message: string };
  nextAttemptAt?: string;
  /** The full pass a fresh live pipeline (or a restarted feed) does before following changes. */
  catchUp: { done: boolean; reason?: string };
  lastPollAt?: string;
  lastPollChanges?: PollChanges;
  lastChangeAt?: string;
  lastChanges?: PollChanges;
  /** Every change committed in Dataverse before this time is in F&O. */
  syncedUpTo?: string;
  /** Seconds between syncedUpTo and the workflow's clock when queried (the CLI recomputes it with its own clock). */
  lagSeconds?: number;
  totals: Counters;
  companies: Record<string, Counters>;
  counts: LiveCounts;
  /** Values written changed on their way to F&O, per code (e.g. `{ TRUNCATED: 3 }`). */
  warnings: WarningCounts;
  startedAt: string;
  continuedAsNew: number;
}

export interface LiveReport {
  pipeline: string;
  workflowId: string;
  firstRunId: string;
  status: 'stopped';
  totals: Counters;
  companies: Record<string, Counters>;
  counts: LiveCounts;
  failures: { total: number; shown: RecordFailure[]; truncated: boolean };
  warnings: WarningCounts;
  lastPollAt?: string;
  syncedUpTo?: string;
  startedAt: string;
  finishedAt: string;
  continuedAsNew: number;
}

const NO_CHANGES: PollChanges = { changed: 0, deactivated: 0, deleted: 0, unnumbered: 0 };

export class LiveState {
  phase: LivePhase = 'starting';
  paused: boolean;
  stopRequested = false;
  link: string | undefined;
  catchUpDone: boolean;
  catchUpReason: string | undefined;
  /** The Account Number sequence after the last numbering (carried: later numberings read no full scan). */
  sequence: LiveCheckpoint['sequence'];
  /** A full pass in progress (carried, so a continuation resumes it where it stood). */
  catchUp: CatchUpPosition | undefined;
  nextAttemptAt: string | undefined;
  readonly totals: Counters;
  readonly companies: Record<string, Counters>;
  readonly startedAt: string;
  readonly continuedAsNew: number;
  private readonly counts: LiveCounts;
  private readonly failures: RecordFailure[];
  private readonly warnings: WarningCounts;
  private lastPollAt: string | undefined;
  private lastPollChanges: PollChanges | undefined;
  private lastChangeAt: string | undefined;
  private lastChanges: PollChanges | undefined;
  private syncedUpTo: string | undefined;
  private failingSince: string | undefined;
  private consecutiveFailures: number;
  private lastError: { type: string; message: string } | undefined;
  private readonly firstRunId: string;

  constructor(
    private readonly options: LiveOptions,
    private readonly runId: string,
    now: string,
  ) {
    const carried = options.checkpoint;
    this.link = carried?.link;
    this.catchUp = carried?.catchUp;
    this.sequence = carried?.sequence;
    this.catchUpDone = carried?.initialReadDone ?? false;
    this.catchUpReason = carried?.catchUpReason;
    this.paused = carried?.paused ?? false;
    this.totals = carried ? { ...carried.totals } : emptyCounters();
    this.companies = carried ? cloneCompanies(carried.companies) : {};
    this.counts = {
      polls: carried?.polls ?? 0,
      changesSeen: carried?.changesSeen ?? 0,
      blocked: carried?.blocked ?? 0,
      unblocked: carried?.unblocked ?? 0,
      accountNumbersAssigned: carried?.accountNumbersAssigned ?? 0,
      deltaRestarts: carried?.deltaRestarts ?? 0,
      failures: carried?.failuresTotal ?? 0,
    };
    this.failures = carried ? [...carried.failures] : [];
    this.warnings = { ...carried?.warnings };
    this.lastPollAt = carried?.lastPollAt;
    this.lastChangeAt = carried?.lastChangeAt;
    this.lastPollChanges = carried?.lastPollChanges;
    this.lastChanges = carried?.lastChanges;
    this.syncedUpTo = carried?.syncedUpTo;
    this.failingSince = carried?.failingSince;
    this.consecutiveFailures = carried?.consecutiveFailures ?? 0;
    this.lastError = carried?.lastError;
    this.startedAt = carried?.startedAt ?? now;
    this.firstRunId = carried?.firstRunId ?? runId;
    this.continuedAsNew = carried ? carried.continuedAsNew + 1 : 0;
  }

  get isContinuation(): boolean {
    return this.options.checkpoint !== undefined;
  }

  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  /** Seconds polling has been failing without a break (0 when healthy). */
  failingSeconds(nowMs: number): number {
    return this.failingSince === undefined ? 0 : (nowMs - Date.parse(this.failingSince)) / 1000;
  }

  addCompanies(dataAreaIds: readonly string[]): void {
    for (const company of dataAreaIds) this.companies[company] ??= emptyCounters();
  }

  /** The feed must be read from scratch: a full pass first (a fresh pipeline, an expired link, too many changes). */
  restartFeed(reason: string): void {
    this.link = undefined;
    this.catchUp = undefined;
    this.catchUpDone = false;
    this.catchUpReason = reason;
    this.counts.deltaRestarts += 1;
  }

  /** The full pass is done: from now on, only changes after `link` (taken before the pass read anything). */
  finishCatchUp(link: string, startedAt: string): void {
    this.link = link;
    this.catchUp = undefined;
    this.catchUpDone = true;
    this.catchUpReason = undefined;
    this.syncedUpTo = startedAt;
    this.recover();
  }

  absorbUnit(result: SyncWorkUnitResult): void {
    absorbUnitResult(this.totals, this.companies, result);
    this.recordFailures(result.failures);
    addWarningCounts(this.warnings, result.warningCounts ?? countWarnings(result.warnings ?? []));
  }

  absorbHolds(result: ApplyCustomerHoldsResult): void {
    this.counts.blocked += result.totals.blocked;
    this.counts.unblocked += result.totals.unblocked;
    this.recordFailures(result.failures);
  }

  absorbNumbering(result: { assigned: number; failures: readonly RecordFailure[]; sequence?: LiveCheckpoint['sequence'] }): void {
    this.counts.accountNumbersAssigned += result.assigned;
    this.recordFailures(result.failures);
    if (result.sequence) this.sequence = { ...result.sequence };
  }

  /** A poll was read and everything it reported is in F&O: the feed moves to `link`. */
  completePoll(poll: { link: string; readAt: string; finishedAt: string; changes: PollChanges }): void {
    this.link = poll.link;
    this.counts.polls += 1;
    const seen = poll.changes.changed + poll.changes.deactivated + poll.changes.deleted + poll.changes.unnumbered;
    this.counts.changesSeen += seen;
    this.lastPollAt = poll.finishedAt;
    this.lastPollChanges = poll.changes;
    if (seen > 0) {
      this.lastChangeAt = poll.finishedAt;
      this.lastChanges = poll.changes;
    }
    this.syncedUpTo = poll.readAt;
    this.recover();
  }

  /** A poll (or catch-up step) failed with a cause that waiting can cure. */
  recordFailure(error: { type: string; message: string }, now: string): void {
    this.failingSince ??= now;
    this.consecutiveFailures += 1;
    this.lastError = error;
  }

  recover(): void {
    this.failingSince = undefined;
    this.consecutiveFailures = 0;
    this.lastError = undefined;
    this.nextAttemptAt = undefined;
  }

  /** How long to wait before the next attempt: pollSeconds, doubled per failure in a row, at most maxBackoffSeconds. */
  backoffSeconds(): number {
    const { pollSeconds, maxBackoffSeconds } = this.options;
    if (this.consecutiveFailures === 0) return pollSeconds;
    const doubled = pollSeconds * 2 ** Math.min(this.consecutiveFailures - 1, 30);
    return Math.min(Math.max(doubled, pollSeconds), maxBackoffSeconds);
  }

  progress(nowMs: number): LiveProgress {
    return {
      pipeline: this.options.pipeline,
      phase: this.phase,
      paused: this.paused,
      stopRequested: this.stopRequested,
      pollSeconds: this.options.pollSeconds,
      health: this.failing ? 'degraded' : 'ok',
      ...(this.failingSince ? { failingSince: this.failingSince } : {}),
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
      ...(this.nextAttemptAt ? { nextAttemptAt: this.nextAttemptAt } : {}),
      catchUp: { done: this.catchUpDone, ...(this.catchUpReason ? { reason: this.catchUpReason } : {}) },
      ...(this.lastPollAt ? { lastPollAt: this.lastPollAt } : {}),
      lastPollChanges: this.lastPollChanges ?? NO_CHANGES,
      ...(this.lastChangeAt ? { lastChangeAt: this.lastChangeAt } : {}),
      ...(this.lastChanges ? { lastChanges: this.lastChanges } : {}),
      ...(this.syncedUpTo ? { syncedUpTo: this.syncedUpTo, lagSeconds: Math.max(0, (nowMs - Date.parse(this.syncedUpTo)) / 1000) } : {}),
      totals: { ...this.totals },
      companies: cloneCompanies(this.companies),
      counts: { ...this.counts },
      warnings: { ...this.warnings },
      startedAt: this.startedAt,
      continuedAsNew: this.continuedAsNew,
    };
  }

  failuresPage(offset?: number, limit?: number): { total: number; available: number; offset: number; items: RecordFailure[] } {
    return { ...page(this.failures, offset, limit), available: this.failures.length, total: this.counts.failures };
  }

  checkpoint(): LiveCheckpoint {
    return {
      ...(this.link ? { link: this.link } : {}),
      ...(this.sequence ? { sequence: { ...this.sequence } } : {}),
      initialReadDone: this.catchUpDone,
      ...(this.catchUp ? { catchUp: { ...this.catchUp } } : {}),
      ...(this.catchUpReason ? { catchUpReason: this.catchUpReason } : {}),
      totals: { ...this.totals },
      companies: cloneCompanies(this.companies),
      blocked: this.counts.blocked,
      unblocked: this.counts.unblocked,
      accountNumbersAssigned: this.counts.accountNumbersAssigned,
      changesSeen: this.counts.changesSeen,
      polls: this.counts.polls,
      deltaRestarts: this.counts.deltaRestarts,
      failures: this.failures.slice(-this.options.maxFailuresKept),
      failuresTotal: this.counts.failures,
      ...(Object.keys(this.warnings).length > 0 ? { warnings: { ...this.warnings } } : {}),
      ...(this.lastPollAt ? { lastPollAt: this.lastPollAt } : {}),
      ...(this.lastChangeAt ? { lastChangeAt: this.lastChangeAt } : {}),
      ...(this.lastPollChanges ? { lastPollChanges: { ...this.lastPollChanges } } : {}),
      ...(this.lastChanges ? { lastChanges: { ...this.lastChanges } } : {}),
      ...(this.syncedUpTo ? { syncedUpTo: this.syncedUpTo } : {}),
      paused: this.paused,
      ...(this.failingSince ? { failingSince: this.failingSince } : {}),
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
      startedAt: this.startedAt,
      firstRunId: this.firstRunId,
      lastRunId: this.runId,
      continuedAsNew: this.continuedAsNew,
    };
  }

  report(end: { workflowId: string; finishedAt: string; maxFailures: number }): LiveReport {
    return {
      pipeline: this.options.pipeline,
      workflowId: end.workflowId,
      firstRunId: this.firstRunId,
      status: 'stopped',
      totals: { ...this.totals },
      companies: cloneCompanies(this.companies),
      counts: { ...this.counts },
      failures: failuresForResult(this.failures, this.counts.failures, end.maxFailures),
      warnings: { ...this.warnings },
      ...(this.lastPollAt ? { lastPollAt: this.lastPollAt } : {}),
      ...(this.syncedUpTo ? { syncedUpTo: this.syncedUpTo } : {}),
      startedAt: this.startedAt,
      finishedAt: end.finishedAt,
      continuedAsNew: this.continuedAsNew,
    };
  }

  /** The newest failures are kept (a live pipeline runs for months; the oldest matter least). */
  private recordFailures(list: readonly RecordFailure[]): void {
    this.counts.failures += list.length;
    this.failures.push(...list);
    const excess = this.failures.length - this.options.maxFailuresKept;
    if (excess > 0) this.failures.splice(0, excess);
  }
}

function cloneCompanies(companies: Record<string, Counters>): Record<string, Counters> {
  return Object.fromEntries(Object.entries(companies).map(([company, counters]) => [company, { ...counters }]));
}
