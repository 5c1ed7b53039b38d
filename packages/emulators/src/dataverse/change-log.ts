import { lowerBound } from './sorted-index';

/** One entry of the log in commit order (change tracking's view). */
export interface CommittedChange {
  /** The row version the change wrote (`versionnumber`). */
  version: number;
  /** When it became visible: equal to `version` except for a late commit (see `insertLate`). */
  commit: number;
  id: string;
  deletion: boolean;
}

/**
 * Every create, update and delete in version order: `(versionnumber, accountid, deleted?)` — the basis of
 * `versionnumber gt N`, of `$orderby=versionnumber` and of change tracking.
 *
 * A row version is taken when a row is written, not when its transaction commits (SQL rowversion), so a change
 * normally commits in version order but a slow transaction can commit a version below others already visible.
 * Change tracking follows commits, not versions (SQL change tracking versions are assigned at commit): each entry
 * has a commit number, equal to its version for the usual in-order change and a later number, drawn from the same
 * counter, for a late commit. Late entries are rare (the emulator makes them only on request), so they are spliced
 * into version order and also listed apart in commit order.
 *
 * An entry is current while it is the latest one for its account; older entries are skipped when read and
 * dropped by `compact`. Kept as parallel arrays (16 bytes an entry) because it holds one entry per account at least.
 */
export class ChangeLog {
  private versions: number[] = [];
  private ids: string[] = [];
  /** Deletions only: version → time of deletion (ms), to prune tombstones older than any valid delta token. */
  private deletedAt = new Map<number, number>();
  /** Late commits only: version → commit number, and the same entries in commit order. */
  private lateCommitOf = new Map<number, number>();
  private lateByCommit: Array<{ commit: number; version: number }> = [];

  get length(): number {
    return this.versions.length;
  }

  append(version: number, id: string, deletedAtMs?: number): void {
    this.versions.push(version);
    this.ids.push(id);
    if (deletedAtMs !== undefined) this.deletedAt.set(version, deletedAtMs);
  }

  /**
   * Records a change whose version was taken before others already in the log and which commits only now, as
   * `commit` (above every version handed out so far).
   */
  insertLate(version: number, id: string, commit: number): void {
    const position = this.firstAfter(version);
    this.versions.splice(position, 0, version);
    this.ids.splice(position, 0, id);
    this.lateCommitOf.set(version, commit);
    this.lateByCommit.push({ commit, version });
  }

  /**
   * The changes that committed after `afterCommit` and up to `upToCommit`, in commit order: what a delta link
   * issued at `afterCommit` has not yet delivered.
   */
  *committedBetween(afterCommit: number, upToCommit: number): Generator<CommittedChange> {
    let position = this.firstAfter(afterCommit);
    let late = lowerBound(this.lateByCommit, (entry) => entry.commit > afterCommit);
    for (;;) {
      while (position < this.versions.length && this.lateCommitOf.has(this.versions[position] as number)) position += 1;
      const inOrder = position < this.versions.length ? (this.versions[position] as number) : Infinity;
      const lateEntry = this.lateByCommit[late];
      const lateCommit = lateEntry === undefined ? Infinity : lateEntry.commit;
      const commit = Math.min(inOrder, lateCommit);
      if (commit > upToCommit) return;
      if (commit === inOrder) {
        yield { version: inOrder, commit, id: this.ids[position] as string, deletion: this.deletedAt.has(inOrder) };
        position += 1;
      } else {
        const version = (lateEntry as { version: number }).version;
        const at = this.firstAfter(version - 1);
        yield { version, commit, id: this.ids[at] as string, deletion: this.deletedAt.has(version) };
        late += 1;
      }
    }
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

  /** Drops entries appended after `length` (a rolled-back change set; late commits never happen inside one). */
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
    const kept = new Set(versions);
    this.lateByCommit = this.lateByCommit.filter((entry) => kept.has(entry.version));
    this.lateCommitOf = new Map(this.lateByCommit.map((entry) => [entry.version, entry.commit]));
  }
}
