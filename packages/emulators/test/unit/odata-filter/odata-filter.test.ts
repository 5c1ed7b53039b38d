import { describe, expect, it } from 'vitest';
import {
  type ColumnTypes,
  FilterParseError,
  FilterUnknownColumnError,
  compareValues,
  evaluateFilter,
  parseFilter,
  parseOrderBy,
} from '../../../src/odata-filter';

const accountColumns: ColumnTypes = {
  accountid: 'guid',
  accountnumber: 'string',
  name: 'string',
  statecode: 'number',
  creditlimit: 'number',
  creditonhold: 'boolean',
  modifiedon: 'datetime',
  versionnumber: 'number',
};

const customerColumns: ColumnTypes = { dataAreaId: 'string', CustomerAccount: 'string', IsExternallyMaintained: 'enum', CreditLimit: 'number' };

const rows = [
  { accountid: 'AAAAAAAA-0000-0000-0000-000000000001', accountnumber: 'ACC-00001', name: "O'Brien Ltd", statecode: 0, creditlimit: 100.5, creditonhold: false, modifiedon: '2024-01-01T10:00:00Z', versionnumber: 10 },
  { accountid: 'aaaaaaaa-0000-0000-0000-000000000002', accountnumber: 'acc-00002', name: 'Fourth Coffee', statecode: 1, creditlimit: 0, creditonhold: true, modifiedon: '2024-03-01T00:00:00Z', versionnumber: 20 },
  { accountid: 'aaaaaaaa-0000-0000-0000-000000000003', accountnumber: null, name: 'Contoso', statecode: 0, creditlimit: null, creditonhold: false, modifiedon: '2023-12-31T23:59:59Z', versionnumber: 30 },
];

function matching(filter: string): string[] {
  const expression = parseFilter(filter, { dialect: 'dataverse', columns: accountColumns });
  return rows.filter((row) => evaluateFilter(expression, row)).map((row) => row.accountid.slice(-1));
}

