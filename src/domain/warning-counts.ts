import type { RecordWarning, WarningCode } from './record-failure';

/** Warnings per code: what a unit, a company or a run changed on its way to F&O (e.g. `{ TRUNCATED: 3 }`). */
export type WarningCounts = Partial<Record<WarningCode, number>>;

export function countWarnings(warnings: readonly Pick<RecordWarning, 'code'>[]): WarningCounts {
  const counts: WarningCounts = {};
  for (const warning of warnings) counts[warning.code] = (counts[warning.code] ?? 0) + 1;
  return counts;
}

export function addWarningCounts(target: WarningCounts, delta: WarningCounts): void {
  for (const [code, count] of Object.entries(delta) as [WarningCode, number][]) target[code] = (target[code] ?? 0) + count;
}

export function totalWarnings(counts: WarningCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
