// Inputs and results of the activities, shared with the workflow. Everything here travels through workflow history,
// so it carries keys, counters and failures — never pages of records. The workflow bundle imports this module (the
// schemas of counters, numbering figures and plan entries validate its checkpoint): zod and domain types only, no I/O.
import { z } from 'zod';
import type { ChangeWatermark, KeysUnit, PlanCursor, WorkUnit } from '../domain/work-unit';
import type { NumberingBand } from '../domain/numbering-band';
import { WARNING_CODE_LIST, type RecordFailure, type RecordWarning } from '../domain/record-failure';
import type { WarningCounts } from '../domain/warning-counts';
import type { NumberingCheckpoint } from './numbering-checkpoint';

/** The upgrade script's checkpoint (zod only): a run syncing beside numbering carries it to its continuation. */
export { numberingCheckpointSchema } from './numbering-checkpoint';

const count = () => z.number().int().nonnegative();

/** What happened to the accounts of a unit, a company or a run. Carried in continuation checkpoints, hence a schema. */
export const countersSchema = z.object({
  read: count(),
  created: count(),
  updated: count(),
  unchanged: count(),
  failed: count(),
  outOfScope: count(),
});

export type UnitCounters = z.output<typeof countersSchema>;

export function emptyCounters(): UnitCounters {
  return { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 };
}

/** What the numbering step did (or would do): the run's figures, carried in checkpoints and shown in the report. */
export const numberingFiguresSchema = z.object({
  /** Accounts that received a number in this run. */
  assigned: count(),
  /** Accounts that would receive one (dry run), or still lack one after the run for a reason listed in failures. */
  wouldAssign: count(),
  renumbered: count(),
  duplicateGroups: count(),
});

export type NumberingFigures = z.output<typeof numberingFiguresSchema>;

/** One line of a dry run's plan: what would be written to which customer. */
export const planEntrySchema = z.object({
  company: z.string(),
  accountId: z.string(),
  accountNumber: z.string(),
  action: z.enum(['create', 'update']),
  fields: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })).optional(),
});

export type PlanEntry = z.output<typeof planEntrySchema>;

/** Warnings per code (see domain/warning-counts). */
export const warningCountsSchema = z.partialRecord(z.enum(WARNING_CODE_LIST), count()) satisfies z.ZodType<WarningCounts>;

export type CompanyScope =
  | { dataAreaId: string; kind: 'all' }
  | { dataAreaId: string; kind: 'businessUnits'; businessUnitIds: string[] }
  | { dataAreaId: string; kind: 'filter'; filter: string };

export interface PreflightInput {
  /** Companies asked for; all configured ones when omitted. */
  companies?: string[];
}

export interface PreflightResult {
  configVersion: string;
  companies: CompanyScope[];
  /**
   * Codes the preflight could not check because the F&O environment does not publish their reference set; F&O
   * still checks each write. Absent when everything was checked (and in results recorded by earlier releases).
   */
  warnings?: string[];
  /**
   * Whether the account table has Track changes on (incremental runs follow delta links; otherwise the versionnumber
   * watermark, with a warning). Absent in results recorded before change tracking.
   */
  changeTracking?: boolean;
  /** The configuration's `deactivation` setting. Absent in results recorded before it existed (= `ignore`). */
  deactivation?: 'ignore' | 'block';
}

export interface AssignAccountNumbersInput {
  dryRun: boolean;
  duplicatePolicy: 'report' | 'renumber';
  /**
   * Return after about this many seconds of numbering with `done: false` and a checkpoint to continue from, so the
   * workflow sees progress between chunks; absent: number everything in one call (histories before chunking).
   */
  chunkSeconds?: number;
  /** Where the previous chunk stopped (its result's `checkpoint`). */
  checkpoint?: NumberingCheckpoint;
  /**
   * Numbering again after an earlier call whose end is known (its result's `sequence`; live mode numbers the new
   * accounts of each poll): no scan of every numbered account — only the ACC numbers written since `version` are
   * read, to continue above any of them — and no duplicate count (the sync reports duplicates per unit).
   */
  after?: NumberingSequence;
}

