// The run's state as one pure object: what a run has done so far (counters, failures, numbering, plan, cursor) and
// where it stands. The workflow feeds it activity results and reads three views from it: the progress (query), the
// checkpoint a continuation starts from (continue-as-new) and the report (the result). No Temporal API here, and no
// clock: times come in as arguments, so the class is tested without a server and behaves the same on replay.

import type {
  ApplyCustomerHoldsResult,
  AssignAccountNumbersResult,
  NumberingFigures,
  PlanEntry,
  PlanWorkUnitsResult,
  RunHolds,
  SyncWorkUnitResult,
} from '../activities/contracts';
import type { RunNotice } from '../activities/run-notice';
import type { RecordFailure, RecordWarning } from '../domain/record-failure';
import { addWarningCounts, countWarnings, totalWarnings, type WarningCounts } from '../domain/warning-counts';
import type { PlanCursor, WorkUnit } from '../domain/work-unit';
import type { Checkpoint, OverlapState, SyncOptions } from './sync-input';
import {
  absorbUnitResult,
  emptyCounters,
  failuresForResult,
  listForResult,
  page,
  RESULT_WARNINGS_MAX_BYTES,
  topFailureCodes,
  type Counters,
  type SyncPhase,
  type SyncReport,
} from './sync-report';

export type RunMode = 'full' | 'incremental' | 'undecided';

export interface SyncProgress {
  pipeline: string;
  phase: SyncPhase;
  dryRun: boolean;
  mode: RunMode;
  paused: boolean;
  cancelRequested: boolean;
  totals: Counters;
  companies: Record<string, Counters>;
  unitsDone: number;
  unitsInFlight: number;
  unitsQueued: number;
  planningDone: boolean;
  accountsScanned: number;
  cursor: PlanCursor;
  accountNumbersAssigned: number;
  /** Values changed on their way to F&O, per code (e.g. `{ TRUNCATED: 3 }`), and their total; absent from workers of earlier releases. */
  warnings?: { total: number; byCode: WarningCounts };
  accountsPerSecond: number;
  startedAt: string;
  continuedAsNew: number;
  /** Customers blocked / unblocked so far (`deactivation: block` only). */
  holds?: RunHolds;
  /** The upgrade script while (and after) it runs in chunks; absent in runs that number in one call. */
  numbering?: NumberingProgress;
}

/** The upgrade script's progress, as its chunks report it. */
export interface NumberingProgress {
  /** Accounts numbered so far. */
  assigned: number;
  /** Active accounts that lacked a number when it started. */
  toNumber: number;
  done: boolean;
  /** Accounts numbered per second since it started, one decimal. */
  perSecond: number;
  /** Seconds until every account is numbered at that rate; undefined before the first chunk or when done. */
  etaSeconds?: number;
  /**
   * Numbers handed out by this numbering whose accounts' units have started (the run syncs beside numbering); absent
   * when it does not.
   */
  joined?: number;
}

export interface FailurePage {
  /** Failures of the whole run, including runs before a continue-as-new. */
  total: number;
  /** Failures this execution still holds; older ones beyond the carried sample are in earlier runs' histories. */
  available: number;
  offset: number;
  items: RecordFailure[];
}

/** Failures carried to a continuation: enough to show, bounded so the continuation's input stays small. */
export const CARRIED_FAILURES = 500;
/**
 * Failures an execution keeps in memory (for the result and the failures query); the rest are counted. The result
 * lists at most `maxFailuresInResult` (≤ 10,000) of the first ones, so it is the same either way; every failure is in
 * the unit results in history, which is where `p2c sync failures` exports them from. An execution used to end
 * (continue as new) after ~4 MB of history, which bounded this list; with payloads compressed that takes several
 * times more failures, and hostile data compresses best.
 */