describe('parseFilter + evaluateFilter (dataverse dialect)', () => {
  it.each([
    ["accountnumber eq 'ACC-00002'", ['2']],
    ["accountnumber eq 'acc-00001'", ['1']],
    ["accountnumber ne 'ACC-00001'", ['2', '3']],
    ["accountnumber gt 'ACC-00001'", ['2']],
    ["accountnumber ge 'acc-00001'", ['1', '2']],
    ["accountnumber lt 'ACC-00002'", ['1']],
    ["accountnumber le 'ACC-00002'", ['1', '2']],
    ['accountnumber eq null', ['3']],
    ['accountnumber ne null', ['1', '2']],
    ["'ACC-00001' lt accountnumber", ['2']],
    ['statecode eq 0', ['1', '3']],
    ["statecode eq 0 and accountnumber gt 'A'", ['1']],
    ["statecode eq 1 or accountnumber eq null", ['2', '3']],
    ["not (statecode eq 0)", ['2']],
    ["not statecode eq 0 or name eq 'contoso'", ['2', '3']],
    ["statecode eq 0 and (name eq 'Contoso' or creditlimit gt 50)", ['1', '3']],
    ['creditlimit ge 0', ['1', '2']],
    ['creditlimit gt 100.25', ['1']],
    ['creditlimit eq -1', []],
    ['creditonhold eq true', ['2']],
    ['creditonhold', ['2']],
    ['not creditonhold', ['1', '3']],
    ["contains(name,'COFFEE')", ['2']],
    ["startswith(name,'o''b')", ['1']],
    ["endswith(name, 'SO')", ['3']],
    ["contains(accountnumber,'0')", ['1', '2']],
    ["name eq 'O''Brien Ltd'", ['1']],
    ['accountid eq aaaaaaaa-0000-0000-0000-000000000001', ['1']],
    ['accountid eq AAAAAAAA-0000-0000-0000-000000000002', ['2']],
    ['modifiedon gt 2024-01-01T09:00:00Z', ['1', '2']],
    ['modifiedon lt 2024-01-01', ['3']],
    ['modifiedon ge 2024-01-01T12:00:00+02:00', ['1', '2']],
    ['versionnumber gt 15', ['2', '3']],
    ["Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=['AAAAAAAA-0000-0000-0000-000000000003','aaaaaaaa-0000-0000-0000-000000000001'])", ['1', '3']],
    ["Microsoft.Dynamics.CRM.In(PropertyValues=['acc-00002','nope'],PropertyName='accountnumber')", ['2']],
    ["Microsoft.Dynamics.CRM.In(PropertyName='versionnumber',PropertyValues=['10','30']) and statecode eq 0", ['1', '3']],
    ["not Microsoft.Dynamics.CRM.In(PropertyName='statecode',PropertyValues=['1'])", ['1', '3']],
    ['  ( ( statecode   eq 0 ) )  ', ['1', '3']],
  ])('%s', (filter, expected) => {
    expect(matching(filter)).toEqual(expected);
  });

  it('normalises a literal on the left into a mirrored comparison', () => {
    expect(parseFilter('5 lt versionnumber', { dialect: 'dataverse', columns: accountColumns })).toEqual({
      kind: 'compare',
      op: 'gt',
      column: 'versionnumber',
      columnType: 'number',
      value: 5,
    });
  });

  it('flattens chains of and/or into one node', () => {
    const expression = parseFilter('statecode eq 0 and versionnumber gt 1 and accountnumber eq null', { dialect: 'dataverse', columns: accountColumns });
    expect(expression.kind).toBe('and');
    expect(expression.kind === 'and' && expression.operands).toHaveLength(3);
  });

  it('reports an unknown column with its name and position', () => {
    const error = (() => {
      try {
        parseFilter("statecode eq 0 and foo eq 'x'", { dialect: 'dataverse', columns: accountColumns });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FilterUnknownColumnError);
    expect((error as FilterUnknownColumnError).column).toBe('foo');
    expect((error as FilterUnknownColumnError).position).toBe(19);
    expect(() => parseFilter("Microsoft.Dynamics.CRM.In(PropertyName='constructor',PropertyValues=['a'])", { dialect: 'dataverse', columns: accountColumns })).toThrow(
      FilterUnknownColumnError,
    );
    expect(() => parseFilter("contains(toString,'a')", { dialect: 'dataverse', columns: accountColumns })).toThrow(FilterUnknownColumnError);
  });

  it.each([
    ["name eq 'x", 8],
    ['name eq', 7],
    ["name eq 'a' and", 15],
    ["name 'a'", 5],
    ["(name eq 'a'", 12],
    ["name eq 'a')", 11],
    ["name eq 'a' xor statecode eq 1", 12],
    ['statecode eq 0x1', 13],
    ['statecode eq 1abc', 13],
    ['name eq name', 5],
    ["'a' eq 'a'", 4],
    ["statecode eq '0'", 13],
    ['name eq 5', 8],
    ['accountid eq \'aaaaaaaa-0000-0000-0000-000000000001\'', 13],
    ['modifiedon gt 2024-13', 14],
    ['versionnumber gt null', 14],
    ["name in ('a','b')", 5],
    ["name has 'a'", 5],
    ["tolower(name) eq 'a'", 0],
    ["contains(name, 5)", 15],
    ["contains(statecode, 'a')", 9],
    ["Microsoft.Dynamics.CRM.In(PropertyName='statecode',PropertyValues=['x'])", 67],
    ["Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=['nope'])", 67],
    ["Microsoft.Dynamics.CRM.In(PropertyName='accountid')", 0],
    ["Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=[])", 67],
    ["Microsoft.Dynamics.CRM.NotIn(PropertyName='accountid',PropertyValues=['a'])", 0],
    ["statecode eq Microsoft.Dynamics.DataEntities.NoYes'Yes'", 13],
    ['', 0],
    ['name eq @p1', 8],
    ['and', 0],
    ['not', 3],
  ])('rejects %j at position %i', (filter, position) => {
    let caught: unknown;
    try {
      parseFilter(filter, { dialect: 'dataverse', columns: accountColumns });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FilterParseError);
    expect((caught as FilterParseError).position).toBe(position);
    expect((caught as FilterParseError).message.length).toBeGreaterThan(5);
  });

  it('refuses nesting deep enough to threaten the stack', () => {
    const deep = `${'('.repeat(5000)}statecode eq 0${')'.repeat(5000)}`;
    expect(() => parseFilter(deep, { dialect: 'dataverse', columns: accountColumns })).toThrow(/nested too deeply/);
    expect(() => parseFilter(`${'not '.repeat(5000)}creditonhold`, { dialect: 'dataverse', columns: accountColumns })).toThrow(FilterParseError);
    const wide = Array.from({ length: 3000 }, (_, i) => `versionnumber eq ${i}`).join(' or ');
    const expression = parseFilter(wide, { dialect: 'dataverse', columns: accountColumns });
    expect(rows.filter((row) => evaluateFilter(expression, row)).length).toBe(3);
  });

  it('never throws anything but FilterParseError on random or mutated input, and always terminates', () => {
    const alphabet = ["'", '(', ')', ',', ' ', 'eq', 'and', 'or', 'not', 'name', 'statecode', '0', '-', '.', 'x', '[', ']', '=', 'null', 'Microsoft.Dynamics.CRM.In', 'PropertyName', 'PropertyValues', "'a'", 'contains', '2024-01-01', 'aaaaaaaa-0000-0000-0000-000000000001', '$', 'é', '\u0000', "NoYes'Yes'"];
    const valid = [
      "statecode eq 0 and accountnumber gt 'ACC-00001'",
      "Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=['aaaaaaaa-0000-0000-0000-000000000001'])",
      "not (contains(name,'o''b') or modifiedon lt 2024-01-01T00:00:00Z)",
      'creditonhold and versionnumber ge 15',
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const mutate = (text: string): string => {
      const at = Math.floor(random() * text.length);
      switch (Math.floor(random() * 3)) {
        case 0:
          return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 4));
        case 1:
          return text.slice(0, at) + pick(alphabet) + text.slice(at);
        default:
          return text.slice(0, at) + text.slice(at + 1) + (text[at] ?? '');
      }
    };
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 4000; i += 1) {
      const text =
        i % 2 === 0
          ? Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(alphabet)).join(random() < 0.5 ? ' ' : '')
          : mutate(pick(valid));
      try {
        const expression = parseFilter(text, { dialect: i % 4 === 0 ? 'fno' : 'dataverse', columns: { ...accountColumns, ...customerColumns } });
        for (const row of rows) expect(typeof evaluateFilter(expression, row)).toBe('boolean');
        parsed += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(FilterParseError);
        rejected += 1;
      }
    }
    // Both outcomes must occur, or the generator is not exercising the parser.
    expect(parsed).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });
});

