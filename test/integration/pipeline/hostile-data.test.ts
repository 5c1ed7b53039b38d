import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReport } from '../../../src/workflows';
import type { AccountInput } from '@p2c-sync/emulators';
import { PipelineHarness } from '../../support/pipeline';
import { account, accountId, customersOf } from './hostile-accounts';

// Hostile account data through a real sync (Temporal, both emulators over HTTP): every valid account becomes exactly
// one correct customer, every invalid one is reported with its code, and no other customer is created or changed.
// Expected values are written out by hand.

const x = (count: number) => 'x'.repeat(count);
const EMOJI = '\u{1F600}'; // two UTF-16 units, as F&O counts them

/** Accounts that must become customers: number → name. */
const VALID: [string, string][] = [
  ["O'BRIEN-1", "O'Brien & Sons"],
  ["Q''2", `Quote '' "double"`],
  ['X eq Y', 'eq ne gt lt and or not'],
  ["A' or '1' eq '1", "Robert'); DROP TABLE Customers;--"],
  ['100%', 'Percent %25 %00 %zz'],
  ['50%OFF', '50% off'],
  ['#HASH', 'Hash # Co'],
  ['Q?X=1', 'Query ?x=1&y=2 Co'],
  ['SLASH/1', 'Slash / Co'],
  ['../..', 'Dot dot slash'],
  ['A&B', 'A & B'],
  ['BACK\\SLASH', 'Back \\ slash'],
  ['PAREN(1)', 'Parentheses (1)'],
  ['C,O', 'Comma, Co'],
  ['SEMI;COLON', 'Semi; colon'],
  ['PLUS+1', 'Plus + 1'],
  ['AT@1', 'At @ 1'],
  ['TILDE~1', 'Tilde ~ 1'],
  ['PIPE|1', 'Pipe | 1'],
  ['CARET^1', 'Caret ^ 1'],
  ['DOLLAR$1', '$filter=true'],
  ['BRACE{1}', '{"json": true}'],
  ['ANGLE<1>', '<script>alert(1)</script>'],
  ['DQ"1', 'Double "quote"'],
  ['MID SPACE', 'Inner space'],
  ['Mixed-Case', 'Mixed case key'],
  ['K-KELVIN', 'Kelvin with K'],
  ['ABCDEFGHIJ0123456789', 'Key of exactly 20'],
  ['NAME-100', x(100)],
  ['NAME-EMOJI-100', `${x(98)}${EMOJI}`],
  ['NAME-EMOJI', `Caf\u00e9 ${EMOJI} \u2615 \u00df \u0131 \u212a`],
  ['NAME-RTL', '\u05e9\u05dc\u05d5\u05dd Ltd \u202eevil'],
  ['NAME-ZW', 'Zero\u200bWidth\ufeffBOM'],
  ['NAME-FORMULA', '=HYPERLINK("http://x","y")'],
  ['NAME-CTRL', 'Bell\u0007 and\ttab'],
];

