import { describe, expect, it } from 'vitest';
import { ChangeLog } from '../../../src/dataverse/change-log';
import { SortedIndex } from '../../../src/dataverse/sorted-index';

// The Dataverse emulator's storage structures, checked against plain arrays under random operations.
describe('SortedIndex', () => {
  const compare = (a: number, b: number) => a - b;

  it('stays equal to a sorted array under random inserts and removes, across chunk splits and merges', () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const index = SortedIndex.from([5, 1, 9], compare, 4);
    const oracle = new Set([1, 5, 9]);
    for (let step = 0; step < 3000; step += 1) {
      const value = Math.floor(random() * 400);
      if (random() < 0.6) {
        if (!oracle.has(value)) {
          index.insert(value);
          oracle.add(value);
        }
      } else {
        expect(index.remove(value)).toBe(oracle.has(value));
        oracle.delete(value);
      }
    }
    const sorted = [...oracle].sort(compare);
    const scanned: number[] = [];
    index.scan(undefined, (value) => scanned.push(value) > 0);
    expect(scanned).toEqual(sorted);
    expect(index.size).toBe(sorted.length);
  });

  it('seeks, stops and counts ranges', () => {
    const index = SortedIndex.from(Array.from({ length: 100 }, (_, i) => i * 2), compare, 8);
    const seen: number[] = [];
    index.scan((value) => value >= 51, (value) => value < 61 && seen.push(value) > 0);
    expect(seen).toEqual([52, 54, 56, 58, 60]);
    expect(index.countRange((value) => value >= 51, (value) => value >= 61)).toBe(5);
    expect(index.countRange(undefined, (value) => value >= 1000)).toBe(100);
    const none: number[] = [];
    index.scan((value) => value > 1000, (value) => none.push(value) > 0);
    expect(none).toEqual([]);
  });
});

describe('ChangeLog', () => {
  it('finds entries after a version, truncates a rolled-back tail and compacts superseded entries', () => {
    const log = new ChangeLog();
    const current = new Map<string, number>();
    const write = (version: number, id: string) => {
      log.append(version, id);
      current.set(id, version);
    };
    write(1, 'a');
    write(2, 'b');
    write(3, 'a');
    log.append(4, 'b', 1000);
    current.delete('b');
    write(5, 'c');
    expect(log.firstAfter(0)).toBe(0);
    expect(log.firstAfter(3)).toBe(3);
    expect(log.isDeletion(3)).toBe(true);
    expect(log.deletions()).toEqual([{ version: 4, id: 'b', deletedAtMs: 1000 }]);

    log.truncate(4);
    current.delete('c');
    expect(log.length).toBe(4);

    log.compact((id) => current.get(id), 0);
    expect(Array.from({ length: log.length }, (_, i) => [log.versionAt(i), log.idAt(i), log.isDeletion(i)])).toEqual([
      [3, 'a', false],
      [4, 'b', true],
    ]);
    log.compact((id) => current.get(id), 2000); // tombstones older than 2000 ms are forgotten
    expect(log.length).toBe(1);
  });
});
