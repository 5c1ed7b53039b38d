// Inputs and results of the activities, shared with the workflow. Everything here travels through workflow history,
// so it carries keys, counters and failures — never pages of records. The workflow bundle imports this module (the
// schemas of counters, numbering figures and plan entries validate its checkpoint): zod and domain types only, no I/O.
import { z } from 'zod';
import type { ChangeWatermark, PlanCursor, WorkUnit } from '../domain/work-unit';
import type { RecordFailure } from '../domain/record-failure';

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
}

export interface AssignAccountNumbersInput {
  dryRun: boolean;
  duplicatePolicy: 'report' | 'renumber';
}

export interface AssignAccountNumbersResult extends NumberingFigures {
  duplicateAccounts: number;
  failures: RecordFailure[];
}

export interface PlanWorkUnitsInput {
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
}

export interface SyncWorkUnitResult {
  totals: UnitCounters;
  companies: Record<string, UnitCounters>;
  failures: RecordFailure[];
  /** Dry run only: what would be written. */
  plan?: PlanEntry[];
}

export interface PipelineLockIdInput {
  pipeline: string;
}

export interface DescribePipelineLockInput {
  lockWorkflowId: string;
}

/** Who holds a pipeline's lock: an open run (named), or nobody any more (the lock was left by a closed run). */
export type PipelineLockHolder =
  | { state: 'held'; workflowId: string; runId: string; startTime: string }
  | { state: 'released' };
