import { heartbeat } from '@temporalio/activity';
import { accountNumberKey, isValidAccountNumber } from '../domain/account-number';
import { KeyListCutter, RangeCutter, type ChangeWatermark } from '../domain/work-unit';
import { quoteLiteral } from '../odata/quote';
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
    const filter = [
      'statecode eq 0',
      'accountnumber ne null',
      ...(input.cursor !== null ? [`accountnumber gt ${quoteLiteral(input.cursor)}`] : []),
      ...(input.since ? [changedSince(input.since)] : []),
    ].join(' and ');
    const pages = deps.dataverse.queryAll({
      entitySet: 'accounts',
      // The id only for key lists: an account with an invalid number is listed by id (work-unit.ts).
      select: input.since ? ['accountnumber', 'accountid'] : ['accountnumber'],
      filter,
      orderby: 'accountnumber asc,accountid asc',
      pageSize: input.pageSize,
    });
    const units = input.since ? new KeyListCutter(input.cursor, input.unitSize, accountNumberKey) : new RangeCutter(input.cursor, input.unitSize, accountNumberKey);
    let scanned = 0;
    for await (const rows of pages) {
      for (const row of rows) {
        units.push(readAccountNumber(row), readAccountId(row));
        scanned += 1;
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
    for (let start = 0; start < accountIds.length; start += IDS_PER_QUERY) {
      const ids = accountIds.slice(start, start + IDS_PER_QUERY);
      const filter = `statecode eq 0 and accountnumber ne null and Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=[${ids.map(quoteLiteral).join(',')}])`;
      for await (const rows of deps.dataverse.queryAll({ entitySet: 'accounts', select: ['accountnumber', 'accountid'], filter, pageSize: input.pageSize })) {
        for (const row of rows) {
          const accountNumber = readAccountNumber(row);
          if (isValidAccountNumber(accountNumber)) numbers.set(accountNumberKey(accountNumber), accountNumber);
          else invalid.push({ accountNumber, accountId: readAccountId(row) ?? '' });
          scanned += 1;
        }
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

/** Account ids per Dataverse query when planning selected accounts: keeps URLs far below server limits. */
const IDS_PER_QUERY = 50;

function changedSince(since: ChangeWatermark): string {
  return since.kind === 'version' ? `versionnumber gt ${since.value}` : `modifiedon gt ${since.value}`;
}

function readAccountId(row: unknown): string | undefined {
  const value = (row as { accountid?: unknown }).accountid;
  return typeof value === 'string' ? value : undefined;
}

function readAccountNumber(row: unknown): string {
  const value = (row as { accountnumber?: unknown }).accountnumber;
  if (typeof value !== 'string') throw new Error('Dataverse returned an account without accountnumber for a "ne null" filter');
  return value;
}
