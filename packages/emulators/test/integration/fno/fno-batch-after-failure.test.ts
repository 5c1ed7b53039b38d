import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { AfterFailedChangeSet } from '../../../src/fno';
import { type BatchRequestItem, decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { customer, type FnoServer, startFno } from './fno-server';

// Whether F&O runs the change sets after a failed one is not documented; the emulator offers each plausible
// behaviour (docs/fidelity.md). A stopped batch still answers 200, and its answer simply ends after the failed part.
let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

const post = (account: string, contentId: string, extra: Record<string, unknown> = {}) => ({
  changeSet: [{ method: 'POST' as const, url: 'CustomersV2', body: customer(account, extra), contentId }],
});

// The second change set is refused (unknown customer group); the others are valid.
const ITEMS: BatchRequestItem[] = [post('S-1', '1'), post('S-2', '2', { CustomerGroupId: 'ZZ' }), post('S-3', '3'), post('S-4', '4')];

async function send(mode: AfterFailedChangeSet | undefined, prefer: string | undefined) {
  const server = (fno = await startFno(mode ? { afterFailedChangeSet: mode } : {}));
  const { contentType, body } = encodeBatchRequest(ITEMS);
  const response = await request(`${server.url}/data/$batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token()}`, 'content-type': contentType, ...(prefer ? { prefer } : {}) },
    body,
  });
  const text = await response.body.text();
  const parts = decodeBatchResponse(String(response.headers['content-type']), text);
  const stored = ['S-1', 'S-2', 'S-3', 'S-4'].filter((account) => server.emulator.store.get('usmf', account) !== undefined);
  return {
    status: response.statusCode,
    applied: response.headers['preference-applied'],
    parts: parts.map((part) => [part.status, part.contentId]),
    stored,
    writes: server.emulator.admin.counters.snapshot().writes,
  };
}

describe('F&O $batch after a failed change set', () => {
  it('continue: runs every change set whatever the request prefers', async () => {
    for (const prefer of [undefined, 'odata.continue-on-error']) {
      const result = await send('continue', prefer);
      expect(result).toMatchObject({ status: 200, stored: ['S-1', 'S-3', 'S-4'], writes: 3 });
      expect(result.parts).toEqual([[201, '1'], [500, '2'], [201, '3'], [201, '4']]);
      await fno?.close();
    }
  });

  it('stop: ends at the failed change set even when continue-on-error is preferred; the rest is neither run nor answered', async () => {
    for (const prefer of [undefined, 'odata.continue-on-error']) {
      const result = await send('stop', prefer);
      expect(result).toEqual({ status: 200, applied: undefined, parts: [[201, '1'], [500, '2']], stored: ['S-1'], writes: 1 });
      await fno?.close();
    }
  });

  it('as-preferred (the default): OData’s rule, stop unless the request prefers continue-on-error', async () => {
    const stopped = await send(undefined, undefined);
    expect(stopped).toEqual({ status: 200, applied: undefined, parts: [[201, '1'], [500, '2']], stored: ['S-1'], writes: 1 });
    await fno?.close();
    for (const prefer of ['odata.continue-on-error', 'continue-on-error=true', 'return=minimal, odata.continue-on-error']) {
      const continued = await send('as-preferred', prefer);
      expect(continued).toEqual({
        status: 200,
        applied: 'odata.continue-on-error',
        parts: [[201, '1'], [500, '2'], [201, '3'], [201, '4']],
        stored: ['S-1', 'S-3', 'S-4'],
        writes: 3,
      });
      await fno?.close();
    }
  });
});
