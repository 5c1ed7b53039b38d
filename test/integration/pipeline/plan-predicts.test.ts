import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFnoReferenceData } from '@p2c-sync/emulators';
import type { RecordFailure } from '../../../src/domain/record-failure';
import { PipelineHarness } from '../../support/pipeline';

// F&O without the currency GBP, while Sales has accounts in pounds (and, in the emulators' defaults, in currencies
// F&O never had, such as NZD): the real run's writes of those accounts are refused by F&O (REFERENCE_NOT_FOUND).
// The plan, which writes nothing, must predict exactly those failures.
describe('a dry run predicts the failures of the real run (reference data)', () => {
  let harness: PipelineHarness;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-plan-'));
    const referenceFile = path.join(scratch, 'reference.json');
    const currencies = defaultFnoReferenceData().currencies.filter((currency) => currency.code !== 'GBP');
    writeFileSync(referenceFile, JSON.stringify({ currencies }));
    harness = await PipelineHarness.start({ emulators: { generate: { count: 300, seed: 17 }, referenceFile } });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const referenceFailures = (failures: readonly RecordFailure[]) =>
    failures.filter((failure) => failure.code === 'REFERENCE_NOT_FOUND').map((failure) => `${failure.accountId}|${failure.company}|${failure.value}`).sort();

  it('lists as would-fail, with REFERENCE_NOT_FOUND, the accounts the real run then fails for the same value', async () => {
    const plan = await harness.sync({ dryRun: true, maxFailuresInResult: 10_000 });
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(0);
    const predicted = referenceFailures(plan.failures.shown);
    expect(predicted.length).toBeGreaterThan(0);
    expect(predicted.filter((line) => line.endsWith('|GBP')).length).toBeGreaterThan(0);
    const sample = plan.failures.shown.find((failure) => failure.code === 'REFERENCE_NOT_FOUND' && failure.value === 'GBP');
    expect(sample?.field).toBe('SalesCurrencyCode');
    expect(sample?.reason).toContain("F&O would refuse the customer: currency 'GBP' does not exist in F&O (Currencies)");
    // Would-fail accounts are not also listed as would-create.
    const failedIds = new Set(predicted.map((line) => line.split('|')[0]));
    expect(plan.plan?.entries.filter((entry) => failedIds.has(entry.accountId))).toEqual([]);

    // Every prediction comes true. The real run also writes the accounts it numbers first (a dry run numbers none,
    // so it cannot plan them): its failures are more, never fewer.
    expect(plan.accountNumbers.wouldAssign).toBeGreaterThan(0);
    const real = await harness.sync({ mode: 'full', maxFailuresInResult: 10_000 });
    const happened = referenceFailures(real.failures.shown);
    expect(happened).toEqual(expect.arrayContaining(predicted));

    // With every account numbered, the plan predicts the next real run's reference failures exactly.
    const again = referenceFailures((await harness.sync({ dryRun: true, mode: 'full', maxFailuresInResult: 10_000 })).failures.shown);
    expect(again).toEqual(happened);
    const next = await harness.sync({ mode: 'full', maxFailuresInResult: 10_000 });
    expect(referenceFailures(next.failures.shown)).toEqual(again);
  });
});
