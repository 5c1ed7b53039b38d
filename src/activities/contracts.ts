// Inputs and results of the activities, shared with the workflow as types only. Everything here travels through
// workflow history, so it carries keys, counters and failures — never pages of records.
import type { ChangeWatermark, PlanCursor, WorkUnit } from '../domain/work-unit';
import type { RecordFailure } from '../domain/record-failure';

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

export interface AssignAccountNumbersResult {
  /** Accounts that received a number in this run. */
  assigned: number;
  /** Accounts that would receive one (dry run), or still lack one after the run for a reason listed in failures. */
  wouldAssign: number;
  renumbered: number;
  duplicateGroups: number;
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

export interface UnitCounters {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  outOfScope: number;
}

export interface PlanEntry {
  company: string;
  accountId: string;
  accountNumber: string;
  action: 'create' | 'update';
  fields?: { field: string; from: unknown; to: unknown }[];
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
