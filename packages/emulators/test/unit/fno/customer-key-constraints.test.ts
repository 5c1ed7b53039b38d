import { describe, expect, it } from 'vitest';
import { customerCandidates } from '../../../src/fno/customer-candidates';
import { customerColumns } from '../../../src/fno/customer-fields';
import { keyConstraints } from '../../../src/fno/customer-key-constraints';
import { CustomerStore } from '../../../src/fno/customer-store';
import { evaluateFilter, parseFilter } from '../../../src/odata-filter';

const parse = (text: string) => parseFilter(text, { dialect: 'fno', columns: customerColumns });
const account = (index: number) => `C${String(index).padStart(5, '0')}`;

function storeOf(count: number): CustomerStore {
  const store = new CustomerStore();
  for (let index = 0; index < count; index += 1) {
    store.insert({ dataAreaId: 'usmf', CustomerAccount: account(index), CustomerGroupId: index % 2 === 0 ? '10' : '20' });
    store.insert({ dataAreaId: 'demf', CustomerAccount: account(index), CustomerGroupId: '10' });
  }
  return store;
}

describe('keyConstraints', () => {
  it('reads company and range off a nested and chain, as FnoClient sends it', () => {
    const constraints = keyConstraints(parse("(dataAreaId eq 'usmf') and (CustomerAccount gt 'C00010' and CustomerAccount le 'C00020')"));
    expect(constraints).toEqual({
      companies: new Set(['usmf']),
      lower: { value: 'c00010', inclusive: false },
      upper: { value: 'c00020', inclusive: true },
    });
  });

  it('flattens and chains at any depth and keeps the tightest bounds', () => {
    const constraints = keyConstraints(
      parse("((CustomerAccount ge 'C00005') and (dataAreaId eq 'USMF' and (CustomerAccount gt 'C00007' and CustomerAccount lt 'C00030'))) and CustomerAccount le 'C00020'"),
    );
    expect(constraints).toEqual({
      companies: new Set(['usmf']),
      lower: { value: 'c00007', inclusive: false },
      upper: { value: 'c00020', inclusive: true },
    });
  });

  it('reads a key list inside a nested and', () => {
    const constraints = keyConstraints(parse("dataAreaId eq 'usmf' and (CustomerGroupId eq '10' and (CustomerAccount eq 'A' or CustomerAccount eq 'B'))"));
    expect(constraints).toEqual({ companies: new Set(['usmf']), accounts: new Set(['a', 'b']) });
  });

  it('reads nothing through or and not, where a condition need not hold', () => {
    expect(keyConstraints(parse("(dataAreaId eq 'usmf' and CustomerAccount gt 'C00010') or CustomerGroupId eq '10'"))).toEqual({});
    expect(keyConstraints(parse("dataAreaId eq 'usmf' and not (CustomerAccount gt 'C00010' and CustomerAccount le 'C00020')"))).toEqual({
      companies: new Set(['usmf']),
    });
    expect(keyConstraints(parse("CustomerAccount eq 'A' or (CustomerAccount eq 'B' and dataAreaId eq 'demf')"))).toEqual({});
  });
});

describe('customerCandidates', () => {
  const store = storeOf(2000);

  it('reads only the range of a nested range filter, not the whole company', () => {
    const filter = parse("(dataAreaId eq 'usmf') and (CustomerAccount gt 'C01000' and CustomerAccount le 'C01100')");
    const candidates = [...customerCandidates(store, filter, ['usmf', 'demf'])];
    expect(candidates).toHaveLength(100);
    expect(candidates[0]?.values).toMatchObject({ dataAreaId: 'usmf', CustomerAccount: 'C01001' });
    expect(candidates.at(-1)?.values).toMatchObject({ dataAreaId: 'usmf', CustomerAccount: 'C01100' });
  });

  it('narrows soundly: every row the filter matches is among the candidates', () => {
    const filters = [
      "(dataAreaId eq 'usmf') and (CustomerAccount ge 'C00100' and (CustomerAccount lt 'C00200' and CustomerGroupId eq '10'))",
      "(dataAreaId eq 'usmf' and CustomerAccount gt 'C01990') or (CustomerAccount lt 'C00003')",
      "not (CustomerAccount gt 'C00005' and CustomerAccount le 'C01995') and (dataAreaId eq 'demf')",
      "(CustomerAccount eq 'C00001' or CustomerAccount eq 'C00002') and (dataAreaId eq 'usmf' and CustomerAccount ge 'C00002')",
    ];
    const everyRow = [...customerCandidates(store, undefined, ['usmf', 'demf'])];
    expect(everyRow).toHaveLength(4000);
    for (const text of filters) {
      const filter = parse(text);
      const matching = (rows: typeof everyRow) => rows.filter((row) => evaluateFilter(filter, row.values)).map((row) => `${String(row.values.dataAreaId)}/${String(row.values.CustomerAccount)}`);
      const candidates = [...customerCandidates(store, filter, ['usmf', 'demf'])];
      expect(matching(candidates), text).toEqual(matching(everyRow));
      expect(matching(candidates).length, text).toBeGreaterThan(0);
    }
  });
});
