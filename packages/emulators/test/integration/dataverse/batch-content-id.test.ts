import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { type DataverseHarness, startDataverse } from './dataverse-harness';

// execute-batch-operations-using-web-api.md: a Content-ID referenced before it is declared makes the batch a 400.

describe('Dataverse emulator: $batch Content-ID references', () => {
  let dv: DataverseHarness;
  beforeAll(async () => {
    dv = await startDataverse();
  });
  afterAll(async () => dv?.close());

  it('answers 400 for a reference to a Content-ID not declared before it, and creates nothing of that change set', async () => {
    const before = dv.emulator.store.maxVersion();
    const encoded = encodeBatchRequest([
      {
        changeSet: [
          { method: 'PATCH', url: '$1', body: { name: 'Refers ahead' }, contentId: '2' },
          { method: 'POST', url: 'accounts', body: { name: 'Declared too late' }, contentId: '1' },
        ],
      },
    ]);
    const response = await dv.send('POST', '$batch', { rawBody: encoded.body, headers: { 'content-type': encoded.contentType } });
    expect(response.status).toBe(400);
    const parts = decodeBatchResponse(response.headers['content-type'], response.text);
    expect(parts.map((part) => part.status)).toEqual([400]);
    expect(JSON.parse(parts[0]?.body ?? '{}').error.message).toContain("'$1'");
    expect(dv.emulator.store.maxVersion()).toBe(before);
  });
});
