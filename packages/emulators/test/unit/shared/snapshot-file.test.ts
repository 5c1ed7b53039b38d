import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SnapshotFile, writeSnapshot } from '../../../src/shared/snapshot-file';

describe('emulator state snapshots', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'p2c-snapshot-'));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('are readable by their owner only (0600), in a directory created 0700, whatever a crashed writer left', () => {
    const file = path.join(scratch, 'state', 'fno-customers.jsonl');
    writeSnapshot(file, { meta: { sequence: 1 }, rows: [{ name: 'Alpha Corp' }] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(SnapshotFile.read(file)).toEqual({ meta: { sequence: 1 }, rows: [{ name: 'Alpha Corp' }] });

    // A temporary file of this process left behind world-readable is narrowed before it receives the rows.
    const leftover = `${file}.${process.pid}.tmp`;
    writeFileSync(leftover, 'old');
    chmodSync(leftover, 0o644);
    writeSnapshot(file, { meta: { sequence: 2 }, rows: [] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
