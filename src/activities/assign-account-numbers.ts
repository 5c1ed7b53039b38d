import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  countUnnumberedAccounts,
  type NumberedAccount,
  readHighestVersion,
  readNumbersChangedSince,
  readUnnumberedPage,
  scanNumberedAccounts,
} from '../connectors/account-reads';
import type { DataverseBatchResult } from '../connectors/dataverse-client';
import { ConnectorError } from '../connectors/errors';
import {
  accountNumberKey,
  formatAccountNumber,
  isValidAccountNumber,
  MAX_ACCOUNT_NUMBER_SEQUENCE,
  parseAccountNumberSequence,
  ACCOUNT_NUMBER_PREFIX,
  randomSuffix,
} from '../domain/account-number';
import { chooseAccountsToRenumber, findDuplicateGroups, type DuplicateGroup } from '../domain/duplicates';
import type { RecordFailure } from '../domain/record-failure';
import type { AssignAccountNumbersInput, AssignAccountNumbersResult } from './contracts';
import type { ActivityDependencies } from './dependencies';

/** Account updates per Dataverse $batch (the service allows 1000; each one still counts against the limits). */
const NUMBERING_BATCH = 200;
/** Duplicate groups kept in memory for the renumber policy; beyond this the data needs a human first. */
const MAX_RENUMBER_GROUPS = 10_000;

type ScanRow = NumberedAccount;

interface Checkpoint {
  /** Row version before the first write of this activity: everything it wrote is above it. */
  startVersion: string;
  nextSequence: number;
  /** The account holding the highest ACC number seen (named when the sequence runs out). */
  highestHolder?: { accountId: string; accountNumber: string };
  assigned: number;
  renumbered: number;
  duplicateGroups: number;
  duplicateAccounts: number;
}

/**
 * The Prospect to cash upgrade script: every active account without an Account Number gets `ACC-<n>-<XXXXXX>`,
 * continuing above the highest ACC number in use, so Account Number can be the natural key of the sync.
 *
 * Idempotent by construction: it only ever writes to accounts whose number is empty, with `If-Match` on the version
 * it read, so a retry after an ambiguous write finds the account numbered (or 412) and leaves it alone — no account
 * gets a second number, and a concurrent edit in Sales is never overwritten. A resumed attempt (heartbeat
 * checkpoint) skips the full scan and re-reads only the numbers written since the checkpoint's start version, so no
 * sequence number is handed out twice.
 */