export const KEPT_FAILURES = 10_000;
/** Plan entries carried to a continuation and listed in a dry run's report. */
export const CARRIED_PLAN_ENTRIES = 500;
/**
 * Warnings the run keeps as a sample (carried to a continuation, listed in the result): the run counts every
 * warning per code but lists no more, so its history and memory stay bounded. Every warning is in the unit results in
 * history, which is where `p2c sync failures` exports them from.
 */
export const CARRIED_WARNINGS = 100;

/** Which execution of the run this is: its own id and, for a continuation, the checkpoint it was handed. */
export interface RunStart {
  options: SyncOptions;
  runId: string;
  /** When this execution started (the workflow's clock); a continuation keeps the first execution's start. */
  now: string;
}

/** Where the unit window stands, which the workflow's scheduling loop knows and the state does not keep. */
export interface UnitWindow {
  inFlight: number;
  queued: number;
}

export class RunState {
  phase: SyncPhase = 'starting';
  paused = false;
  cancelRequested = false;
  /** Account Numbers the planner read in this execution (not carried: progress of planning, not of the run). */
  accountsScanned = 0;
  planningDone = false;
  /** Past the last unit started: where a continuation resumes planning. */
  cursor: PlanCursor;
  mode: RunMode;
  since: string | undefined;
  fallbackReason: string | undefined;
  nextWatermark: string | undefined;
  numberingSeconds: number;
  unitsDone: number;
  failuresTotal: number;
  /** Customers blocked and unblocked (`deactivation: block`); undefined while no hold was applied. */
  holds: RunHolds | undefined;
  readonly totals: Counters;
  readonly companies: Record<string, Counters>;
  readonly numbering: NumberingFigures;
  /** Set by the chunks of the upgrade script (carried only through `overlap`: otherwise a continuation starts after numbering). */
  numberingProgress: { assigned: number; toNumber: number; done: boolean } | undefined;
  /** A full run syncing beside the upgrade script (numbering-band.ts): what a continuation needs to carry on. */
  overlap: OverlapState | undefined;
  readonly startedAt: string;
  readonly continuedAsNew: number;
  private readonly options: SyncOptions;
  private readonly failures: RecordFailure[];
  private readonly warningCounts: WarningCounts;
  private readonly warningSample: RecordWarning[];
  private readonly plan: PlanEntry[];
  private readonly planTotals: { wouldCreate: number; wouldUpdate: number };
  private readonly firstRunId: string;
  private readonly previousRunIds: readonly string[];
  private readonly runId: string;
  private readonly carried: boolean;

  constructor({ options, runId, now }: RunStart) {
    const carried = options.checkpoint;
    this.options = options;
    this.runId = runId;
    this.carried = carried !== undefined;
    this.mode = carried?.mode ?? 'undecided';
    this.since = carried?.since;
    this.fallbackReason = carried?.fallbackReason;
    this.nextWatermark = carried?.nextWatermark;
    this.numberingSeconds = carried?.numberingSeconds ?? 0;
    this.cursor = carried?.cursor ?? null;
    this.unitsDone = carried?.unitsDone ?? 0;
    this.totals = carried ? { ...carried.totals } : emptyCounters();
    this.companies = carried ? cloneCompanies(carried.companies) : {};
    this.numbering = carried ? { ...carried.numbering } : { assigned: 0, wouldAssign: 0, renumbered: 0, duplicateGroups: 0 };
    this.failures = carried ? [...carried.failures] : [];
    this.failuresTotal = carried?.failuresTotal ?? 0;
    this.warningCounts = { ...carried?.warnings?.byCode };
    this.warningSample = carried?.warnings ? [...carried.warnings.sample] : [];
    this.plan = carried?.plan ? [...carried.plan] : [];
    this.planTotals = carried?.planTotals ? { ...carried.planTotals } : { wouldCreate: 0, wouldUpdate: 0 };
    this.startedAt = carried?.startedAt ?? now;
    this.firstRunId = carried?.firstRunId ?? runId;
    this.previousRunIds = carried?.previousRunIds ?? [];
    this.continuedAsNew = this.previousRunIds.length;
    this.holds = carried?.holds ? cloneHolds(carried.holds) : undefined;
    this.overlap = carried?.overlap ? cloneOverlap(carried.overlap) : undefined;
    if (this.overlap) {
      this.numberingProgress = { assigned: this.numbering.assigned, toNumber: this.overlap.toNumber, done: this.overlap.numbering === undefined };
    }
  }

