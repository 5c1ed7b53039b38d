import { heartbeat } from '@temporalio/activity';
import { readAccountKeysByIds, scanAccountKeys } from '../connectors/account-reads';
import { accountNumberKey, isValidAccountNumber } from '../domain/account-number';
import { keptByBand } from '../domain/numbering-band';
import { KeyListCutter, RangeCutter } from '../domain/work-unit';
import type { PlanWorkUnitsInput, PlanWorkUnitsResult } from './contracts';
import type { ActivityDependencies } from './dependencies';

/**
 * Scans Account Numbers (one column, keys only) in order and cuts them into work units. Full runs get ranges, which
 * the sync activity re-reads with a range filter; incremental runs get the numbers of accounts changed since the
 * watermark. Stops after `maxUnits` so that the workflow receives small results and can interleave planning with
 * syncing.
 */
export function createPlanWorkUnits(deps: Pick<ActivityDependencies, 'dataverse'>) {
  return async function planWorkUnits(input: PlanWorkUnitsInput): Promise<PlanWorkUnitsResult> {
    if (input.accountIds) return await planSelectedAccounts(input, input.accountIds);
    const pages = scanAccountKeys(deps.dataverse, {
      after: input.cursor,
      ...(input.since ? { changedSince: input.since } : {}),
      // The id only for key lists: an account with an invalid number is listed by id (work-unit.ts).
      withIds: input.since !== undefined,
      pageSize: input.pageSize,
    });
    const units = input.since ? new KeyListCutter(input.cursor, input.unitSize, accountNumberKey) : new RangeCutter(input.cursor, input.unitSize, accountNumberKey);
    let scanned = 0;
    for await (const keys of pages) {
      for (const { accountNumber, accountId } of keys) {
        scanned += 1;
        // The other side of the upgrade script's band is another pass's (its units read and drop these accounts). A
        // range of the numbered pass ends before a run of band numbers and the next starts after it, so it does not
        // read them.
        if (input.band && !keptByBand(input.band, accountNumber)) {
          if (input.band.keep === 'numbered' && units instanceof RangeCutter) units.skip(accountNumber);
          continue;
        }
        units.push(accountNumber, accountId);
      }
      heartbeat({ scanned });
      if (units.closedCount >= input.maxUnits) {
        return { units: units.take(), cursor: units.cursor, done: false, scanned };
      }
    }
    units.finish();
    return { units: units.take(), cursor: units.cursor, done: true, scanned };
  };

  /**
   * Units for a list of accounts (a retry of failed ones): their current Account Numbers, in key order after the
   * cursor, in one answer — the list is bounded by the input schema, so the result is too.
   */
  async function planSelectedAccounts(input: PlanWorkUnitsInput, accountIds: string[]): Promise<PlanWorkUnitsResult> {
    const numbers = new Map<string, string>();
    const invalid: { accountNumber: string; accountId: string }[] = [];
    let scanned = 0;
    for await (const keys of readAccountKeysByIds(deps.dataverse, accountIds, input.pageSize)) {
      for (const { accountNumber, accountId } of keys) {
        if (isValidAccountNumber(accountNumber)) numbers.set(accountNumberKey(accountNumber), accountNumber);
        else invalid.push({ accountNumber, accountId });
        scanned += 1;
      }
      heartbeat({ scanned });
    }
    const after = input.cursor === null ? undefined : accountNumberKey(input.cursor);
    const cutter = new KeyListCutter(input.cursor, input.unitSize, accountNumberKey);
    for (const key of [...numbers.keys()].sort()) {
      if (after === undefined || key > after) cutter.push(numbers.get(key) as string);
    }
    // Listed by id in the last unit: a retry of failed accounts is planned in one answer, so no cursor passes them.
    for (const { accountNumber, accountId } of invalid) cutter.push(accountNumber, accountId);
    cutter.finish();
    return { units: cutter.take(), cursor: cutter.cursor, done: true, scanned };
  }
}