/** Accounts that must be refused: number → failure code. */
const INVALID: [string, string][] = [
  ['\ud800-LONE', 'INVALID_ACCOUNT_NUMBER'],
  ['\u212a-KELVIN', 'INVALID_ACCOUNT_NUMBER'],
  ['\u0131d-foreign', 'INVALID_ACCOUNT_NUMBER'],
  [' PAD-L', 'INVALID_ACCOUNT_NUMBER'],
  ['PAD-R ', 'INVALID_ACCOUNT_NUMBER'],
  [' Case-1 ', 'INVALID_ACCOUNT_NUMBER'],
  ['TAB\tX', 'INVALID_ACCOUNT_NUMBER'],
  ['NUL\u0000X', 'INVALID_ACCOUNT_NUMBER'],
  ['LINE\nBREAK', 'INVALID_ACCOUNT_NUMBER'],
  ['ZW\u200bX', 'INVALID_ACCOUNT_NUMBER'],
  ['\u200fRTL', 'INVALID_ACCOUNT_NUMBER'],
  ['\u202eBIDI', 'INVALID_ACCOUNT_NUMBER'],
  ['\ufeffBOM', 'INVALID_ACCOUNT_NUMBER'],
  ['NBSP\u00a0X', 'INVALID_ACCOUNT_NUMBER'],
  ['STRA\u00dfE', 'INVALID_ACCOUNT_NUMBER'],
  ['\ufb01LE', 'INVALID_ACCOUNT_NUMBER'],
  ['CAF\u00c9', 'INVALID_ACCOUNT_NUMBER'],
  [`EMOJI${EMOJI}`, 'INVALID_ACCOUNT_NUMBER'],
  ['\uff21\uff22C', 'INVALID_ACCOUNT_NUMBER'],
  ['   ', 'INVALID_ACCOUNT_NUMBER'],
  ['case-1', 'DUPLICATE_ACCOUNT_NUMBER'],
  ['CASE-1', 'DUPLICATE_ACCOUNT_NUMBER'],
  ['id-owned', 'CUSTOMER_NOT_EXTERNALLY_MAINTAINED'],
  ['ESC\u001b[0m', 'INVALID_ACCOUNT_NUMBER'],
  // F&O reads `*` in an eq filter as a wildcard: 'STAR*' would read back STAR-ANYTHING as its customer.
  ['STAR*', 'INVALID_ACCOUNT_NUMBER'],
];

/** Valid numbers whose other fields break a length limit: number → [name, extra columns, failed field]. */
const TOO_LONG_FIELDS: [string, string, Record<string, string>][] = [
  ['NAME-101', x(101), {}],
  ['NAME-EMOJI-101', `${x(99)}${EMOJI}`, {}],
  ['CITY-61', 'City too long', { address1_city: x(61) }],
  ['ZIP-11', 'Zip too long', { address1_postalcode: '12345678901' }],
];

/** Valid numbers whose fields sit exactly at a length limit. */
const AT_LIMIT: [string, string, Record<string, string>][] = [
  ['CITY-60', 'City at limit', { address1_city: x(60) }],
  ['ZIP-10', 'Zip at limit', { address1_postalcode: '1234567890' }],
];

/** F&O customers before the run: the sync may update only EXT-OWNED (externally maintained, matched by ext-owned). */
const PRE_EXISTING = [
  { CustomerAccount: 'ID-FOREIGN', OrganizationName: 'Foreign Ltd', IsExternallyMaintained: 'No' },
  { CustomerAccount: 'ID-OWNED', OrganizationName: 'Owned by F&O', IsExternallyMaintained: 'No' },
  { CustomerAccount: 'EXT-OWNED', OrganizationName: 'Old name', IsExternallyMaintained: 'Yes' },
  { CustomerAccount: 'UNRELATED-1', OrganizationName: 'Unrelated one', IsExternallyMaintained: 'Yes' },
  { CustomerAccount: 'UNRELATED-2', OrganizationName: 'Unrelated two', IsExternallyMaintained: 'No' },
];

interface Seeded {
  id: string;
  number: string | null;
  name: string;
}

