import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataverseHarness, errorOf, page, sampleAccount, startDataverse } from './dataverse-harness';

// The 5,000-row limits of docs/fidelity.md (page-results.md, count-rows.md) need more than 5,000 rows to show.
const ROWS = 5003;

describe('Dataverse emulator: the 5,000-row page and count limits, and options it does not serve', () => {
  let dv: DataverseHarness;
  beforeAll(async () => {
    dv = await startDataverse();
    dv.emulator.store.insertAccounts(Array.from({ length: ROWS }, (_, i) => sampleAccount(i + 1)));
  });
  afterAll(async () => dv?.close());

  it('pages at 5,000 rows when the client names no page size, without a Preference-Applied header', async () => {
    const first = await dv.send('GET', 'accounts?$select=accountid');
    expect(first.headers['preference-applied']).toBeUndefined();
    const body = page(first);
    expect(body.value).toHaveLength(5000);
    const second = page(await dv.send('GET', body['@odata.nextLink'] ?? ''));
    expect(second.value).toHaveLength(3);
    expect(second['@odata.nextLink']).toBeUndefined();
  });

  it('counts up to 5,000 and flags that the limit was exceeded', async () => {
    const body = page(await dv.send('GET', 'accounts?$select=accountid&$count=true', { headers: { prefer: 'odata.maxpagesize=1' } }));
    expect(body['@odata.count']).toBe(5000);
    expect((body as unknown as Record<string, unknown>)['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(true);
    const small = page(await dv.send('GET', 'accounts?$select=accountid&$count=true&$filter=creditlimit le 300'));
    expect(small['@odata.count']).toBe(3);
    expect((small as unknown as Record<string, unknown>)['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBeUndefined();
  });

  it('without a page size, caps the whole result at $top across pages', async () => {
    const first = page(await dv.send('GET', 'accounts?$select=accountid&$top=5001'));
    expect(first.value).toHaveLength(5000);
    const second = page(await dv.send('GET', first['@odata.nextLink'] ?? ''));
    expect(second.value).toHaveLength(1);
    expect(second['@odata.nextLink']).toBeUndefined();
  });

  it('refuses $expand, $apply and $search with 400 (the real service has them; the connectors use none)', async () => {
    for (const path of [
      'accounts?$select=name&$expand=primarycontactid',
      `accounts(${sampleAccount(1).accountid})?$expand=primarycontactid`,
      'accounts?$apply=groupby((statecode))',
      'accounts?$search=contoso',
    ]) {
      const response = await dv.send('GET', path);
      expect(response.status, path).toBe(400);
      expect(errorOf(response).message, path).not.toBe('');
    }
  });
});