export function createAssignAccountNumbers(deps: Pick<ActivityDependencies, 'dataverse' | 'random'>) {
  const { dataverse } = deps;
  const random = deps.random ?? Math.random;

  return async function assignAccountNumbers(input: AssignAccountNumbersInput): Promise<AssignAccountNumbersResult> {
    const failures: RecordFailure[] = [];
    const resumed = readCheckpoint(activityInfo().heartbeatDetails);
    let state: Checkpoint;
    let duplicates: DuplicateRows[] = [];

    if (resumed && input.duplicatePolicy === 'report') {
      const highest = await highestSequenceSince(resumed.startVersion);
      state = { ...resumed, nextSequence: Math.max(resumed.nextSequence, highest.sequence + 1) };
      if (highest.holder && highest.sequence + 1 >= resumed.nextSequence) state.highestHolder = highest.holder;
    } else {
      const startVersion = await readHighestVersion(dataverse);
      const scan = await scanNumbers(input.duplicatePolicy === 'renumber');
      duplicates = scan.groups;
      state = {
        startVersion,
        nextSequence: Math.max(scan.highestSequence + 1, resumed?.nextSequence ?? 1),
        ...(scan.highestHolder ? { highestHolder: scan.highestHolder } : {}),
        assigned: resumed?.assigned ?? 0,
        renumbered: resumed?.renumbered ?? 0,
        duplicateGroups: scan.duplicateGroups,
        duplicateAccounts: scan.duplicateAccounts,
      };
    }
    heartbeat(state);

    if (input.dryRun) {
      return { ...summary(state), wouldAssign: await countUnnumberedAccounts(dataverse), failures };
    }
    await numberUnnumberedAccounts(state, failures);
    if (input.duplicatePolicy === 'renumber') await renumberDuplicates(duplicates, state, failures);
    return { ...summary(state), wouldAssign: 0, failures };
  };

  /**
   * One ordered pass over every numbered account: the highest ACC sequence (inactive accounts included — their
   * numbers are taken too) and the duplicated numbers among active accounts. Valid numbers sharing a key sort next
   * to each other under any case-insensitive collation (account-number.ts); invalid ones may sort among them (SQL
   * Server ignores trailing spaces and zero-width characters) and are skipped without ending the group — they are
   * never a duplicate of anything, the sync reports them as INVALID_ACCOUNT_NUMBER.
   */
  async function scanNumbers(keepGroups: boolean) {
    let highestSequence = 0;
    let highestHolder: { accountId: string; accountNumber: string } | undefined;
    let duplicateGroups = 0;
    let duplicateAccounts = 0;
    const groups: DuplicateRows[] = [];
    let current: ScanRow[] = [];
    let currentKey: string | undefined;
    let scanned = 0;
    const flush = () => {
      if (current.length > 1) {
        duplicateGroups += 1;
        duplicateAccounts += current.length;
        if (keepGroups && groups.length < MAX_RENUMBER_GROUPS) groups.push(toDuplicateRows(current));
      }
      current = [];
    };
    for await (const rows of scanNumberedAccounts(dataverse)) {
      for (const row of rows) {
        scanned += 1;
        const sequence = parseAccountNumberSequence(row.accountnumber);
        if (sequence !== undefined && sequence > highestSequence) {
          highestSequence = sequence;
          highestHolder = { accountId: row.accountid, accountNumber: row.accountnumber };
        }
        if (row.statecode !== 0 || !isValidAccountNumber(row.accountnumber)) continue;
        const key = accountNumberKey(row.accountnumber);
        if (key !== currentKey) {
          flush();
          currentKey = key;
        }
        current.push(row);
      }
      heartbeat({ phase: 'scan', scanned });
    }
    flush();
    return { highestSequence, highestHolder, duplicateGroups, duplicateAccounts, groups };
  }

  async function highestSequenceSince(version: string): Promise<{ sequence: number; holder?: { accountId: string; accountNumber: string } }> {
    let highest: { sequence: number; holder?: { accountId: string; accountNumber: string } } = { sequence: 0 };
    for await (const rows of readNumbersChangedSince(dataverse, version, `${ACCOUNT_NUMBER_PREFIX}-`)) {
      for (const row of rows) {
        const sequence = parseAccountNumberSequence(row.accountnumber);
        if (sequence !== undefined && sequence > highest.sequence) {
          highest = { sequence, holder: { accountId: row.accountid, accountNumber: row.accountnumber } };
        }
      }
    }
    return highest;
  }

  /**
   * Reads unnumbered active accounts in id order, one page at a time, from an explicit keyset position rather than a
   * server cursor: the set shrinks as we write, and re-reading from the same position after an ambiguous failure is
   * exactly the recovery we want — accounts that got their number no longer match the filter.
   */
  async function numberUnnumberedAccounts(state: Checkpoint, failures: RecordFailure[]): Promise<void> {
    const refused = new Set<string>();
    let after: string | undefined;
    let passesWithoutProgress = 0;
    for (;;) {
      const page = await readUnnumberedPage(dataverse, after, NUMBERING_BATCH);
      const lastId = page.at(-1)?.accountid;
      if (!lastId) return;
      const planned = page
        .filter((row) => !refused.has(row.accountid))
        .map((row) => ({ ...row, accountNumber: nextNumber(state) }));
      const outcome = planned.length ? await writeNumbers(planned, state, refused, failures) : 'complete';
      if (outcome === 'complete') {
        after = lastId;
        passesWithoutProgress = 0;
      } else if (outcome === 'no-progress' && ++passesWithoutProgress > 5) {
        throw new ConnectorError('Dataverse kept refusing Account Number updates; retrying the activity later', {
          kind: 'transient',
          service: 'dataverse',
        });
      }
      heartbeat(state);
    }
  }

  /** One $batch of numbering PATCHes; says whether every account of the page is now numbered or refused. */
  async function writeNumbers(
    planned: { accountid: string; etag: string; accountNumber: string }[],
    state: Checkpoint,
    refused: Set<string>,
    failures: RecordFailure[],
  ): Promise<'complete' | 'partial' | 'no-progress'> {
    let results: DataverseBatchResult[];
    try {
      results = await dataverse.batch(
        planned.map((row) => ({
          method: 'PATCH' as const,
          url: `accounts(${row.accountid})`,
          headers: { 'If-Match': row.etag },
          body: { accountnumber: row.accountNumber },
        })),
        { continueOnError: true },
      );
    } catch (error) {
      // Some of the page may have been numbered: the caller reads the same page again and those drop out.
      if (error instanceof ConnectorError && (error.ambiguous || error.kind === 'transient')) return 'no-progress';
      throw error;
    }
    let again = false;
    let progressed = false;
    results.forEach((result, index) => {
      const row = planned[index];
      if (!row) return;
      if (result.ok) {
        state.assigned += 1;
        progressed = true;
      } else if (readAgain(result.error)) {
        // Changed since read (412), or not applied: read again on the next pass with a fresh version.
        again = true;
      } else {
        refused.add(row.accountid);
        progressed = true;
        failures.push({
          accountId: row.accountid,
          field: 'accountnumber',
          value: row.accountNumber,
          code: 'NUMBERING_FAILED',
          reason: `Account ${row.accountid}: Dataverse refused the new Account Number '${row.accountNumber}': ${result.error.message}`,
        });
      }
    });
    if (!again) return 'complete';
    return progressed ? 'partial' : 'no-progress';
  }

  async function renumberDuplicates(groups: DuplicateRows[], state: Checkpoint, failures: RecordFailure[]): Promise<void> {
    for (const { group, rows } of groups) {
      for (const accountId of chooseAccountsToRenumber(group)) {
        const row = rows.get(accountId);
        if (!row) continue;
        const accountNumber = nextNumber(state);
        try {
          await dataverse.update('accounts', accountId, { accountnumber: accountNumber }, { ifMatch: row.etag });
          state.renumbered += 1;
        } catch (error) {
          if (!(error instanceof ConnectorError && error.kind === 'conflict')) throw error;
          failures.push({
            accountId,
            accountNumber: row.accountnumber,
            field: 'accountnumber',
            value: row.accountnumber,
            code: 'DUPLICATE_ACCOUNT_NUMBER',
            reason: `Account ${accountId}: changed in Sales while being renumbered away from the duplicated Account Number '${row.accountnumber}'; the next run looks at it again.`,
          });
        }
        heartbeat(state);
      }
    }
  }

  function nextNumber(state: Checkpoint): string {
    if (state.nextSequence > MAX_ACCOUNT_NUMBER_SEQUENCE) throw sequenceExhausted(state);
    const number = formatAccountNumber(state.nextSequence, randomSuffix(random));
    state.nextSequence += 1;
    return number;
  }
}

