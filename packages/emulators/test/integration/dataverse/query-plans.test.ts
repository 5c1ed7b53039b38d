import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../../src/dataverse';
import { type DataverseHarness, EUR, GERMANY_UNIT, page, ROOT_UNIT, startDataverse, USD } from './dataverse-harness';

/**
 * The store answers each query through the cheapest access path (key look-ups, the change log, an index read
 * within a range, within listed values, within an equal range). Whatever the path, the rows must be exactly those
 * a brute-force scan gives: this compares every page sequence with an independent oracle written in plain
 * JavaScript (lower-cased comparison, nulls first, accountid tie-break).
 */
describe('Dataverse emulator: every access path agrees with a brute-force oracle', () => {
  let dv: DataverseHarness;
  let versionAfterSeed = 0;
  beforeAll(async () => {
    dv = await startDataverse();
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rows = Array.from({ length: 600 }, (_, i) => {
      const n = Math.floor(random() * 150);
      const number = random() < 0.1 ? null : `${random() < 0.5 ? 'ACC' : 'acc'}-${String(n).padStart(5, '0')}-X`;
      return {
        accountid: `${Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name: `N${Math.floor(random() * 40)}`,
        accountnumber: number,
        address1_city: random() < 0.2 ? null : ['Berlin', 'berlin', 'Seattle', 'Zürich'][Math.floor(random() * 4)] ?? null,
        creditlimit: Math.floor(random() * 20) * 1000,
        statecode: random() < 0.15 ? 1 : 0,
        _transactioncurrencyid_value: random() < 0.5 ? USD.transactioncurrencyid : EUR.transactioncurrencyid,
        _owningbusinessunit_value: random() < 0.7 ? ROOT_UNIT.businessunitid : GERMANY_UNIT.businessunitid,
      };
    });
    dv.emulator.store.insertAccounts(rows);
    versionAfterSeed = dv.emulator.store.maxVersion();
    // Later changes, so the change log holds superseded entries and tombstones.
    for (const row of rows.slice(0, 80)) dv.emulator.store.updateAccount(row.accountid, { creditlimit: 500 });
    for (const row of rows.slice(80, 100)) dv.emulator.store.deleteAccount(row.accountid);
  });
  afterAll(async () => dv?.close());

  type Key = [keyof AccountRow, 'asc' | 'desc'];
  const collate = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
    if (b === null || b === undefined) return 1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const x = String(a).toLowerCase();
    const y = String(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const oracle = (predicate: (row: AccountRow) => boolean, keys: Key[]) => {
    const all = [...keys, ['accountid', 'asc'] as Key];
    return dv.emulator.store
      .listAccounts()
      .filter(predicate)
      .sort((a, b) => {
        for (const [column, direction] of all) {
          const order = collate(a[column], b[column]);
          if (order !== 0) return direction === 'asc' ? order : -order;
        }
        return 0;
      })
      .map((row) => row.accountid);
  };
  const lower = (value: string | null) => value?.toLowerCase() ?? null;
  const someNumbers = ['ACC-00007-X', 'acc-00042-x', 'ACC-00100-X', 'ACC-99999-X'];
  const cut = 'acc-00075';

  const cases: Array<[string, string, Key[], (row: AccountRow) => boolean]> = [
    ['key look-up', `accountid eq ${'x'}`, [], () => false],
    ['versionnumber gt (few changes)', `versionnumber gt VERSION`, [['name', 'asc']], (row) => row.versionnumber > versionAfterSeed],
    ['versionnumber order desc', 'statecode eq 0', [['versionnumber', 'desc']], (row) => row.statecode === 0],
    ['versionnumber order asc with bounds', 'versionnumber ge 100 and versionnumber lt 400', [['versionnumber', 'asc']], (row) => row.versionnumber >= 100 && row.versionnumber < 400],
    ['In on the first sort key', `Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=[${someNumbers.map((n) => `'${n}'`).join(',')}])`, [['accountnumber', 'desc']], (row) => someNumbers.map((n) => n.toLowerCase()).includes(lower(row.accountnumber) ?? '')],
    ['In on a key-like column, other order', `statecode eq 0 and Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=[${someNumbers.map((n) => `'${n}'`).join(',')}])`, [['creditlimit', 'desc']], (row) => row.statecode === 0 && someNumbers.map((n) => n.toLowerCase()).includes(lower(row.accountnumber) ?? '')],
    ['eq null within an equality index', 'statecode eq 0 and accountnumber eq null', [], (row) => row.statecode === 0 && row.accountnumber === null],
    ['eq null and accountid gt', 'accountnumber eq null and accountid gt 80000000-0000-4000-8000-000000000000', [['accountid', 'asc']], (row) => row.accountnumber === null && row.accountid > '80000000-0000-4000-8000-000000000000'],
    ['eq on a lookup', `_owningbusinessunit_value eq ${GERMANY_UNIT.businessunitid}`, [['name', 'desc']], (row) => row._owningbusinessunit_value === GERMANY_UNIT.businessunitid],
    ['range on the first key', `statecode eq 0 and accountnumber gt '${cut}'`, [['accountnumber', 'asc']], (row) => row.statecode === 0 && row.accountnumber !== null && row.accountnumber.toLowerCase() > cut],
    ['range on the first key, descending', `accountnumber gt 'acc-00020' and accountnumber le '${cut}'`, [['accountnumber', 'desc']], (row) => row.accountnumber !== null && row.accountnumber.toLowerCase() > 'acc-00020' && row.accountnumber.toLowerCase() <= `${cut}`],
    ['ne null', 'accountnumber ne null', [['accountnumber', 'asc']], (row) => row.accountnumber !== null],
    ['ne null descending', 'accountnumber ne null', [['accountnumber', 'desc']], (row) => row.accountnumber !== null],
    ['eq null first key', 'accountnumber eq null', [['accountnumber', 'desc']], (row) => row.accountnumber === null],
    ['case-insensitive equality on the first key', "address1_city eq 'BERLIN'", [['address1_city', 'asc'], ['creditlimit', 'desc']], (row) => lower(row.address1_city) === 'berlin'],
    ['or across columns', "statecode eq 1 or address1_city eq null", [['address1_city', 'desc'], ['name', 'asc']], (row) => row.statecode === 1 || row.address1_city === null],
    ['no filter, several keys', '', [['name', 'asc'], ['creditlimit', 'desc']], () => true],
  ];

  it.each(cases)('%s', async (_label, filterTemplate, keys, predicate) => {
    const someId = dv.emulator.store.listAccounts()[123]?.accountid ?? '';
    const filter = filterTemplate.replace('VERSION', String(versionAfterSeed)).replace(`accountid eq x`, `accountid eq ${someId}`);
    const check = filterTemplate.startsWith('accountid eq') ? (row: AccountRow) => row.accountid === someId : predicate;
    const query = [
      '$select=accountid',
      filter ? `$filter=${encodeURIComponent(filter)}` : '',
      keys.length ? `$orderby=${keys.map(([column, direction]) => `${column} ${direction}`).join(',')}` : '',
    ].filter(Boolean).join('&');
    const ids: string[] = [];
    let next: string | undefined = `accounts?${query}`;
    while (next !== undefined) {
      const body = page(await dv.send('GET', next, { headers: { prefer: 'odata.maxpagesize=13' } }));
      ids.push(...body.value.map((row) => String(row['accountid'])));
      next = body['@odata.nextLink'];
    }
    const expected = oracle(check, keys);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
  });
});
