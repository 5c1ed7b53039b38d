import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataverseHarness, errorOf, EUR, GERMANY_UNIT, ROOT_UNIT, sampleAccount, startDataverse, USD } from './dataverse-harness';

const ID = '00000000-0000-4000-8000-000000000001';

describe('Dataverse emulator: writing accounts', () => {
  let dv: DataverseHarness;
  beforeAll(async () => {
    dv = await startDataverse({ seed: 7, accountNumberStart: 1000 });
    dv.emulator.store.insertAccounts([sampleAccount(1), sampleAccount(2)]);
  });
  afterAll(async () => dv?.close());

  const versionOf = (id: string) => dv.emulator.store.getAccount(id)?.versionnumber ?? -1;

  it('PATCH changes only the given columns, bumps versionnumber and modifiedon, answers 204 with OData-EntityId', async () => {
    const before = dv.emulator.store.getAccount(ID);
    const maxBefore = dv.emulator.store.maxVersion();
    const response = await dv.send('PATCH', `accounts(${ID})`, { body: { telephone1: '+49 30 1234', creditlimit: 1234.567 } });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(response.headers['odata-entityid']).toBe(`${dv.root}accounts(${ID})`);
    const after = dv.emulator.store.getAccount(ID);
    // modifiedon has whole seconds: the PATCH may land in the second the account was inserted, or in a later one.
    const { modifiedon: modifiedBefore, ...unchanged } = before ?? {};
    expect(after).toMatchObject({ ...unchanged, telephone1: '+49 30 1234', creditlimit: 1234.57, versionnumber: maxBefore + 1 });
    expect(after?.modifiedon).toMatch(/Z$/);
    expect(String(after?.modifiedon) >= String(modifiedBefore)).toBe(true);
    expect(after?.createdon).toBe(before?.createdon);
  });

  it('honours If-Match with the current ETag and refuses a stale one with 412 and the documented message', async () => {
    const current = await dv.send('GET', `accounts(${ID})?$select=name`);
    const etag = current.headers['etag'] ?? '';
    expect((await dv.send('PATCH', `accounts(${ID})`, { body: { fax: '1' }, headers: { 'if-match': etag } })).status).toBe(204);
    const stale = await dv.send('PATCH', `accounts(${ID})`, { body: { fax: '2' }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect(errorOf(stale)).toEqual({ code: '0x80060882', message: "The version of the existing record doesn't match the RowVersion property provided." });
    expect(dv.emulator.store.getAccount(ID)?.fax).toBe('1');
    const quotedOnly = await dv.send('PATCH', `accounts(${ID})`, { body: { fax: '3' }, headers: { 'if-match': `"${versionOf(ID)}"` } });
    expect(quotedOnly.status).toBe(204);
  });

  it('If-Match: * updates only: 404 when the row is missing, and nothing is created', async () => {
    const missing = '00000000-0000-4000-8000-00000000abcd';
    const response = await dv.send('PATCH', `accounts(${missing})`, { body: { name: 'ghost' }, headers: { 'if-match': '*' } });
    expect(response.status).toBe(404);
    expect(errorOf(response).code).toBe('0x80040217');
    expect(dv.emulator.store.getAccount(missing)).toBeUndefined();
  });

  it('If-None-Match: * creates only: 412 when the row exists, created otherwise', async () => {
    const exists = await dv.send('PATCH', `accounts(${ID})`, { body: { name: 'dup' }, headers: { 'if-none-match': '*' } });
    expect(exists.status).toBe(412);
    expect(errorOf(exists).code).toBe('0x80040237');
    const fresh = '00000000-0000-4000-8000-00000000beef';
    const created = await dv.send('PATCH', `accounts(${fresh})`, { body: { name: 'fresh', accountnumber: 'ACC-77777-AAAAAA' }, headers: { 'if-none-match': '*' } });
    expect(created.status).toBe(204);
    expect(dv.emulator.store.getAccount(fresh)).toMatchObject({ name: 'fresh', accountnumber: 'ACC-77777-AAAAAA' });
  });

  it('PATCH without conditions upserts', async () => {
    const id = '00000000-0000-4000-8000-00000000cafe';
    expect((await dv.send('PATCH', `accounts(${id})`, { body: { name: 'upserted' } })).status).toBe(204);
    expect((await dv.send('PATCH', `accounts(${id})`, { body: { name: 'upserted again' } })).status).toBe(204);
    expect(dv.emulator.store.getAccount(id)?.name).toBe('upserted again');
  });

  it('POST creates with a generated Account Number ACC-NNNNN-XXXXXX in increasing sequence, and defaults the lookups', async () => {
    const numbers: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await dv.send('POST', 'accounts', { body: { name: `New ${i}` } });
      expect(response.status).toBe(204);
      const id = /accounts\(([0-9a-f-]{36})\)$/.exec(response.headers['odata-entityid'] ?? '')?.[1] ?? '';
      const row = dv.emulator.store.getAccount(id);
      expect(row?.accountnumber).toMatch(/^ACC-\d{5}-[A-Z0-9]{6}$/);
      expect(row?._transactioncurrencyid_value).toBe(USD.transactioncurrencyid);
      expect(row?._owningbusinessunit_value).toBe(ROOT_UNIT.businessunitid);
      numbers.push(row?.accountnumber ?? '');
    }
    // Zero-padded, consecutive (earlier upserts in this file drew from the same sequence, which starts at 1000).
    const sequence = numbers.map((n) => Number(n.slice(4, 9)));
    expect(sequence[0]).toBeGreaterThanOrEqual(1000);
    expect(sequence).toEqual([sequence[0], (sequence[0] ?? 0) + 1, (sequence[0] ?? 0) + 2]);
    expect(new Set(numbers.map((n) => n.slice(10))).size).toBe(3);
    const given = await dv.send('POST', 'accounts', {
      body: {
        name: 'Given',
        accountnumber: 'ACC-55555-GIVEN1',
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${EUR.transactioncurrencyid})`,
        'owningbusinessunit@odata.bind': `businessunits(${GERMANY_UNIT.businessunitid})`,
      },
      headers: { prefer: 'return=representation' },
    });
    expect(given.status).toBe(201);
    expect(given.json).toMatchObject({
      accountnumber: 'ACC-55555-GIVEN1',
      _transactioncurrencyid_value: EUR.transactioncurrencyid,
      _owningbusinessunit_value: GERMANY_UNIT.businessunitid,
      statecode: 0,
    });
  });

  it('POST with an existing accountid is refused, and a lookup to a missing row is 404', async () => {
    expect((await dv.send('POST', 'accounts', { body: { accountid: ID, name: 'again' } })).status).toBe(412);
    const badBind = await dv.send('POST', 'accounts', { body: { name: 'x', 'transactioncurrencyid@odata.bind': '/transactioncurrencies(99999999-9999-4999-8999-999999999999)' } });
    expect(badBind.status).toBe(404);
    expect(errorOf(badBind).message).toBe('transactioncurrency With Id = 99999999-9999-4999-8999-999999999999 Does Not Exist');
  });

  it.each([
    ['accountnumber', 20],
    ['name', 160],
    ['address1_line1', 250],
    ['address1_city', 80],
    ['address1_stateorprovince', 50],
    ['address1_postalcode', 20],
    ['address1_county', 50],
    ['address1_country', 80],
    ['telephone1', 50],
    ['fax', 50],
    ['emailaddress1', 100],
    ['websiteurl', 200],
    ['description', 2000],
  ])('refuses %s longer than %i with 0x80044331 and the exact message, accepting exactly the maximum', async (column, max) => {
    const tooLong = await dv.send('PATCH', `accounts(${ID})`, { body: { [column]: 'x'.repeat(max + 1) } });
    expect(tooLong.status).toBe(400);
    expect(errorOf(tooLong)).toEqual({
      code: '0x80044331',
      message: `A validation error occurred.  The length of the '${column}' attribute of the 'account' entity exceeded the maximum allowed length of '${max}'.`,
    });
    const fits = await dv.send('PATCH', `accounts(${ID})`, { body: { [column]: 'y'.repeat(max) } });
    expect(fits.status).toBe(204);
  });

  it.each([
    [{ creditlimit: 'lots' }, 400, '0x80048d19'],
    [{ creditonhold: 'yes' }, 400, '0x80048d19'],
    [{ name: 42 }, 400, '0x80048d19'],
    [{ customertypecode: 99 }, 400, '0x8004431a'],
    [{ paymenttermscode: 1.5 }, 400, '0x80048d19'],
    [{ creditlimit: -1 }, 400, '0x8004431a'],
    [{ creditlimit: 1e15 }, 400, '0x8004431a'],
    [{ _transactioncurrencyid_value: USD.transactioncurrencyid }, 400, '0x80048d19'],
    [{ 'transactioncurrencyid@odata.bind': 'nonsense' }, 400, '0x80048d19'],
    [{ accountid: '00000000-0000-4000-8000-000000000002' }, 400, '0x80048d19'],
    [{ name: null }, 400, '0x80040200'],
    [[{ name: 'array' }], 400, '0x80048d19'],
    ['just a string', 400, '0x80048d19'],
  ])('refuses %j with %i %s', async (body, status, code) => {
    const before = versionOf(ID);
    const response = await dv.send('PATCH', `accounts(${ID})`, { body });
    expect(response.status).toBe(status);
    expect(errorOf(response).code).toBe(code);
    expect(versionOf(ID)).toBe(before);
  });

  it('refuses an unknown column, a malformed and an empty body in the Dataverse shape', async () => {
    const unknown = await dv.send('PATCH', `accounts(${ID})`, { body: { nickname: 'x' } });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown).message).toBe("Could not find a property named 'nickname' on type 'Microsoft.Dynamics.CRM.account'.");
    const malformed = await dv.send('PATCH', `accounts(${ID})`, { rawBody: '{"name": "x",' });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe('0x80048d19');
    const empty = await dv.send('POST', 'accounts', { rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    expect(errorOf(empty).code).toBe('0x80048d19');
  });

  it('ignores annotations and read-only columns in the body, as the service does', async () => {
    const before = versionOf(ID);
    const response = await dv.send('PATCH', `accounts(${ID})`, {
      body: { '@odata.etag': 'W/"1"', versionnumber: 1, modifiedon: '2000-01-01T00:00:00Z', 'name@OData.Community.Display.V1.FormattedValue': 'x', description: 'ok' },
    });
    expect(response.status).toBe(204);
    expect(versionOf(ID)).toBe(before + 1);
    expect(dv.emulator.store.getAccount(ID)?.description).toBe('ok');
  });

  it('DELETE answers 204, then 404; If-Match on DELETE is checked', async () => {
    const id = '00000000-0000-4000-8000-000000000002';
    const stale = await dv.send('DELETE', `accounts(${id})`, { headers: { 'if-match': 'W/"1"' } });
    expect(stale.status).toBe(412);
    expect((await dv.send('DELETE', `accounts(${id})`)).status).toBe(204);
    expect(dv.emulator.store.getAccount(id)).toBeUndefined();
    expect((await dv.send('DELETE', `accounts(${id})`)).status).toBe(404);
  });

  it('answers 405 for a method the resource does not have', async () => {
    expect((await dv.send('PUT', `accounts(${ID})`, { body: { name: 'x' } })).status).toBe(405);
    expect((await dv.send('DELETE', 'accounts')).status).toBe(405);
    expect((await dv.send('POST', 'transactioncurrencies', { body: {} })).status).toBe(405);
  });

  it('the store API validates like HTTP writes and never generates numbers', () => {
    expect(() => dv.emulator.store.insertAccount({ name: 'x'.repeat(161) })).toThrow(/exceeded the maximum allowed length of '160'/);
    expect(() => dv.emulator.store.insertAccount({ name: 'x', _transactioncurrencyid_value: '99999999-9999-4999-8999-999999999999' })).toThrow(/Does Not Exist/);
    const row = dv.emulator.store.insertAccount({ name: 'legacy account' });
    expect(row.accountnumber).toBeNull();
    expect(dv.emulator.store.updateAccount(row.accountid, { accountnumber: 'ACC-1' }).versionnumber).toBe(dv.emulator.store.maxVersion());
  });
});
