import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatchRequest } from '@p2c-sync/odata-wire';
import { type DataverseHarness, errorOf, sampleAccount, startDataverse } from './dataverse-harness';

const ACTION = 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple';
const TYPE = 'Microsoft.Dynamics.CRM.account';

describe('Dataverse emulator: UpdateMultiple on accounts (bulk operation message)', () => {
  let dv: DataverseHarness | undefined;
  afterEach(async () => {
    await dv?.close();
    dv = undefined;
  });

  const start = async (options: Parameters<typeof startDataverse>[0] = {}) => {
    dv = await startDataverse(options);
    dv.emulator.store.insertAccounts([1, 2, 3].map((i) => sampleAccount(i, { accountnumber: null as unknown as string })));
    return dv;
  };
  const id = (i: number) => sampleAccount(i).accountid;

  it('updates every target in one request: 204, only the columns sent change', async () => {
    const service = await start();
    const response = await service.send('POST', ACTION, {
      body: {
        Targets: [
          { '@odata.type': TYPE, accountid: id(1), accountnumber: 'ACC-01000-AAAAAA' },
          { '@odata.type': TYPE, accountid: id(2), accountnumber: 'ACC-01001-BBBBBB' },
        ],
      },
    });
    expect(response.status).toBe(204);
    expect(service.emulator.store.getAccount(id(1))).toMatchObject({ accountnumber: 'ACC-01000-AAAAAA', name: 'Account 0001' });
    expect(service.emulator.store.getAccount(id(2))).toMatchObject({ accountnumber: 'ACC-01001-BBBBBB', name: 'Account 0002' });
    expect(service.emulator.store.getAccount(id(3))?.accountnumber).toBeNull();
  });

  it('rolls back every target when one fails (standard table), answering with that target\'s error', async () => {
    const service = await start();
    const missing = '00000000-0000-4000-8000-999999999999';
    const response = await service.send('POST', ACTION, {
      body: {
        Targets: [
          { '@odata.type': TYPE, accountid: id(1), accountnumber: 'ACC-01000-AAAAAA' },
          { '@odata.type': TYPE, accountid: missing, accountnumber: 'ACC-01001-BBBBBB' },
        ],
      },
    });
    expect(response.status).toBe(404);
    expect(errorOf(response)).toEqual({ code: '0x80040217', message: `account With Id = ${missing} Does Not Exist` });
    expect(service.emulator.store.getAccount(id(1))?.accountnumber).toBeNull();

    const tooLong = await service.send('POST', ACTION, {
      body: {
        Targets: [
          { '@odata.type': TYPE, accountid: id(1), accountnumber: 'ACC-01000-AAAAAA' },
          { '@odata.type': TYPE, accountid: id(2), accountnumber: 'X'.repeat(21) },
        ],
      },
    });
    expect(tooLong.status).toBe(400);
    expect(errorOf(tooLong).code).toBe('0x80044331');
    expect(service.emulator.store.getAccount(id(1))?.accountnumber).toBeNull();
  });

  it('does not check row versions: a stale @odata.etag or If-Match still overwrites (ConcurrencyBehavior not applied)', async () => {
    const service = await start();
    const before = service.emulator.store.getAccount(id(1));
    // Someone types a number after our read: the row's version moves on.
    expect((await service.send('PATCH', `accounts(${id(1)})`, { body: { accountnumber: 'TYPED-BY-HAND' } })).status).toBe(204);
    const response = await service.send('POST', ACTION, {
      headers: { 'If-Match': `W/"${String(before?.versionnumber)}"` },
      body: { Targets: [{ '@odata.type': TYPE, '@odata.etag': `W/"${String(before?.versionnumber)}"`, accountid: id(1), accountnumber: 'ACC-01000-AAAAAA' }] },
    });
    expect(response.status).toBe(204);
    expect(service.emulator.store.getAccount(id(1))?.accountnumber).toBe('ACC-01000-AAAAAA');
  });

  it('applies only the first of two targets naming the same row (later ones are ignored)', async () => {
    const service = await start();
    const response = await service.send('POST', ACTION, {
      body: {
        Targets: [
          { '@odata.type': TYPE, accountid: id(1), accountnumber: 'ACC-01000-FIRST1' },
          { '@odata.type': TYPE, accountid: id(1), accountnumber: 'ACC-01000-SECOND' },
        ],
      },
    });
    expect(response.status).toBe(204);
    expect(service.emulator.store.getAccount(id(1))?.accountnumber).toBe('ACC-01000-FIRST1');
  });

  it('refuses a target without @odata.type, without an id, or a body without Targets (400), changing nothing', async () => {
    const service = await start();
    const noType = await service.send('POST', ACTION, { body: { Targets: [{ accountid: id(1), accountnumber: 'ACC-01000-AAAAAA' }] } });
    expect(noType.status).toBe(400);
    expect(errorOf(noType).message).toContain('Targets[0] must carry "@odata.type": "Microsoft.Dynamics.CRM.account"');
    const noId = await service.send('POST', ACTION, { body: { Targets: [{ '@odata.type': TYPE, accountnumber: 'ACC-01000-AAAAAA' }] } });
    expect(noId.status).toBe(400);
    expect(errorOf(noId).message).toContain('Targets[0] has no accountid');
    const noTargets = await service.send('POST', ACTION, { body: { Records: [] } });
    expect(noTargets.status).toBe(400);
    expect((await service.send('GET', ACTION)).status).toBe(405);
    expect(service.emulator.store.getAccount(id(1))?.accountnumber).toBeNull();
  });

  it('counts as one request, charging each target\'s write time to the execution-time limit', async () => {
    const service = await start({ limits: { windowMs: 60_000, maxRequests: 1, maxExecutionMs: 1_000_000 }, serverTime: { readMs: 0, writeMs: 40, jitterMs: 0 } });
    const started = Date.now();
    const response = await service.send('POST', ACTION, {
      body: { Targets: [1, 2, 3].map((i) => ({ '@odata.type': TYPE, accountid: id(i), accountnumber: `ACC-0100${i}-AAAAAA` })) },
    });
    // Three targets x 40 ms of server time.
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    expect(response.status).toBe(204);
    // One request allowed per window: the bulk message was that one request, the next is the second.
    const next = await service.send('GET', 'WhoAmI()');
    expect(next.status).toBe(429);
    expect(errorOf(next).code).toBe('0x80072322');
  });

  it('is refused for execution time once its targets\' server time exceeds the budget', async () => {
    const service = await start({ limits: { windowMs: 60_000, maxExecutionMs: 100 }, serverTime: { readMs: 0, writeMs: 50, jitterMs: 0 } });
    const first = await service.send('POST', ACTION, {
      body: { Targets: [1, 2, 3].map((i) => ({ '@odata.type': TYPE, accountid: id(i), accountnumber: `ACC-0100${i}-AAAAAA` })) },
    });
    expect(first.status).toBe(204);
    await sleep(20);
    const refused = await service.send('POST', ACTION, { body: { Targets: [{ '@odata.type': TYPE, accountid: id(1), name: 'Again' }] } });
    expect(refused.status).toBe(429);
    expect(errorOf(refused).code).toBe('0x80072321');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('runs inside a $batch change set, rolled back with it', async () => {
    const service = await start();
    const encoded = encodeBatchRequest([
      {
        changeSet: [
          { method: 'POST', url: ACTION, body: { Targets: [{ '@odata.type': TYPE, accountid: id(1), accountnumber: 'ACC-01000-AAAAAA' }] } },
          { method: 'PATCH', url: `accounts(${id(2)})`, headers: { 'If-Match': 'W/"999999"' }, body: { accountnumber: 'ACC-01001-BBBBBB' } },
        ],
      },
    ]);
    const response = await service.send('POST', '$batch', { rawBody: encoded.body, headers: { 'content-type': encoded.contentType, prefer: 'odata.continue-on-error' } });
    expect(response.status).toBe(200);
    expect(service.emulator.store.getAccount(id(1))?.accountnumber).toBeNull();
  });
});
