import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomerRow } from '../../../src/fno';
import { customer, type FnoServer, field, rowsOf, startFno } from './fno-server';

let fno: FnoServer;

beforeAll(async () => {
  // The default server page size (10,000, as F&O).
  fno = await startFno();
  for (let i = 0; i < 10_050; i += 1) {
    fno.emulator.store.insert({ ...customer(`P-${String(i).padStart(5, '0')}`), dataAreaId: i % 3 === 0 ? 'demf' : 'usmf' } as CustomerRow);
  }
});

afterAll(async () => {
  await fno.close();
});

describe('F&O server-driven paging at 10,000 rows', () => {
  it('reads all customers across companies in two pages, each exactly once, in key order', async () => {
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let next: string | undefined = `/data/CustomersV2?cross-company=true&$select=dataAreaId,CustomerAccount&$count=true`;
    while (next) {
      const result = await fno.call('GET', next.replace(fno.url, ''));
      expect(result.status).toBe(200);
      expect(field(result, '@odata.count')).toBe(10_050);
      const rows = rowsOf(result);
      pageSizes.push(rows.length);
      seen.push(...rows.map((row) => `${String(row.dataAreaId)}/${String(row.CustomerAccount)}`));
      next = field(result, '@odata.nextLink') as string | undefined;
    }
    expect(pageSizes).toEqual([10_000, 50]);
    expect(new Set(seen).size).toBe(10_050);
    expect(seen).toEqual([...seen].sort());
  });

  it('answers key-range queries exactly at their bounds, across the index chunks', async () => {
    const usmfAccounts = [...Array(10_050).keys()].filter((i) => i % 3 !== 0).map((i) => `P-${String(i).padStart(5, '0')}`);
    for (const start of [0, 511, 1024, 4999, 9990]) {
      const from = `P-${String(start).padStart(5, '0')}`;
      const to = `P-${String(start + 40).padStart(5, '0')}`;
      const filter = `CustomerAccount gt '${from.toLowerCase()}' and CustomerAccount le '${to}'`;
      const result = await fno.call('GET', `/data/CustomersV2?$select=CustomerAccount&$filter=${encodeURIComponent(filter)}`);
      expect(rowsOf(result).map((row) => row.CustomerAccount), filter).toEqual(usmfAccounts.filter((account) => account > from && account <= to));
    }
  });
});
