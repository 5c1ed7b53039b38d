import { lowerBound } from './sorted-index';

/**
 * Every create, update and delete in version order: `(versionnumber, accountid, deleted?)`. Versions only grow,
 * so the log is sorted by construction and answers "what changed after version N" with a binary search — the
 * basis of change tracking, of `versionnumber gt N` and of `$orderby=versionnumber`.
 *
 * An entry is current while it is the latest one for its account; older entries are skipped when read and
 * dropped by `compact`. Kept as parallel arrays (16 bytes an entry) because it holds one entry per account at least.
 */
export class ChangeLog {
  private versions: number[] = [];
  private ids: string[] = [];
  /** Deletions only: version → time of deletion (ms), to prune tombstones older than any valid delta token. */
  private deletedAt = new Map<number, number>();

  get length(): number {
    return this.versions.length;
  }

  append(version: number, id: string, deletedAtMs?: number): void {
    this.versions.push(version);
    this.ids.push(id);
    if (deletedAtMs !== undefined) this.deletedAt.set(version, deletedAtMs);
  }

  /** The position of the first entry with a version above `version`. */
  firstAfter(version: number): number {
    return lowerBound(this.versions, (candidate) => candidate > version);
  }

  versionAt(position: number): number {
    return this.versions[position] as number;
  }

  idAt(position: number): string {
    return this.ids[position] as string;
  }

  isDeletion(position: number): boolean {
    return this.deletedAt.has(this.versions[position] as number);
  }

  /** The deletions still remembered, oldest first (for snapshots). */
  deletions(): Array<{ version: number; id: string; deletedAtMs: number }> {
    const result: Array<{ version: number; id: string; deletedAtMs: number }> = [];
    for (let position = 0; position < this.versions.length; position += 1) {
      const version = this.versions[position] as number;
      const deletedAtMs = this.deletedAt.get(version);
      if (deletedAtMs !== undefined) result.push({ version, id: this.ids[position] as string, deletedAtMs });
    }
    return result;
  }

  /** Drops entries appended after `length` (a rolled-back change set). */
  truncate(length: number): void {
    for (let position = length; position < this.versions.length; position += 1) this.deletedAt.delete(this.versions[position] as number);
    this.versions.length = length;
    this.ids.length = length;
  }

  /**
   * Keeps only current entries: an update whose row still has that version, and the latest deletion of an
   * account that does not exist again, unless it is older than `keepDeletionsSinceMs`.
   */
  compact(currentVersionOf: (id: string) => number | undefined, keepDeletionsSinceMs: number): void {
    const versions: number[] = [];
    const ids: string[] = [];
    const deletedAt = new Map<number, number>();
    const latestDeletion = new Map<string, number>();
    for (let position = 0; position < this.versions.length; position += 1) {
      const version = this.versions[position] as number;
      if (this.deletedAt.has(version)) latestDeletion.set(this.ids[position] as string, version);
    }
    for (let position = 0; position < this.versions.length; position += 1) {
      const version = this.versions[position] as number;
      const id = this.ids[position] as string;
      const deletionTime = this.deletedAt.get(version);
      const current = currentVersionOf(id);
      const keep =
        deletionTime === undefined
          ? current === version
          : latestDeletion.get(id) === version && (current === undefined || current < version) && deletionTime >= keepDeletionsSinceMs;
      if (!keep) continue;
      versions.push(version);
      ids.push(id);
      if (deletionTime !== undefined) deletedAt.set(version, deletionTime);
    }
    this.versions = versions;
    this.ids = ids;
    this.deletedAt = deletedAt;
  }
}
