import { describe, expect, it } from 'vitest';
import { parseKeySegment } from '../../../src/fno/key-segment';
import { SortedKeyIndex } from '../../../src/fno/sorted-key-index';
import { CustomerStore, DuplicateKeyError } from '../../../src/fno/customer-store';
import { SeededRandom } from '../../../src/shared';

describe('SortedKeyIndex', () => {
  it('keeps keys sorted through many inserts and deletes and scans from any point', () => {
    const index = new SortedKeyIndex();
    const reference = new Set<string>();
    const random = new SeededRandom(5);
    for (let i = 0; i < 20_000; i += 1) {
      const key = `k${Math.floor(random.next() * 8000).toString(36)}`;
      if (random.next() < 0.7) {
        expect(index.insert(key)).toBe(!reference.has(key));
        reference.add(key);
      } else {
        expect(index.delete(key)).toBe(reference.has(key));
        reference.delete(key);
      }
    }
    const sorted = [...reference].sort();
    expect([...index.ascending()]).toEqual(sorted);
    expect(index.size).toBe(sorted.length);
    const from = sorted[Math.floor(sorted.length / 2)] as string;
    expect([...index.ascending(from)]).toEqual(sorted.filter((key) => key >= from));
    expect([...index.ascending(from, true)]).toEqual(sorted.filter((key) => key > from));
    expect([...index.ascending('k0.5')]).toEqual(sorted.filter((key) => key >= 'k0.5'));
  });
});

describe('parseKeySegment', () => {
  const keys = ['dataAreaId', 'CustomerAccount'];
  it('reads named parts in any order, undoing doubled quotes and percent-encoding', () => {
    expect(parseKeySegment("dataAreaId='usmf',CustomerAccount='O''Brien'", keys)).toEqual({ dataAreaId: 'usmf', CustomerAccount: "O'Brien" });
    expect(parseKeySegment("CustomerAccount=%27a%2Cb)c%27, dataAreaId='demf'", keys)).toEqual({ dataAreaId: 'demf', CustomerAccount: 'a,b)c' });
    expect(parseKeySegment("dataAreaId='usmf',CustomerAccount=''", keys)).toEqual({ dataAreaId: 'usmf', CustomerAccount: '' });
  });
});

describe('CustomerStore', () => {
  it('undoes every change of a failed transaction and nothing of a successful one', () => {
    const store = new CustomerStore();
    store.insert({ dataAreaId: 'USMF', CustomerAccount: 'A' });
    store.insert({ dataAreaId: 'usmf', CustomerAccount: 'B', OrganizationName: 'before' });
    expect(() => store.insert({ dataAreaId: 'usmf', CustomerAccount: 'a' })).toThrow(DuplicateKeyError);
    expect(() =>
      store.transaction(() => {
        store.insert({ dataAreaId: 'usmf', CustomerAccount: 'C' });
        store.update('usmf', 'b', { OrganizationName: 'after' });
        store.delete('usmf', 'A');
        throw new Error('change set failed');
      }),
    ).toThrow('change set failed');
    expect([...store.all()].map((stored) => [stored.row.CustomerAccount, stored.row.OrganizationName, stored.version])).toEqual([
      ['A', '', 1],
      ['B', 'before', 1],
    ]);
    store.transaction(() => store.insert({ dataAreaId: 'demf', CustomerAccount: 'Z' }));
    expect(store.companies()).toEqual(['demf', 'usmf']);
    expect(store.countIn('USMF')).toBe(2);
  });
});
