import { afterEach, describe, expect, it } from 'vitest';
import { type CustomerWrite, type CustomerWriteResult, FnoClient } from '../../../src/connectors/fno-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import type { AfterFailedChangeSet } from '@p2c-sync/emulators';
import { type ConnectorEmulators, startConnectorEmulators } from './emulator-fixture';

// F&O does not document whether a `$batch` runs the change sets after a failed one. The client sends
// `Prefer: odata.continue-on-error` and must be right whichever F&O does: a change set that was never run is sent
// again, and counted neither as written nor as failed. The emulator's default company is usmf, so the demf update
// also proves that writes by key carry `cross-company=true`.
let env: ConnectorEmulators | undefined;

afterEach(async () => {
  await env?.close();
  env = undefined;
});

function customer(account: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    dataAreaId: 'usmf',
    CustomerAccount: account,
    OrganizationName: `Customer ${account}`,
    PartyType: 'Organization',
    CustomerGroupId: '10',
    SalesCurrencyCode: 'USD',
    IsExternallyMaintained: 'Yes',
    ...extra,
  };
}

const WRITES: CustomerWrite[] = [
  { kind: 'create', row: customer('A-1') },
  { kind: 'create', row: customer('BAD-GROUP', { CustomerGroupId: 'ZZ' }) },
  { kind: 'create', row: customer('A-2') },
  { kind: 'update', dataAreaId: 'demf', customerAccount: 'DE-UPD', changes: { OrganizationName: 'Updated in demf' } },
  { kind: 'create', row: customer('DUP-1') },
  { kind: 'update', dataAreaId: 'usmf', customerAccount: 'US-UPD', changes: { OrganizationName: 'Updated in usmf' } },
  { kind: 'create', row: customer('BAD-ZIP', { AddressZipCode: '123456789012' }) },
  { kind: 'create', row: customer('A-3') },
];

function outcome(result: CustomerWriteResult): unknown {
  return result.ok ? result.status : [result.error.kind, result.error.problem, result.error.ambiguous];
}

async function writeWith(mode: AfterFailedChangeSet) {
  env = await startConnectorEmulators({ fno: { afterFailedChangeSet: mode } });
  const fno = env.emulators.fno;
  fno.store.insert(customer('DUP-1'));
  fno.store.insert(customer('US-UPD'));
  fno.store.insert(customer('DE-UPD', { dataAreaId: 'demf', SalesCurrencyCode: 'EUR' }));
  const client = new FnoClient({ connection: env.fno, http: env.http, gate: new ThrottleGate({ service: 'fno' }) });
  const results = await client.writeCustomers(WRITES);
  const counters = fno.admin.counters.snapshot();
  return {
    outcomes: results.map(outcome),
    customers: ['A-1', 'A-2', 'A-3', 'BAD-GROUP', 'BAD-ZIP'].filter((account) => fno.store.get('usmf', account) !== undefined),
    names: [fno.store.get('demf', 'DE-UPD')?.row.OrganizationName, fno.store.get('usmf', 'US-UPD')?.row.OrganizationName],
    writes: counters.writes,
    batches: counters.requests.byMethodAndStatus['POST 200'],
    operationsSent: counters.other.batchOperations,
  };
}

// Creates answer 204: the connector asks `Prefer: return=minimal` (docs/fidelity.md), updates answer 204 anyway.
const OUTCOMES = [
  204,
  ['invalid-record', 'reference-not-found', false],
  204,
  204,
  ['conflict', 'duplicate-key', false],
  204,
  ['invalid-record', 'too-long', false],
  204,
];
const CUSTOMERS = ['A-1', 'A-2', 'A-3'];
const NAMES = ['Updated in demf', 'Updated in usmf'];

describe('FnoClient $batch whatever F&O does after a failed change set', () => {
  it('continue: one batch, every part answered', async () => {
    expect(await writeWith('continue')).toEqual({ outcomes: OUTCOMES, customers: CUSTOMERS, names: NAMES, writes: 5, batches: 1, operationsSent: 8 });
  });

  it('stop: the unrun change sets are sent again until every operation has its own answer, each write once', async () => {
    // 8 sent, stopped at BAD-GROUP; 6 sent again, stopped at DUP-1; 3, stopped at BAD-ZIP; then A-3 alone.
    expect(await writeWith('stop')).toEqual({ outcomes: OUTCOMES, customers: CUSTOMERS, names: NAMES, writes: 5, batches: 4, operationsSent: 18 });
  });

  it('as-preferred: the client prefers continue-on-error, so one batch', async () => {
    expect(await writeWith('as-preferred')).toEqual({ outcomes: OUTCOMES, customers: CUSTOMERS, names: NAMES, writes: 5, batches: 1, operationsSent: 8 });
  });
});
