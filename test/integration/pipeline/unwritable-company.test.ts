import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import type { CompanyScope } from '../../../src/activities/contracts';
import type { ConnectedDependencies } from '../../../src/activities/dependencies';
import { createPlanWorkUnits } from '../../../src/activities/plan-work-units';
import { createPreflight } from '../../../src/activities/preflight';
import { createSyncWorkUnit } from '../../../src/activities/sync-work-unit';
import { toApplicationFailure } from '../../../src/activities/to-application-failure';
import { ConnectorError } from '../../../src/connectors/errors';
import { FnoClient } from '../../../src/connectors/fno-client';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../../src/connectors/http-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import type { WorkUnit } from '../../../src/domain/work-unit';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';

// The loop of issue 10 item 1: F&O answers "not found" to every update by key of a demf customer (as it does when
// the request lacks cross-company=true and the identity's default company is usmf), while reads find it. The unit
// must end with a non-retryable configuration error after its bounded rounds, not be retried for ever.

/** Sends `$batch` bodies without `cross-company=true`: the connector as it was before the fix. */
class WithoutCrossCompanyOnWrites extends HttpClient {
  override async request(request: HttpRequest): Promise<HttpResponse> {
    const body = request.url.endsWith('/$batch') ? request.body?.replaceAll('?cross-company=true', '') : request.body;
    return await super.request({ ...request, ...(body !== undefined ? { body } : {}) });
  }
}

const account = (id: number, accountnumber: string, bu: string, currency: string) => ({
  accountid: `6e1d8f2b-0000-4000-8000-${String(id).padStart(12, '0')}`,
  accountnumber,
  name: `Company ${accountnumber}`,
  address1_city: 'Somewhere',
  _transactioncurrencyid_value: currencyIdOf(currency),
  customertypecode: 3,
  statecode: 0,
  _owningbusinessunit_value: bu,
});
const US_1 = account(1, 'US-0001', businessUnitIds.usmf, 'USD');
const DE_1 = account(2, 'DE-0001', businessUnitIds.demf, 'EUR');
const DE_2 = account(3, 'DE-0002', businessUnitIds.demf, 'EUR');

describe('a unit whose updates F&O keeps answering "not found"', () => {
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;
  let http: HttpClient;

  beforeAll(async () => {
    emulators = await startEmulators({ fno: { defaultCompany: 'usmf' } });
    emulators.dataverse.store.insertAccounts([US_1, DE_1, DE_2]);
    ({ deps } = connectToEmulators(emulators));
    http = new WithoutCrossCompanyOnWrites({ caPem: emulators.entra.caCertPem });
  }, 60_000);

  afterAll(async () => {
    await http?.close();
    await deps?.close();
    await emulators?.close();
  });

  it('fails with a non-retryable configuration error naming the company and customers, after bounded rounds', async () => {
    const env = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const { companies } = (await env().run(() => createPreflight(deps)({}))) as { companies: CompanyScope[] };
    const planned = (await env().run(() =>
      createPlanWorkUnits(deps)({ cursor: null, unitSize: 5000, maxUnits: 1, pageSize: 5000 }),
    )) as { units: WorkUnit[] };
    const unit = planned.units[0] as WorkUnit;
    // Created by the real connector (creates carry the company in the body): three customers.
    const created = await env().run(() => createSyncWorkUnit(deps)({ unit, companies, dryRun: false }));
    expect(created).toMatchObject({ totals: { created: 3 } });

    for (const changed of [US_1, DE_1, DE_2]) await deps.dataverse.update('accounts', changed.accountid, { name: `${changed.name} renamed` }, {});
    const writesBefore = emulators.fno.admin.counters.snapshot().writes;
    const batchesBefore = emulators.fno.admin.counters.snapshot().requests.byMethodAndStatus['POST 200'] ?? 0;
    const fno = new FnoClient({
      connection: { url: emulators.fno.url, authority: emulators.entra.authority, tenantId: emulators.entra.tenantId, ...emulators.client },
      http,
      gate: new ThrottleGate({ service: 'fno' }),
    });
    const error = await env()
      .run(() => createSyncWorkUnit({ ...deps, fno })({ unit, companies, dryRun: false }))
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'configuration', service: 'fno', status: 404 });
    expect((error as Error).message).toBe(
      `F&O answered "not found" to 2 updates of customers in company 'demf' that it returns when read (DE-0001, DE-0002), ` +
        `still after 4 rounds of write and re-read: updates by key do not reach this company. Check that the F&O user the application is mapped to may write in 'demf'.`,
    );
    const failure = toApplicationFailure(error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'InvalidConfiguration', nonRetryable: true });
    // usmf is the default company: its update went through. demf got one batch per round, and no write.
    expect(emulators.fno.admin.counters.snapshot().writes - writesBefore).toBe(1);
    expect((emulators.fno.admin.counters.snapshot().requests.byMethodAndStatus['POST 200'] ?? 0) - batchesBefore).toBe(1 + 4);
    expect(emulators.fno.store.get('usmf', 'US-0001')?.row.OrganizationName).toBe('Company US-0001 renamed');
    expect(emulators.fno.store.get('demf', 'DE-0001')?.row.OrganizationName).toBe('Company DE-0001');
  });
});