  /** A continuation: mode, watermarks and numbering were settled by the first execution. */
  get isContinuation(): boolean {
    return this.carried;
  }

  /** Every company the run syncs has a line in the report, even one without accounts. */
  addCompanies(dataAreaIds: readonly string[]): void {
    for (const company of dataAreaIds) this.companies[company] ??= emptyCounters();
  }

  decideMode(decided: { mode: 'full' | 'incremental'; since?: string; fallbackReason?: string }): void {
    this.mode = decided.mode;
    this.since = decided.since;
    this.fallbackReason = decided.fallbackReason;
  }

  /**
   * One chunk of the upgrade script finished (`assigned` is cumulative): figures and failures so far, and the rate.
   * `startedMs`/`nowMs` are the workflow's clock at the first chunk's start and now.
   */
  absorbNumberingChunk(result: AssignAccountNumbersResult, startedMs: number, nowMs: number): void {
    this.numbering.assigned = result.assigned;
    this.numbering.wouldAssign = result.wouldAssign;
    this.numbering.renumbered = result.renumbered;
    this.numbering.duplicateGroups = result.duplicateGroups;
    this.numberingSeconds = (nowMs - startedMs) / 1000;
    this.numberingProgress = { assigned: result.assigned, toNumber: result.toNumber ?? result.assigned, done: result.done !== false };
    this.recordFailures(result.failures);
  }

  absorbNumbering(result: AssignAccountNumbersResult, seconds: number): void {
    this.numberingSeconds = seconds;
    this.numbering.assigned = result.assigned;
    this.numbering.wouldAssign = result.wouldAssign;
    this.numbering.renumbered = result.renumbered;
    this.numbering.duplicateGroups = result.duplicateGroups;
    this.recordFailures(result.failures);
  }

  absorbPlanning(result: PlanWorkUnitsResult): void {
    this.accountsScanned += result.scanned;
    this.planningDone = result.done;
  }

  /** A unit is started: the cursor moves past it (a continuation waits for every started unit to finish). */
  startUnit(unit: WorkUnit): void {
    this.cursor = unitEnd(unit, this.cursor);
  }

  absorbUnit(result: SyncWorkUnitResult): void {
    absorbUnitResult(this.totals, this.companies, result);
    this.recordFailures(result.failures);
    // Results recorded before warnings were counted per code have neither field.
    addWarningCounts(this.warningCounts, result.warningCounts ?? countWarnings(result.warnings ?? []));
    for (const warning of result.warnings ?? []) {
      if (this.warningSample.length >= CARRIED_WARNINGS) break;
      this.warningSample.push(warning);
    }
    for (const entry of result.plan ?? []) {
      if (entry.action === 'create') this.planTotals.wouldCreate += 1;
      else this.planTotals.wouldUpdate += 1;
      this.plan.push(entry);
    }
    this.unitsDone += 1;
  }

  /** Blocks and unblocks of customers (applyCustomerHolds), and the writes F&O refused. */
  absorbHolds(result: ApplyCustomerHoldsResult): void {
    const holds = (this.holds ??= { totals: { blocked: 0, unblocked: 0 }, companies: {} });
    holds.totals.blocked += result.totals.blocked;
    holds.totals.unblocked += result.totals.unblocked;
    for (const [company, counts] of Object.entries(result.companies)) {
      const target = (holds.companies[company] ??= { blocked: 0, unblocked: 0 });
      target.blocked += counts.blocked;
      target.unblocked += counts.unblocked;
    }
    this.recordFailures(result.failures);
  }

