import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from '../../support/pipeline';

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('runs that must be refused before anything is written', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start({
      emulators: { generate: { count: 300, seed: 2 } },
      config: {
        companies: [
          { dataAreaId: 'usmf', businessUnits: ['USMF', 'NORTHWIND'] },
          { dataAreaId: 'demf', filter: 'address1_country eq' },
        ],
        mapping: {
          defaults: { CustomerGroupId: 'ZZ', WarehouseId: '21' },
          valueMaps: { PaymentTerms: { source: 'paymenttermscode', values: { '1': 'Net99' }, otherwise: 'omit' } },
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  const noWrites = () => {
    expect(harness.emulators.dataverse.admin.counters.snapshot().writes).toBe(0);
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(0);
  };

  it('refuses an invalid input at once, naming every field, without retrying', async () => {
    const started = Date.now();
    const failure = await failureOf(harness.sync({ pageSize: -1, batchSize: 0, mode: 'sometimes' } as never));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain('pageSize: must be between 1 and 5000');
    expect(failure.message).toContain('batchSize');
    expect(failure.message).toContain('mode');
    expect(Date.now() - started).toBeLessThan(10_000);
    noWrites();
  });

  it('refuses a configuration that does not match Sales and F&O, listing every problem', async () => {
    const failure = await failureOf(harness.sync({}));
    expect(failure.type).toBe('InvalidConfiguration');
    expect(failure.nonRetryable).toBe(true);
    const message = failure.message;
    expect(message).toContain("business unit 'NORTHWIND' does not exist");
    expect(message).toContain('companies[1].filter');
    expect(message).toContain("mapping.defaults.CustomerGroupId: customer group 'ZZ' does not exist in F&O company 'usmf'");
    expect(message).toContain("mapping.valueMaps.PaymentTerms.values.1: terms of payment 'Net99' does not exist");
    expect(message).toContain("warehouse '21' belongs to site");
    noWrites();
  });

  it('refuses a company that is not configured', async () => {
    const failure = await failureOf(harness.sync({ company: 'gbsi' }));
    expect(failure.type).toBe('InvalidConfiguration');
    expect(failure.message).toContain("'gbsi' is not configured");
    noWrites();
  });
});