/**
 * No ACC number above the highest one in use fits the 20-character key: retrying cannot help, a person must decide
 * (renumber the account holding the highest number, or number the new accounts by hand).
 */
function sequenceExhausted(state: Checkpoint): ApplicationFailure {
  const holder = state.highestHolder;
  const held = holder ? `account ${holder.accountId} holds '${holder.accountNumber}'` : 'an account holds the highest number';
  return ApplicationFailure.nonRetryable(
    `Account Numbers are exhausted: ${held}, and the next number (sequence ${state.nextSequence}) would exceed the ` +
      `20 characters of the F&O customer key (the highest sequence is ${MAX_ACCOUNT_NUMBER_SEQUENCE}). Give that ` +
      'account a lower number in Sales, or give the accounts without a number one by hand, then run again.',
    'AccountNumbersExhausted',
    { highestAccountId: holder?.accountId, highestAccountNumber: holder?.accountNumber },
  );
}

interface DuplicateRows {
  group: DuplicateGroup;
  rows: Map<string, ScanRow>;
}

function toDuplicateRows(rows: readonly ScanRow[]): DuplicateRows {
  const [group] = findDuplicateGroups(rows);
  if (!group) throw new Error('a duplicate group of one account');
  return { group, rows: new Map(rows.map((row) => [row.accountid, row])) };
}

function summary(state: Checkpoint) {
  return {
    assigned: state.assigned,
    renumbered: state.renumbered,
    duplicateGroups: state.duplicateGroups,
    duplicateAccounts: state.duplicateAccounts,
  };
}

/**
 * A numbering write to try again on the next pass with a fresh version: the account changed since it was read (412),
 * or the write was not applied (throttled, a server error, a batch that stopped before it).
 */
function readAgain(error: ConnectorError): boolean {
  return error.kind === 'throttled' || error.kind === 'transient' || (error.kind === 'conflict' && error.status === 412);
}

function readCheckpoint(details: unknown): Checkpoint | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const candidate = details as Partial<Checkpoint>;
  if (typeof candidate.startVersion !== 'string' || typeof candidate.nextSequence !== 'number') return undefined;
  const holder = candidate.highestHolder;
  return {
    startVersion: candidate.startVersion,
    nextSequence: candidate.nextSequence,
    ...(holder && typeof holder.accountId === 'string' && typeof holder.accountNumber === 'string'
      ? { highestHolder: { accountId: holder.accountId, accountNumber: holder.accountNumber } }
      : {}),
    assigned: candidate.assigned ?? 0,
    renumbered: candidate.renumbered ?? 0,
    duplicateGroups: candidate.duplicateGroups ?? 0,
    duplicateAccounts: candidate.duplicateAccounts ?? 0,
  };
}
