import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimBundleDirectory, removeStaleBundleDirectories } from '../../../src/temporal/stale-bundle-directories';
import { bundleWorkflowsInChildProcess } from '../../../src/temporal/workflow-bundle';

/** The id of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (!child.pid) throw new Error('could not start a process');
  return child.pid;
}

// A worker killed (SIGKILL, OOM) while its child builds the workflow bundle never runs the code that removes the
// bundle's temporary directory; the next worker on the host removes it.
describe('temporary workflow bundle directories', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'p2c-bundle-root-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes those of workers that are gone and those of this pid it no longer uses (a restarted container); keeps the rest', async () => {
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const dead = deadPid();
      const make = (name: string) => {
        mkdirSync(path.join(root, name));
        writeFileSync(path.join(root, name, 'workflow-bundle.js'), '// half written');
        return path.join(root, name);
      };
      const stale = make(`p2c-workflow-bundle-${dead}-Ab12Cd`);
      const ownEarlierLife = make(`p2c-workflow-bundle-${process.pid}-Zz99Yy`);
      const ownInUse = make(`p2c-workflow-bundle-${process.pid}-Qr12St`);
      const release = claimBundleDirectory(ownInUse);
      const running = make(`p2c-workflow-bundle-${alive.pid}-Ef34Gh`);
      const unrelated = make('p2c-workflow-bundle-Ij56Kl');
      writeFileSync(path.join(root, `p2c-workflow-bundle-${dead}-file`), 'not a directory');

      expect(removeStaleBundleDirectories(root).sort()).toEqual([ownEarlierLife, stale].sort());
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(ownEarlierLife)).toBe(false);
      expect(existsSync(running)).toBe(true);
      expect(existsSync(unrelated)).toBe(true);
      expect(readdirSync(root).sort()).toEqual(
        [`p2c-workflow-bundle-${alive.pid}-Ef34Gh`, `p2c-workflow-bundle-${process.pid}-Qr12St`, `p2c-workflow-bundle-${dead}-file`, 'p2c-workflow-bundle-Ij56Kl'].sort(),
      );
      release();
      expect(removeStaleBundleDirectories(root)).toEqual([ownInUse]);
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it('a worker starting to bundle cleans up first, and leaves nothing of its own when it stops', async () => {
    const stale = path.join(root, `p2c-workflow-bundle-${deadPid()}-Mn78Op`);
    mkdirSync(stale);
    const logged: string[] = [];
    const logger = new DefaultLogger('INFO', (entry) => logged.push(entry.message));
    await expect(bundleWorkflowsInChildProcess(process.env, logger, AbortSignal.abort(new Error('stopping')), { tracing: true }, root)).rejects.toThrow('stopping');
    expect(readdirSync(root)).toEqual([]);
    expect(logged).toContain('removed workflow bundle directories of workers that are gone');
  });
});
