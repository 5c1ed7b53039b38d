import { heartbeat } from '@temporalio/activity';
import { type AccountDeltaPage, readAccountDelta } from '../connectors/account-reads';
import { ConnectorError } from '../connectors/errors';
import { accountNumberKey, isValidAccountNumber } from '../domain/account-number';
import { KeyListCutter } from '../domain/work-unit';
import type { ReadAccountChangesInput, ReadAccountChangesResult } from './contracts';
import type { ActivityDependencies } from './dependencies';

/** Pages of one delta read; a delta is paged with next links, each page at most 5000 rows. */
const MAX_PAGES = 100_000;

/**
 * Reads the accounts' change-tracking delta (Dataverse `Prefer: odata.track-changes`): without a link it starts
 * tracking (pages through every account, one column, and keeps only the delta link); with one it follows it to the
 * end and returns the changed accounts' keys cut into key-list units, the deactivated accounts' Account Numbers and
 * the number of deletions, with the next delta link. Read-only and idempotent: a retry reads the same link again
 * (the delta can only have grown, and syncing a key twice changes nothing).
 */
export function createReadAccountChanges(deps: Pick<ActivityDependencies, 'dataverse'>) {
  return async function readAccountChanges(input: ReadAccountChangesInput): Promise<ReadAccountChangesResult> {
    const pageSize = input.pageSize;
    // The link comes from a run's input: the bearer token goes only to this organisation's accounts set.
    if (input.deltaLink !== undefined && !isAccountsLink(input.deltaLink, deps.dataverse.serviceRoot)) {
      return { kind: 'expired', reason: `the delta link is not one of this Dataverse organisation's account set (${deps.dataverse.serviceRoot}accounts)` };
    }
    let read: AccountDeltaPage;
    try {
      read = await readAccountDelta(deps.dataverse, input.deltaLink ? { link: input.deltaLink } : { start: true }, pageSize);
    } catch (error) {
      const unusable = input.deltaLink ? unusableLink(error) : undefined;
      if (unusable) return { kind: 'expired', reason: unusable };
      throw error;
    }

    const changed = new Map<string, string>();
    const invalidIds: string[] = [];
    const deactivated = new Map<string, string>();
    let deactivatedWithoutNumber = 0;
    let unnumbered = 0;
    let deleted = 0;
    let scanned = 0;
    let overflow = false;
    const keyCount = () => changed.size + invalidIds.length + deactivated.size;

    for (let pages = 1; ; pages += 1) {
      if (read.expired) return { kind: 'expired', reason: read.reason };
      scanned += read.changed.length + read.removed.length;
      if (input.deltaLink) {
        deleted += read.removed.length;
        for (const { accountid, accountnumber: number, statecode } of read.changed) {
          if (overflow) continue;
          if (statecode !== 0) {
            if (number !== null && isValidAccountNumber(number)) deactivated.set(accountNumberKey(number), number);
            else deactivatedWithoutNumber += 1;
          } else if (number === null) unnumbered += 1;
          else if (isValidAccountNumber(number)) changed.set(accountNumberKey(number), number);
          else invalidIds.push(accountid);
          if (keyCount() > input.maxKeys) overflow = true;
        }
      }
      heartbeat({ scanned, pages });
      if (read.deltaLink !== undefined) break;
      if (read.nextLink === undefined) {
        return {
          kind: 'untracked',
          reason: 'Dataverse answered the accounts without a delta link: Track changes is off for the account table',
        };
      }
      if (pages >= MAX_PAGES) {
        throw new ConnectorError(`the account delta did not end after ${MAX_PAGES} pages`, { kind: 'transient', service: 'dataverse' });
      }
      read = await readAccountDelta(deps.dataverse, { link: read.nextLink }, pageSize);
    }
    const deltaLink = read.deltaLink;
    if (!input.deltaLink) return { kind: 'started', deltaLink, scanned };
    if (overflow) return { kind: 'overflow', deltaLink, changes: scanned, maxKeys: input.maxKeys, scanned };

    // A number both changed and deactivated belongs to two accounts (a duplicate): the active one is synced, and
    // applyCustomerHolds blocks nothing while an active account carries the number.
    const after = input.after === undefined || input.after === null ? undefined : accountNumberKey(input.after);
    const cutter = new KeyListCutter(input.after ?? null, input.unitSize, accountNumberKey);
    for (const key of [...changed.keys()].sort()) {
      if (after === undefined || key > after) cutter.push(changed.get(key) as string);
    }
    // Invalid numbers are listed by id (syncWorkUnit reports them); they sort nowhere, so they go in the last unit.
    for (const id of invalidIds) cutter.push('', id);
    cutter.finish();
    return {
      kind: 'changes',
      deltaLink,
      units: cutter.take(),
      changed: changed.size + invalidIds.length,
      deactivated: [...deactivated.keys()].sort().map((key) => deactivated.get(key) as string),
      deactivatedWithoutNumber,
      unnumbered,
      deleted,
      scanned,
    };
  };
}

function isAccountsLink(link: string, serviceRoot: string): boolean {
  let url: URL;
  let root: URL;
  try {
    url = new URL(link);
    root = new URL(serviceRoot);
  } catch {
    return false;
  }
  return url.origin === root.origin && url.pathname === `${root.pathname}accounts` && url.username === '' && url.password === '';
}

/**
 * A link the caller kept that Dataverse refuses as a request (not as a passing fault): malformed, from another
 * organisation, or pointing at something that is not a delta. Read as "start again", like an expired one.
 */
function unusableLink(error: unknown): string | undefined {
  if (!(error instanceof ConnectorError)) return undefined;
  if (error.kind === 'configuration' || error.kind === 'invalid-record' || error.kind === 'not-found') {
    return `Dataverse refused the delta link: ${error.message}`;
  }
  return undefined;
}
