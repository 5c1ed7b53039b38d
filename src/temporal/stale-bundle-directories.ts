import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** Temporary bundle directories are named `p2c-workflow-bundle-<pid of the worker>-<random>`. */
export const BUNDLE_DIRECTORY_PREFIX = 'p2c-workflow-bundle-';
const OWNED = new RegExp(`^${BUNDLE_DIRECTORY_PREFIX}(\\d+)-`);

export function bundleDirectoryPrefix(pid: number = process.pid): string {
  return `${BUNDLE_DIRECTORY_PREFIX}${pid}-`;
}

/** Directories this process made and still uses: never stale, whatever their pid says. */
const inUse = new Set<string>();

export function claimBundleDirectory(directory: string): () => void {
  inUse.add(directory);
  return () => inUse.delete(directory);
}

/**
 * Removes the bundle directories that workers killed while bundling left behind (their `finally` never ran): those
 * of this user whose worker process is gone, or that carry this process's own id but are not in use by it (a
 * restarted container reuses its pid and its /tmp). Directories of workers still running, of other
 * users, and anything else in the directory are left alone. Returns the paths removed.
 */
export function removeStaleBundleDirectories(root: string, isAlive: (pid: number) => boolean = processIsAlive): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pid = Number(OWNED.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid)) continue;
    const directory = path.join(root, name);
    try {
      const stats = statSync(directory);
      if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) continue;
      if (pid === process.pid ? inUse.has(directory) : isAlive(pid)) continue;
      rmSync(directory, { recursive: true, force: true });
      removed.push(directory);
    } catch {
      // Gone meanwhile, or not ours to remove: nothing to clean.
    }
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that id, alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
