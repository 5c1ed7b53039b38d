import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../src/connectors/dataverse-client';
import { ConnectorError } from '../../../src/connectors/errors';
import { FnoClient } from '../../../src/connectors/fno-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { type ConnectorEmulators, rejectionOf, startConnectorEmulators } from './emulator-fixture';

// Errors as the services write them (docs/fidelity.md, "Dataverse and F&O error shapes"), read over real HTTP.
let env: ConnectorEmulators;

beforeAll(async () => {
  env = await startConnectorEmulators();
});

afterAll(async () => {
  await env?.close();
});

describe('error shapes', () => {
  it('F&O duplicate key (Infolog severity Info, spanning two lines) is a duplicate-key conflict naming the table', async () => {
    env.emulators.fno.store.insert({
      dataAreaId: 'usmf',
      CustomerAccount: 'TWICE',
      OrganizationName: 'Twice',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
    });
    const client = new FnoClient({ connection: env.fno, http: env.http, gate: new ThrottleGate({ service: 'fno' }) });
    const [result] = await client.writeCustomers([
      { kind: 'create', row: { dataAreaId: 'usmf', CustomerAccount: 'TWICE', OrganizationName: 'Again', CustomerGroupId: '10', SalesCurrencyCode: 'USD' } },
    ]);
    expect(result?.ok).toBe(false);
    const error = result?.ok === false ? result.error : undefined;
    expect(error).toMatchObject({ kind: 'conflict', problem: 'duplicate-key', service: 'fno', status: 500, ambiguous: false });
    expect(error?.message).toContain('the record already exists: Cannot create a record in Customers (CustTable). Customer account: TWICE. The record already exists..');
  });

  it('Dataverse "Resource not found for the segment" (0x8006088a) is a wrong URL, not a missing row', async () => {
    const client = new DataverseClient({ connection: env.dataverse, http: env.http, gate: new ThrottleGate({ service: 'dataverse' }) });
    const error = await rejectionOf(
      (async () => {
        for await (const rows of client.queryAll({ entitySet: 'acounts', select: ['name'] })) void rows;
      })(),
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'configuration', service: 'dataverse', status: 404, code: '0x8006088a' });
    expect((error as ConnectorError).message).toContain("Resource not found for the segment 'acounts'.");
  });
});
