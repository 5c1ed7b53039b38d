import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataverseHarness, page, sampleAccount, startDataverse } from './dataverse-harness';

const INITIAL = 400;

describe('Dataverse emulator: keyset paging under concurrent writes', () => {
  let dv: DataverseHarness;
  beforeAll(async () => {
    dv = await startDataverse();
    // Shuffled names and numbers, so no ordering coincides with the insertion order.
    dv.emulator.store.insertAccounts(
      Array.from({ length: INITIAL }, (_, i) => {
        const scrambled = (i * 7919) % INITIAL;
        return sampleAccount(i + 1, { name: `Name ${String(scrambled % 50).padStart(2, '0')}`, accountnumber: `ACC-${String(scrambled).padStart(5, '0')}-X` });
      }),
    );
  });
  afterAll(async () => dv?.close());

  let created = 0;
  const createOne = async () => {
    created += 1;
    const response = await dv.send('POST', 'accounts', {
      body: { accountid: randomUUID(), name: `Name ${String(created % 50).padStart(2, '0')}`, accountnumber: `ACC-${String(created % 400).padStart(5, '0')}-N` },
    });
    expect(response.status).toBe(204);
  };
  const deleteOne = async (id: string) => {
    expect((await dv.send('DELETE', `accounts(${id})`)).status).toBe(204);
  };
  const touch = async (id: string) => {
    expect((await dv.send('PATCH', `accounts(${id})`, { body: { telephone1: '+1 555 0100' }, headers: { 'if-match': '*' } })).status).toBe(204);
  };

  it.each([
    ['accountnumber,accountid', 'accountnumber,accountid', undefined, true],
    ['name desc', 'name desc', undefined, true],
    ['the default order', undefined, undefined, true],
    ['a range filter on the first key', 'accountnumber', "statecode eq 0 and accountnumber gt 'ACC-00100'", true],
    ['versionnumber', 'versionnumber', undefined, false],
  ])('never skips or repeats a row ordered by %s', async (_label, orderBy, filter, updates) => {
    const select = 'accountid,accountnumber,name,statecode';
    const query = [`$select=${select}`, orderBy ? `$orderby=${orderBy}` : '', filter ? `$filter=${encodeURIComponent(filter)}` : ''].filter(Boolean).join('&');
    const before = new Map(
      dv.emulator.store
        .listAccounts()
        .filter((row) => filter === undefined || (row.statecode === 0 && (row.accountnumber ?? '').toLowerCase() > 'acc-00100'))
        .map((row) => [row.accountid, row]),
    );
    const seen = new Map<string, number>();
    const deleted = new Set<string>();
    let next: string | undefined = `accounts?${query}`;
    let round = 0;
    while (next !== undefined) {
      const candidates = [...before.keys()].filter((id) => !deleted.has(id));
      const victim = candidates[(round * 37) % candidates.length] as string;
      deleted.add(victim);
      const other = candidates[(round * 53 + 11) % candidates.length] as string;
      const writes = [createOne(), createOne(), deleteOne(victim), ...(updates && other !== victim ? [touch(other)] : [])];
      const [response] = await Promise.all([dv.send('GET', next, { headers: { prefer: 'odata.maxpagesize=17' } }), ...writes]);
      const body = page(response);
      for (const row of body.value) seen.set(String(row['accountid']), (seen.get(String(row['accountid'])) ?? 0) + 1);
      next = body['@odata.nextLink'];
      round += 1;
    }
    expect(round).toBeGreaterThan(5);
    expect([...seen.values()].filter((count) => count > 1)).toEqual([]);
    const missing = [...before.keys()].filter((id) => !deleted.has(id) && !seen.has(id));
    expect(missing).toEqual([]);
  });
});
