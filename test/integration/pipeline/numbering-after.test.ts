import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssignAccountNumbers } from '../../../src/activities/assign-account-numbers';
import type { AssignAccountNumbersInput, AssignAccountNumbersResult } from '../../../src/activities/contracts';
import type { ConnectedDependencies } from '../../../src/activities/dependencies';
import { parseAccountNumberSequence } from '../../../src/domain/account-number';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';

// Numbering that follows an earlier one (live mode numbers each poll's new accounts): the sequence goes on from the
// state the earlier call ended with, above any ACC number written since — not from a scan of every number.

const id = (i: number) => `0000000b-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('assignAccountNumbers after an earlier numbering', () => {
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;

  beforeAll(async () => {
    emulators = await startEmulators({});
    emulators.dataverse.store.insertAccounts([
      ...[1, 2, 3, 4, 5].map((i) => ({ accountid: id(i), name: `Numbered ${i}`, statecode: 0, accountnumber: `ACC-${String(i).padStart(5, '0')}-EXISTS` })),
      ...[6, 7, 8].map((i) => ({ accountid: id(i), name: `New ${i}`, statecode: 0 })),
    ]);
    ({ deps } = connectToEmulators(emulators));
  }, 60_000);
  afterAll(async () => {
    await deps?.close();
    await emulators?.close();
  });

  async function assign(input: Partial<AssignAccountNumbersInput> = {}): Promise<AssignAccountNumbersResult> {
    const env = new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') });
    const run = createAssignAccountNumbers({ dataverse: deps.dataverse, random: () => 0.5 });
    return await env.run(run, { dryRun: false, duplicatePolicy: 'report' as const, ...input });
  }

  const numberOf = (i: number) => emulators.dataverse.store.getAccount(id(i))?.accountnumber ?? undefined;
  const sequenceOf = (i: number) => parseAccountNumberSequence(numberOf(i) ?? '');

  it('ends with the sequence, and the next call continues from it and above numbers written since', async () => {
    const first = await assign();
    expect(first.assigned).toBe(3);
    expect([6, 7, 8].map(sequenceOf).sort()).toEqual([6, 7, 8]);
    expect(first.sequence?.nextSequence).toBe(9);

    // Since then: a number typed in Sales above the sequence, two new accounts without one.
    await deps.dataverse.update('accounts', id(1), { accountnumber: 'ACC-00020-TYPED1' });
    // Accounts without a number (an import; the Web API numbers accounts it creates, as the P2C solution does).
    emulators.dataverse.store.insertAccounts([9, 10].map((i) => ({ accountid: id(i), name: `New ${i}`, statecode: 0 })));
    const second = await assign({ after: first.sequence });
    expect(second.assigned).toBe(2);
    expect([9, 10].map(sequenceOf).sort()).toEqual([21, 22]);
    expect(second.sequence?.nextSequence).toBe(23);
  });

  it('reads no number written before the given version: the sequence it is given stands', async () => {
    // An old number far above the sequence, written before the version the call is handed: a full scan would
    // continue above 500; a call that follows an earlier numbering trusts that numbering's end instead.
    await deps.dataverse.update('accounts', id(2), { accountnumber: 'ACC-00500-OLD' });
    const version = String(emulators.dataverse.store.maxVersion());
    emulators.dataverse.store.insertAccounts([{ accountid: id(11), name: 'New 11', statecode: 0 }]);
    const result = await assign({ after: { nextSequence: 30, version } });
    expect(result.assigned).toBe(1);
    expect(sequenceOf(11)).toBe(30);
    expect(result.sequence).toMatchObject({ nextSequence: 31 });
  });
});