  progress(window: UnitWindow, nowMs: number): SyncProgress {
    return {
      pipeline: this.options.pipeline,
      phase: this.phase,
      dryRun: this.options.dryRun,
      mode: this.mode,
      paused: this.paused,
      cancelRequested: this.cancelRequested,
      totals: { ...this.totals },
      companies: cloneCompanies(this.companies),
      unitsDone: this.unitsDone,
      unitsInFlight: window.inFlight,
      unitsQueued: window.queued,
      planningDone: this.planningDone,
      accountsScanned: this.accountsScanned,
      cursor: this.cursor,
      accountNumbersAssigned: this.numbering.assigned,
      warnings: { total: totalWarnings(this.warningCounts), byCode: { ...this.warningCounts } },
      accountsPerSecond: rate(this.totals.read, this.startedAt, nowMs),
      startedAt: this.startedAt,
      continuedAsNew: this.continuedAsNew,
      ...(this.holds ? { holds: cloneHolds(this.holds) } : {}),
      ...(this.numberingProgress
        ? {
            numbering: {
              ...numberingProgressOf(this.numberingProgress, this.numberingSeconds),
              ...(this.overlap ? { joined: this.overlap.joinedTo - this.overlap.firstSequence } : {}),
            },
          }
        : {}),
    };
  }

  failuresPage(offset?: number, limit?: number): FailurePage {
    return { ...page(this.failures, offset, limit), available: this.failures.length, total: this.failuresTotal };
  }

  planPage(offset?: number, limit?: number): { total: number; offset: number; items: PlanEntry[] } {
    return page(this.plan, offset, limit);
  }

  /** What the end-of-run notification says of the run so far. */
  notice(): Omit<RunNotice, 'status' | 'finishedAt' | 'failureType'> {
    return {
      pipeline: this.options.pipeline,
      dryRun: this.options.dryRun,
      ...(this.mode !== 'undecided' ? { mode: this.mode } : {}),
      totals: { ...this.totals },
      failures: { total: this.failuresTotal, topCodes: topFailureCodes(this.failures) },
      startedAt: this.startedAt,
    };
  }

  /** What the next execution starts from: counters, cursor and bounded samples of failures and plan. */
  checkpoint(configVersion: string): Checkpoint {
    return {
      mode: this.decidedMode(),
      fallbackReason: this.fallbackReason,
      since: this.since,
      nextWatermark: this.nextWatermark ?? 'version:0',
      cursor: this.cursor,
      unitsDone: this.unitsDone,
      totals: this.totals,
      companies: this.companies,
      numbering: this.numbering,
      failures: this.failures.slice(0, CARRIED_FAILURES),
      failuresTotal: this.failuresTotal,
      ...(totalWarnings(this.warningCounts) > 0 ? { warnings: { byCode: this.warningCounts, sample: this.warningSample } } : {}),
      plan: this.options.dryRun ? this.plan.slice(0, CARRIED_PLAN_ENTRIES) : undefined,
      planTotals: this.options.dryRun ? this.planTotals : undefined,
      configVersion,
      startedAt: this.startedAt,
      firstRunId: this.firstRunId,
      previousRunIds: [...this.previousRunIds, this.runId],
      numberingSeconds: this.numberingSeconds,
      ...(this.holds ? { holds: cloneHolds(this.holds) } : {}),
      ...(this.overlap ? { overlap: cloneOverlap(this.overlap) } : {}),
    };
  }