/** Where the ACC sequence stood at the end of a numbering: the next number, and a row version from before its writes. */
export interface NumberingSequence {
  nextSequence: number;
  version: string;
}

export interface AssignAccountNumbersResult extends NumberingFigures {
  duplicateAccounts: number;
  failures: RecordFailure[];
  /** False when a chunk stopped before the end (absent in results recorded before chunking: done). */
  done?: boolean;
  /**
   * What the next chunk continues from (set when not done). A chunk returns only once every number below its
   * `nextSequence` (and, when done, below `sequence.nextSequence`) is written or will never be (a write refused or
   * not taken: its account gets a later number): the workflow syncs the accounts of those sequences right away.
   */
  checkpoint?: NumberingCheckpoint;
  /** Active accounts without a number when the script started (for rate and ETA). */
  toNumber?: number;
  /** Where the sequence stands once done (absent in results recorded before live mode). */
  sequence?: NumberingSequence;
}

export interface PlanWorkUnitsInput {
  /** While the upgrade script runs: cut units from the keys of one side of its band only (numbering-band.ts). */
  band?: NumberingBand;
  since?: ChangeWatermark;
  /** Only these accounts (by accountid); all their units come back in one answer. */
  accountIds?: string[];
  cursor: PlanCursor;
  unitSize: number;
  maxUnits: number;
  pageSize: number;
}

export interface PlanWorkUnitsResult {
  units: WorkUnit[];
  cursor: PlanCursor;
  done: boolean;
  /** Account Numbers read while planning. */
  scanned: number;
}

export interface SyncWorkUnitInput {
  unit: WorkUnit;
  companies: CompanyScope[];
  dryRun: boolean;
  /** While the upgrade script runs: which side of its band of new numbers this unit syncs (numbering-band.ts). */
  band?: NumberingBand;
}

export interface SyncWorkUnitResult {
  totals: UnitCounters;
  companies: Record<string, UnitCounters>;
  failures: RecordFailure[];
  /**
   * Values the unit changed on their way to F&O (a name truncated under length policy truncate, a state left out),
   * listed up to UNIT_WARNINGS_MAX_BYTES; `p2c sync failures` exports them from history. Absent when there are none,
   * and in results recorded before warnings were reported.
   */
  warnings?: RecordWarning[];
  /** Every warning of the unit per code, the listed ones and any beyond the bound. Absent when there are none. */
  warningCounts?: WarningCounts;
  /** Dry run only: what would be written. */
  plan?: PlanEntry[];
}

export interface PipelineLockIdInput {
  pipeline: string;
}

export interface DescribePipelineLockInput {
  lockWorkflowId: string;
  /**
   * The asking run keeps its lock across continue-as-new (a live workflow): a lock its own chain started is reported
   * as held by the asking run, which then carries on holding it. Without it (sync runs), such a lock is a leftover.
   */
  handOver?: boolean;
}

/** Who holds a pipeline's lock: an open run (named), or nobody any more (the lock was left by a closed run). */
export type PipelineLockHolder =
  | { state: 'held'; workflowId: string; runId: string; startTime: string; workflowType?: string }
  | { state: 'released' };

// ---- Change tracking and holds (issue 13). The live mode builds on these too. ----

export interface ReadAccountChangesInput {
  /**
   * The delta link a previous read returned. Absent: start tracking — every account is paged through (keys only)
   * and only the delta link comes back; the caller syncs everything (a full run) and keeps the link for next time.
   */
  deltaLink?: string;
  /** Units only for Account Numbers after this one (a continuation re-reading the same delta). */
  after?: PlanCursor;
  /** Accounts per key-list unit, as planWorkUnits' `unitSize`. */
  unitSize: number;
  /** Rows per Dataverse page (`odata.maxpagesize`, at most 5000). */
  pageSize: number;
  /**
   * Most keys (changed + deactivated accounts) one result carries; a larger delta answers `overflow`. Keeps the
   * result, which travels through workflow history, below ~200 KB.
   */
  maxKeys: number;
}