describe('a sync of 70 hostile accounts', () => {
  let harness: PipelineHarness;
  let first: SyncReport;
  const seeded: Seeded[] = [];
  let untouchedBefore: Map<string, Record<string, unknown>>;

  const idOf = (number: string | null) => {
    const found = seeded.find((s) => s.number === number);
    if (!found) throw new Error(`no seeded account ${JSON.stringify(number)}`);
    return found.id;
  };
  const codesOf = (report: SyncReport, id: string) =>
    report.failures.shown.filter((failure) => failure.accountId === id).map((failure) => failure.code);
  const fnoWrites = () => harness.emulators.fno.admin.counters.snapshot().writes;

  beforeAll(async () => {
    harness = await PipelineHarness.start();
    const accounts: AccountInput[] = [];
    let index = 1;
    const add = (number: string | null, name: string, extra: Record<string, unknown> = {}) => {
      accounts.push(account(index, number, name, extra));
      seeded.push({ id: accountId(index), number, name });
      index += 1;
    };
    for (const [number, name] of VALID) add(number, name);
    for (const [number] of INVALID) add(number, `Refused ${JSON.stringify(number)}`);
    for (const [number, name, extra] of TOO_LONG_FIELDS) add(number, name, extra);
    for (const [number, name, extra] of AT_LIMIT) add(number, name, extra);
    add('ext-owned', 'Adopted by case');
    add(null, 'No Number Inc');
    // Inactive: never read, whatever its number.
    add('\ud800-INACTIVE', 'Inactive', { statecode: 1 });
    add('EXT-OWNED ', 'Inactive padded', { statecode: 1 });
    expect(accounts).toHaveLength(70);
    harness.emulators.dataverse.store.insertAccounts(accounts);
    for (const customer of PRE_EXISTING) {
      harness.emulators.fno.store.insert({
        dataAreaId: 'usmf',
        PartyType: 'Organization',
        CustomerGroupId: '10',
        SalesCurrencyCode: 'USD',
        ...customer,
      });
    }
    untouchedBefore = customersOf(harness);
    untouchedBefore.delete('EXT-OWNED');
    // Small units: boundaries fall between look-alikes, and the last unit is open (the lone surrogate sorts last).
    first = await harness.sync({ batchSize: 5, maxFailuresInResult: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('makes every valid account exactly one customer with its own name', () => {
    expect(first.status).toBe('completed');
    const customers = customersOf(harness);
    for (const [number, name] of [...VALID, ...AT_LIMIT.map(([n, name]) => [n, name] as const)]) {
      const customer = customers.get(number);
      expect(customer, number).toBeDefined();
      expect(customer?.OrganizationName, number).toBe(name);
      expect(customer?.IsExternallyMaintained, number).toBe('Yes');
      expect(codesOf(first, idOf(number)), number).toEqual([]);
    }
    expect(customers.get('CITY-60')?.AddressCity).toBe(x(60));
    expect(customers.get('ZIP-10')?.AddressZipCode).toBe('1234567890');
    // The unnumbered account was numbered and synced.
    const numbered = [...customers.values()].filter((c) => /^ACC-00001-[A-Z0-9]{6}$/.test(String(c.CustomerAccount)));
    expect(numbered.map((c) => c.OrganizationName)).toEqual(['No Number Inc']);
    expect(first.accountNumbers.assigned).toBe(1);
    // The numbering scan's count: case-1/CASE-1 only; padded and look-alike numbers are never duplicates.
    expect(first.accountNumbers.duplicateGroups).toBe(1);
  });

  it('reports every invalid account with its code, naming field and value, and writes none of them', () => {
    for (const [number, code] of INVALID) {
      const failures = first.failures.shown.filter((failure) => failure.accountId === idOf(number));
      expect(failures.map((f) => f.code), JSON.stringify(number)).toEqual([code]);
      expect(failures[0]?.field, JSON.stringify(number)).toBe('accountnumber');
      expect(failures[0]?.value, JSON.stringify(number)).toBe(number);
    }
    for (const [number, , extra] of TOO_LONG_FIELDS) {
      const failures = first.failures.shown.filter((failure) => failure.accountId === idOf(number));
      expect(failures.map((f) => [f.code, f.field]), number).toEqual([
        ['TOO_LONG', Object.keys(extra)[0] ?? 'name'],
      ]);
    }
    const lone = first.failures.shown.find((failure) => failure.accountId === idOf('\ud800-LONE'));
    expect(lone?.reason).toContain('\\uD800-LONE');
    expect(lone?.reason).toContain('lone surrogate (U+D800)');
    const kelvin = first.failures.shown.find((failure) => failure.accountId === idOf('\u212a-KELVIN'));
    expect(kelvin?.reason).toContain('U+212A');
  });

  it('creates no other customer and changes none it does not own; adopts the case variant of an owned one', () => {
    const customers = customersOf(harness);
    // 35 valid + 2 at a limit + the numbered one, and the five that were there.
    expect(customers.size).toBe(35 + 2 + 1 + 5);
    expect(first.totals.created).toBe(38);
    expect(first.totals.updated).toBe(1);
    for (const [key, before] of untouchedBefore) expect(customers.get(key), key).toEqual(before);
    expect(customers.get('EXT-OWNED')?.OrganizationName).toBe('Adopted by case');
    expect(customers.has('ext-owned')).toBe(false);
    expect(customers.has('\u0131d-foreign')).toBe(false);
    expect(customers.has('K-KELVIN')).toBe(true);
    // case-1, CASE-1 and ' Case-1 ' are no customer in any spelling.
    expect([...customers.keys()].filter((key) => key.toLowerCase().includes('case-1'))).toEqual([]);
  });

  it('counts add up: every active numbered account read once, failures once per account', () => {
    // 35 + 25 + 4 + 2 + ext-owned + the numbered one.
    expect(first.totals.read).toBe(68);
    expect(first.totals.failed).toBe(25 + 4);
    expect(first.failures.total).toBe(25 + 4);
    expect(first.totals.created + first.totals.updated + first.totals.unchanged + first.totals.failed).toBe(68);
  });

  it('a rerun over unchanged data one account per unit writes nothing and counts nothing as created', async () => {
    const writesBefore = fnoWrites();
    const rerun = await harness.sync({ mode: 'full', batchSize: 1, maxFailuresInResult: 10_000 });
    expect(rerun.status).toBe('completed');
    expect(fnoWrites() - writesBefore).toBe(0);
    expect(rerun.totals).toMatchObject({ read: 68, created: 0, updated: 0, unchanged: 39, failed: 29 });
    expect(customersOf(harness).size).toBe(43);
  }, 120_000);

  it('an incremental run lists accounts with invalid numbers by id and reports them again, writing nothing', async () => {
    const writesBefore = fnoWrites();
    const incremental = await harness.sync({ mode: 'incremental', since: 'version:0', batchSize: 4, maxFailuresInResult: 10_000 });
    expect(incremental.mode).toBe('incremental');
    expect(fnoWrites() - writesBefore).toBe(0);
    expect(incremental.totals).toMatchObject({ read: 68, created: 0, updated: 0, unchanged: 39, failed: 29 });
    expect(codesOf(incremental, idOf('\ud800-LONE'))).toEqual(['INVALID_ACCOUNT_NUMBER']);
    expect(codesOf(incremental, idOf('\u212a-KELVIN'))).toEqual(['INVALID_ACCOUNT_NUMBER']);
  }, 120_000);

  it('updates customers whose keys hold URL and OData syntax', async () => {
    const renamed = ["O'BRIEN-1", '100%', '#HASH', 'Q?X=1', 'SLASH/1', '../..', 'A&B', 'BACK\\SLASH', "A' or '1' eq '1", 'X eq Y'];
    for (const number of renamed) {
      harness.emulators.dataverse.store.updateAccount(idOf(number), { name: `Renamed ${number}` });
    }
    const writesBefore = fnoWrites();
    const run = await harness.sync({ mode: 'full', batchSize: 3, maxFailuresInResult: 10_000 });
    expect(run.totals).toMatchObject({ created: 0, updated: 10, failed: 29 });
    expect(fnoWrites() - writesBefore).toBe(10);
    const customers = customersOf(harness);
    for (const number of renamed) expect(customers.get(number)?.OrganizationName, number).toBe(`Renamed ${number}`);
    expect(customers.size).toBe(43);
  }, 120_000);
});