  report(end: { workflowId: string; configVersion: string; finishedAt: string }): SyncReport {
    const { options } = this;
    const finishedMs = Date.parse(end.finishedAt);
    return {
      pipeline: options.pipeline,
      workflowId: end.workflowId,
      firstRunId: this.firstRunId,
      status: this.cancelRequested ? 'cancelled' : 'completed',
      dryRun: options.dryRun,
      mode: this.decidedMode(),
      ...(this.fallbackReason ? { fallbackReason: this.fallbackReason } : {}),
      configVersion: end.configVersion,
      totals: this.totals,
      companies: this.companies,
      accountNumbers: this.numbering,
      failures: failuresForResult(this.failures, this.failuresTotal, options.maxFailuresInResult),
      warnings: {
        ...listForResult(this.warningSample, totalWarnings(this.warningCounts), CARRIED_WARNINGS, RESULT_WARNINGS_MAX_BYTES),
        byCode: this.warningCounts,
      },
      ...(options.dryRun
        ? {
            plan: {
              ...this.planTotals,
              entries: this.plan.slice(0, CARRIED_PLAN_ENTRIES),
              truncated: this.plan.length > CARRIED_PLAN_ENTRIES,
            },
          }
        : {}),
      ...(this.holds ? { holds: cloneHolds(this.holds) } : {}),
      // A cancelled or dry run has not brought everything up to the watermark: the next run starts where this one did.
      watermark: {
        ...(this.since ? { since: this.since } : {}),
        // A run of selected accounts did not look at the others: it moves no watermark either.
        ...(options.dryRun || options.accountIds ? {} : { next: this.cancelRequested ? this.since : this.nextWatermark }),
      },
      timings: {
        startedAt: this.startedAt,
        finishedAt: end.finishedAt,
        seconds: (finishedMs - Date.parse(this.startedAt)) / 1000,
        numberingSeconds: this.numberingSeconds,
        accountsPerSecond: rate(this.totals.read, this.startedAt, finishedMs),
      },
      continuedAsNew: this.continuedAsNew,
    };
  }

  private decidedMode(): 'full' | 'incremental' {
    return this.mode === 'undecided' ? 'full' : this.mode;
  }

  private recordFailures(list: readonly RecordFailure[]): void {
    this.failuresTotal += list.length;
    for (const failure of list) {
      if (this.failures.length >= KEPT_FAILURES) break;
      this.failures.push(failure);
    }
  }
}

/**
 * Where planning would resume after this unit. A unit without an end of its own (a range open at the end, a key
 * list of invalid numbers only) is the last one planned, so a continuation never carries its cursor; its start is
 * the safe answer anyway (resuming there repeats the unit, which is idempotent).
 */
export function unitEnd(unit: WorkUnit, current: PlanCursor): PlanCursor {
  if (unit.kind === 'range') return unit.upTo ?? unit.after;
  return unit.keys[unit.keys.length - 1] ?? current;
}

function cloneOverlap(overlap: OverlapState): OverlapState {
  return { ...overlap, ...(overlap.numbering ? { numbering: { ...overlap.numbering, refused: [...overlap.numbering.refused] } } : {}) };
}

function cloneHolds(holds: RunHolds): RunHolds {
  return {
    totals: { ...holds.totals },
    companies: Object.fromEntries(Object.entries(holds.companies).map(([company, counts]) => [company, { ...counts }])),
  };
}

function cloneCompanies(companies: Record<string, Counters>): Record<string, Counters> {
  return Object.fromEntries(Object.entries(companies).map(([company, counters]) => [company, { ...counters }]));
}

/** Rate and time left of the upgrade script, from its figures and the seconds it has run. */
export function numberingProgressOf(figures: { assigned: number; toNumber: number; done: boolean }, seconds: number): NumberingProgress {
  const perSecond = seconds > 0 ? Math.round((figures.assigned / seconds) * 10) / 10 : 0;
  const left = Math.max(0, figures.toNumber - figures.assigned);
  const etaSeconds = !figures.done && perSecond > 0 ? Math.ceil(left / perSecond) : undefined;
  return { assigned: figures.assigned, toNumber: figures.toNumber, done: figures.done, perSecond, ...(etaSeconds !== undefined ? { etaSeconds } : {}) };
}

/** Accounts read per second since the run started, one decimal. */
export function rate(read: number, startedAt: string, nowMs: number): number {
  const seconds = (nowMs - Date.parse(startedAt)) / 1000;
  return seconds > 0 ? Math.round((read / seconds) * 10) / 10 : 0;
}
