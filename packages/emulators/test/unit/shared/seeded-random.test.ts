import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/shared/seeded-random';
import { SnapshotFile } from '../../../src/shared/snapshot-file';

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    for (const value of draw(3)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('draws chances close to the rate', () => {
    const random = new SeededRandom(42);
    let hits = 0;
    for (let i = 0; i < 10_000; i += 1) if (random.chance(0.3)) hits += 1;
    expect(hits).toBeGreaterThan(2_800);
    expect(hits).toBeLessThan(3_200);
    expect(random.chance(0)).toBe(false);
    expect(random.chance(1)).toBe(true);
  });
});

describe('SnapshotFile', () => {
  it('writes meta and rows on flush only when dirty, and reads them back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'p2c-snapshot-'));
    try {
      const file = path.join(dir, 'nested', 'state.jsonl');
      const rows = [{ id: 1, name: "O'Brien\nLtd" }, { id: 2, name: 'Ünïcödé' }];
      let captures = 0;
      const snapshot = new SnapshotFile({
        file,
        debounceMs: 10_000,
        capture: () => {
          captures += 1;
          return { meta: { sequence: rows.length }, rows };
        },
      });
      snapshot.flush();
      expect(captures).toBe(0);
      expect(SnapshotFile.read(file)).toBeUndefined();
      snapshot.markDirty();
      snapshot.markDirty();
      snapshot.close();
      expect(captures).toBe(1);
      expect(SnapshotFile.read(file)).toEqual({ meta: { sequence: 2 }, rows });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
