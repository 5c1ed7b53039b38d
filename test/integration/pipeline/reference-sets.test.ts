import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightResult } from '../../../src/activities/contracts';
import { createPreflight } from '../../../src/activities/preflight';
import { ConfigurationError } from '../../../src/domain/errors';
import { PipelineHarness } from '../../support/pipeline';
import { p2cProcess } from '../cli/cli-runner';

const warning = {
  language:
    "mapping (LanguageId): cannot check the language code(s) 'en-us' before the run: F&O publishes no entity set of language codes that this product knows of; F&O still refuses an unknown code on each write",
  warehouse:
    "mapping (WarehouseId): cannot check the warehouse code(s) '13' before the run: the F&O environment does not publish the entity set 'Warehouses' (it is not in its $metadata); F&O still refuses an unknown code on each write",
  paymentTerms:
    "mapping (PaymentTerms): cannot check the terms of payment code(s) 'Net30', 'Net45', 'Net60' before the run: the F&O environment does not publish the entity set 'PaymentTerms' (it is not in its $metadata); F&O still refuses an unknown code on each write",
  deliveryMode:
    "mapping (DeliveryMode): cannot check the mode of delivery code(s) 'UPS' before the run: the F&O environment does not publish the entity set 'DeliveryModesV2' (it is not in its $metadata); F&O still refuses an unknown code on each write",
};

describe('reference data check against an F&O environment that publishes only some reference sets', () => {
  let harness: PipelineHarness;
  let scratch: string;
  let configFile: string;

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      emulators: { generate: { count: 30, seed: 4 }, fno: { hiddenReferenceSets: ['PaymentTerms', 'DeliveryModesV2', 'Warehouses'] } },
    });
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-reference-sets-'));
    configFile = harness.writeConfigFile();
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('discovers the published sets from $metadata; a hidden set is absent there and answers 404', async () => {
    const sets = await harness.deps.fnoMetadata.entitySetNames();
    expect([...sets].sort()).toEqual(['AddressCounties', 'AddressCountryRegions', 'AddressStates', 'Currencies', 'CustomerGroups', 'CustomersV2', 'DeliveryTerms', 'LegalEntities', 'OperationalSites']);
    const read = async () => {
      for await (const rows of harness.deps.fno.queryEntitySet('PaymentTerms')) return rows;
      return [];
    };
    await expect(read()).rejects.toMatchObject({ service: 'fno', status: 404 });
  });

  it('preflight passes with a warning per code it cannot check, and the run goes on', async () => {
    const preflight = createPreflight(harness.deps);
    const result = (await new MockActivityEnvironment().run(() => preflight({}))) as PreflightResult;
    expect(result).toMatchObject({ companies: [{ dataAreaId: 'usmf' }, { dataAreaId: 'demf' }] });
    expect(result.warnings).toEqual([warning.language, warning.warehouse, warning.paymentTerms, warning.deliveryMode]);

    const report = await harness.sync({});
    expect(report.totals.created).toBeGreaterThan(0);
  });

  it('preflight still refuses a wrong code in a set the environment publishes, naming the code', async () => {
    const config = structuredClone(harness.deps.config);
    config.mapping.defaults.CustomerGroupId = 'NOPE';
    config.mapping.valueMaps.PaymentTerms = { source: 'paymenttermscode', values: { '1': 'Net999' }, otherwise: 'omit' };
    const preflight = createPreflight({ ...harness.deps, config });
    const error = await new MockActivityEnvironment().run(() => preflight({ companies: ['demf'] })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    // The unknown terms of payment sit in a set this environment does not publish: not a refusal.
    expect((error as ConfigurationError).problems).toEqual(["mapping.defaults.CustomerGroupId: customer group 'NOPE' does not exist in F&O company 'demf' (CustomerGroups)"]);
  });

  it('p2c config validate --online: passes with the warnings printed; refuses a wrong code in a published set', async () => {
    const env = harness.workerEnvironment('127.0.0.1:1');
    const passed = await p2cProcess(['config', 'validate', '--config', configFile, '--online'], env);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    const lines = passed.stdout.trim().split('\n');
    expect(lines.slice(1)).toEqual([
      `Warning: ${warning.language}`,
      `Warning: ${warning.warehouse}`,
      `Warning: ${warning.paymentTerms}`,
      `Warning: ${warning.deliveryMode}`,
      'Online check passed (4 warning(s): some codes could not be checked): Dataverse and F&O answer; business units, filters and reference data of usmf, demf are in place.',
    ]);

    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { mapping: { defaults?: Record<string, string> } };
    config.mapping.defaults = { ...config.mapping.defaults, DeliveryTerms: 'XYZ' };
    const wrong = path.join(scratch, 'wrong-code.json');
    writeFileSync(wrong, JSON.stringify(config));
    const refused = await p2cProcess(['config', 'validate', '--config', wrong, '--online', '--company', 'usmf'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`Warning: ${warning.paymentTerms}`);
    expect(refused.stdout).toContain("  - mapping.defaults.DeliveryTerms: terms of delivery 'XYZ' does not exist in F&O company 'usmf' (DeliveryTerms)");
    expect(refused.stderr.trim()).toBe('p2c: 1 problem(s) found');
  });
});