/**
 * What one read of the account delta gives — keys only, never records:
 * - `started`: no link was given; tracking starts here and `deltaLink` is where the next read begins.
 * - `changes`: what changed since the given link: key-list units of active accounts created or changed (read them
 *   with syncWorkUnit), Account Numbers of accounts deactivated, and how many were deleted (tombstones carry only
 *   the id, so deleted accounts are found by applyCustomerHolds' orphan scan). `deltaLink` is the next read's start.
 * - `overflow`: more than `maxKeys` keys changed: sync everything (a full run) and keep `deltaLink`, which was taken
 *   before any record is read, so nothing committed during that run is missed.
 * - `expired`: Dataverse no longer honours the link (older than its change-tracking retention, 7 days by default) or
 *   it is not a delta link: start again without one (full run), and say why.
 * - `untracked`: Dataverse gave no delta link: Track changes is off for the account table.
 */
export type ReadAccountChangesResult =
  | { kind: 'started'; deltaLink: string; scanned: number }
  | {
      kind: 'changes';
      deltaLink: string;
      units: KeysUnit[];
      /** Active accounts created or changed (valid Account Numbers, distinct by key, plus invalid ones listed by id). */
      changed: number;
      /** Account Numbers of accounts the delta shows inactive (statecode ≠ 0), distinct by key. */
      deactivated: string[];
      /** Inactive accounts without a valid Account Number: no customer key, nothing to block. */
      deactivatedWithoutNumber: number;
      /** Active accounts without an Account Number: numbered, and so synced, by the next run. */
      unnumbered: number;
      /** Accounts deleted since the link (`$deletedEntity` tombstones). */
      deleted: number;
      /** Rows the delta held (changed rows and tombstones). */
      scanned: number;
    }
  | { kind: 'overflow'; deltaLink: string; changes: number; maxKeys: number; scanned: number }
  | { kind: 'expired'; reason: string }
  | { kind: 'untracked'; reason: string };

export const holdCountersSchema = z.object({
  /** Customers put on hold (OnHoldStatus = All); in a dry run, those that would be. */
  blocked: count(),
  /** Customers taken off hold (OnHoldStatus = No); in a dry run, those that would be. */
  unblocked: count(),
});

export type HoldCounters = z.output<typeof holdCountersSchema>;

/** A run's holds, in total and per company (`deactivation: block`). Carried in continuation checkpoints. */
export const runHoldsSchema = z.object({ totals: holdCountersSchema, companies: z.record(z.string(), holdCountersSchema) });

export type RunHolds = z.output<typeof runHoldsSchema>;

/**
 * Block and unblock F&O customers of accounts deactivated, deleted or active again (`deactivation: block`). Only
 * externally maintained customers (IsExternallyMaintained = Yes) of the given companies are ever changed, and only
 * their OnHoldStatus: `All` on block; `No` on unblock, and only from `All` (other holds are F&O users' own).
 */
export interface ApplyCustomerHoldsInput {
  /** Companies (dataAreaId) of the run. */
  companies: string[];
  /** Account Numbers of deactivated accounts: blocked unless an active account carries the number now. */
  block: string[];
  /** Account Numbers of active accounts (created or changed): their customers on hold `All` are taken off hold. */
  unblock: string[];
  /**
   * `orphans`: also block every externally maintained customer whose Account Number no active account carries
   * (deleted accounts; tombstones name only the id). `all`: that, and unblock every customer on hold `All` whose
   * account is active (a full run). `none`: the lists only.
   */
  scan: 'none' | 'orphans' | 'all';
  dryRun: boolean;
}

export interface ApplyCustomerHoldsResult {
  totals: HoldCounters;
  companies: Record<string, HoldCounters>;
  failures: RecordFailure[];
  /** Active Account Numbers and F&O customers read by a scan (0 without one). */
  scanned: { accounts: number; customers: number };
}