describe('parseFilter (fno dialect)', () => {
  const customers = [
    { dataAreaId: 'usmf', CustomerAccount: 'C-1', IsExternallyMaintained: 'Yes', CreditLimit: 10 },
    { dataAreaId: 'USMF', CustomerAccount: 'C-2', IsExternallyMaintained: 'No', CreditLimit: 20 },
    { dataAreaId: 'demf', CustomerAccount: 'C-3', IsExternallyMaintained: 'Yes', CreditLimit: 30 },
  ];
  const select = (filter: string) => {
    const expression = parseFilter(filter, { dialect: 'fno', columns: customerColumns });
    return customers.filter((row) => evaluateFilter(expression, row)).map((row) => row.CustomerAccount);
  };

  it.each([
    ["dataAreaId eq 'usmf'", ['C-1', 'C-2']],
    ["IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'Yes'", ['C-1', 'C-3']],
    ["IsExternallyMaintained ne Microsoft.Dynamics.DataEntities.NoYes'Yes' and dataAreaId eq 'usmf'", ['C-2']],
    ["dataAreaId eq 'usmf' and (CustomerAccount eq 'C-1' or CustomerAccount eq 'C-2')", ['C-1', 'C-2']],
    ['not (CreditLimit le 10)', ['C-2', 'C-3']],
  ])('%s', (filter, expected) => {
    expect(select(filter)).toEqual(expected);
  });

  it.each([
    ["CustomerAccount in ('C-1','C-2')", /'in' operator is not supported/],
    ["IsExternallyMaintained gt Microsoft.Dynamics.DataEntities.NoYes'No'", /only 'eq' and 'ne'/],
    ["IsExternallyMaintained eq 'Yes'", /incompatible types/],
    ["contains(CustomerAccount,'C')", /not supported/],
    ["Microsoft.Dynamics.CRM.In(PropertyName='CustomerAccount',PropertyValues=['C-1'])", /not supported/],
    ["IsExternallyMaintained has Microsoft.Dynamics.DataEntities.NoYes'Yes'", /'has' operator/],
  ])('rejects %s', (filter, message) => {
    expect(() => parseFilter(filter, { dialect: 'fno', columns: customerColumns })).toThrow(message);
  });
});

describe('compareValues (the one collation)', () => {
  it('orders null < booleans < numbers < strings, strings by lower-cased code units', () => {
    const values = ['b', 'A', null, 3, 'a', true, 'B', -1, false, 'aa', 'Ä', 'ä', 'Z'];
    const sorted = [...values].sort(compareValues);
    expect(sorted).toEqual([null, false, true, -1, 3, 'A', 'a', 'aa', 'b', 'B', 'Z', 'Ä', 'ä']);
  });

  it('agrees with comparing toLowerCase() forms, including non-ASCII tails', () => {
    const samples = ['abc', 'ABC', 'abd', 'ab', 'abΣ', 'ABσ', 'İx', 'ix', 'straße', 'STRASSE', 'zz', 'Zz', 'a-1', 'a_1', 'A[', 'a{'];
    for (const a of samples) {
      for (const b of samples) {
        const x = a.toLowerCase();
        const y = b.toLowerCase();
        expect(Math.sign(compareValues(a, b))).toBe(x < y ? -1 : x > y ? 1 : 0);
      }
    }
  });
});

describe('parseOrderBy', () => {
  it('reads keys with directions', () => {
    expect(parseOrderBy('accountnumber, name desc,accountid asc', accountColumns)).toEqual([
      { column: 'accountnumber', direction: 'asc' },
      { column: 'name', direction: 'desc' },
      { column: 'accountid', direction: 'asc' },
    ]);
  });

  it.each([
    ['', FilterParseError],
    ['name,', FilterParseError],
    ['name sideways', FilterParseError],
    ['name asc desc', FilterParseError],
    ['name,name desc', FilterParseError],
    ['nope', FilterUnknownColumnError],
    ['name,__proto__', FilterUnknownColumnError],
  ])('rejects %j', (text, errorClass) => {
    expect(() => parseOrderBy(text, accountColumns)).toThrow(errorClass);
  });
});
