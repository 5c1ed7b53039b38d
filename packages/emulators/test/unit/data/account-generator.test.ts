import { describe, expect, it } from 'vitest';
import { businessUnitIds, defaultFnoReferenceData, generateAccounts, parseAccountsDataset } from '../../../src/data';
import { ACCOUNT_COLUMNS } from '../../../src/dataverse';

const dataset = generateAccounts({ count: 10_000, seed: 11 });
const accounts = dataset.accounts;
const share = (predicate: (account: (typeof accounts)[number]) => boolean) => accounts.filter(predicate).length / accounts.length;

describe('generateAccounts', () => {
  it('is deterministic for a seed and different across seeds', () => {
    const again = generateAccounts({ count: 300, seed: 11 });
    expect(again.accounts).toEqual(accounts.slice(0, 300));
    expect(generateAccounts({ count: 300, seed: 12 }).accounts).not.toEqual(again.accounts);
  });

  it('generates 10,000 accounts in well under a second of CPU time', () => {
    // CPU time of this process, not wall-clock time: other processes on a loaded machine do not count against it.
    const started = process.cpuUsage();
    generateAccounts({ count: 10_000, seed: 99 });
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1_000).toBeLessThan(1_000);
  });

  it('has the proportions the sync must cope with', () => {
    expect(share((a) => a.accountnumber === null)).toBeGreaterThan(0.17);
    expect(share((a) => a.accountnumber === null)).toBeLessThan(0.23);
    expect(share((a) => a.statecode === 1)).toBeGreaterThan(0.03);
    expect(share((a) => a.statecode === 1)).toBeLessThan(0.07);
    const numbers = accounts.map((a) => a.accountnumber).filter((n): n is string => n !== null && n !== undefined);
    const exactDuplicates = numbers.length - new Set(numbers).size;
    const caseDuplicates = numbers.length - new Set(numbers.map((n) => n.toLowerCase())).size;
    expect(exactDuplicates).toBeGreaterThan(10);
    expect(caseDuplicates).toBeGreaterThan(exactDuplicates);
    expect(share((a) => (a.name ?? '').length > 100)).toBeGreaterThan(0.01);
    expect(share((a) => (a.address1_city ?? '').length > 60)).toBeGreaterThan(0.005);
    expect(share((a) => (a.address1_stateorprovince ?? '').length > 10)).toBeGreaterThan(0.01);
    expect(share((a) => (a.name ?? '').includes("'"))).toBeGreaterThan(0.01);
    expect(share((a) => /[^\u0000-\u007f]/.test(`${a.name}${a.address1_city}${a.address1_line1}`))).toBeGreaterThan(0.05);
    expect(share((a) => a.paymenttermscode !== null)).toBeGreaterThan(0.4);
    expect(share((a) => a.address1_freighttermscode !== null)).toBeGreaterThan(0.2);
    expect(share((a) => a.address1_shippingmethodcode !== null)).toBeGreaterThan(0.3);
  });

  it('writes countries in varied ways, sometimes blank or unknown', () => {
    const countries = new Set(accounts.map((a) => a.address1_country));
    for (const form of ['United States', 'USA', 'US', 'Deutschland', 'U.K.', null]) expect(countries.has(form), String(form)).toBe(true);
    const known = new Set(defaultFnoReferenceData().countries.flatMap((c) => [c.name.toLowerCase(), c.id.toLowerCase(), c.isoCode.toLowerCase()]));
    const unknown = accounts.filter((a) => a.address1_country && ['atlantis', 'narnia', 'elbonia', 'ruritania', 'middle earth', 'wakanda'].includes(a.address1_country.toLowerCase()));
    expect(unknown.length).toBeGreaterThan(20);
    expect(unknown.every((a) => !known.has((a.address1_country ?? '').toLowerCase()))).toBe(true);
  });

  it('uses several currencies (one unknown to F&O) and spreads accounts over the USMF and DEMF business units', () => {
    const isoById = new Map(dataset.transactioncurrencies.map((c) => [c.transactioncurrencyid, c.isocurrencycode]));
    const used = new Set(accounts.map((a) => isoById.get(a._transactioncurrencyid_value ?? '')));
    for (const code of ['USD', 'EUR', 'GBP', 'CAD', 'JPY', 'CHF', 'NZD']) expect(used.has(code), code).toBe(true);
    const fnoCurrencies = new Set(defaultFnoReferenceData().currencies.map((c) => c.code));
    expect(fnoCurrencies.has('NZD')).toBe(false);
    const units = new Set(dataset.businessunits.map((unit) => unit.name));
    expect(units).toEqual(new Set(['Contoso', 'USMF', 'DEMF']));
    expect(share((a) => a._owningbusinessunit_value === businessUnitIds.usmf)).toBeGreaterThan(0.4);
    expect(share((a) => a._owningbusinessunit_value === businessUnitIds.demf)).toBeGreaterThan(0.3);
    expect(share((a) => a._owningbusinessunit_value === businessUnitIds.usmf || a._owningbusinessunit_value === businessUnitIds.demf)).toBe(1);
  });

  it('stays within Dataverse limits, so the generated data round-trips through the accounts-file validation', () => {
    for (const column of ACCOUNT_COLUMNS) {
      if (column.kind !== 'string') continue;
      const longest = Math.max(0, ...accounts.map((a) => String((a as Record<string, unknown>)[column.name] ?? '').length));
      expect(longest, column.name).toBeLessThanOrEqual(column.maxLength);
    }
    const parsed = parseAccountsDataset(JSON.parse(JSON.stringify(dataset)));
    expect(parsed.accounts).toHaveLength(10_000);
    expect(new Set(accounts.map((a) => a.accountid)).size).toBe(10_000);
  });
});
