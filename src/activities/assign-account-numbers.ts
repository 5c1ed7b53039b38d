import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  countUnnumberedAccounts,
  type NumberedAccount,
  readHighestVersion,
  readNumbersChangedSince,
  readUnnumberedPage,
  scanNumberedAccounts,
  type UnnumberedAccount,
} from '../connectors/account-reads';
import type { DataverseBatchResult } from '../connectors/dataverse-client';
import { ConnectorError } from '../connectors/errors';
import {
  ACCOUNT_NUMBER_PREFIX,
  accountNumberKey,
  formatAccountNumber,
  isValidAccountNumber,
  MAX_ACCOUNT_NUMBER_SEQUENCE,
  parseAccountNumberSequence,
  randomSuffix,
} from '../domain/account-number';
import { chooseAccountsToRenumber, findDuplicateGroups, type DuplicateGroup } from '../domain/duplicates';
import type { RecordFailure } from '../domain/record-failure';
import type { SyncConfig } from '../config/sync-config';
import type { AssignAccountNumbersInput, AssignAccountNumbersResult } from './contracts';
import type { ActivityDependencies } from './dependencies';
import { heartbeatWhile } from './heartbeat';
import { MAX_REFUSED_KEPT, type NumberingCheckpoint, readNumberingCheckpoint } from './numbering-checkpoint';

/** Duplicate groups kept in memory for the renumber policy; beyond this the data needs a human first. */
const MAX_RENUMBER_GROUPS = 10_000;
/**
 * Passes over the unnumbered accounts before giving up on the ones that stay unsettled: an account edited in Sales
 * through every pass is reported (NUMBERING_FAILED, the next run tries again); writes Dataverse kept failing (5xx,
 * 429 parts, lost answers) fail the attempt as transient, for Temporal's retry within the run's time limit.
 */
export const MAX_NUMBERING_SWEEPS = 4;
/**
 * Numbering alone on the user (no pacer on the Dataverse gate, `serviceProtection.pace: false`, or a pacer that sees
 * no other request in its window): Dataverse's execution-time limit over its window (1,200 s per 300 s per user and
 * web server, api-limits) lets the server time of requests in flight average 4 at most. Numbering then keeps a little
 * more than that in flight, so it reaches the limit (and waits out the 429's Retry-After) instead of stopping short of
 * it. While a sync shares the window and the gate has a pacer (`pace: true`, the default) numbering keeps the worker's
 * whole share of the concurrency limit in flight and the pacer holds each request until the window has room,
 * leaving the sync its reserve: a window's budget is spent at once at full concurrency (the burst a sliding window
 * allows) without a 429 that would hold the sync's reads back too.
 */
const EXECUTION_MS_PER_WINDOW = 1_200_000;
const WINDOW_MS = 300_000;
const IN_FLIGHT_ABOVE_EXECUTION_BOUND = 2;
export const DERIVED_NUMBERING_CONCURRENCY = Math.ceil(EXECUTION_MS_PER_WINDOW / WINDOW_MS) + IN_FLIGHT_ABOVE_EXECUTION_BOUND;
/**
 * Between batches numbering's checkpoint is heartbeated at most this often (each is serialized, sealed and handed to
 * the SDK's core on the worker's event loop; the core sends the server one per throttle interval, 0.8 x the heartbeat
 * timeout, anyway). A resumed attempt does not trust the checkpoint for what was written: it counts the numbers
 * Dataverse holds since the start version and passes over the accounts again, so a checkpoint a second old only
 * costs re-reading. Before 2026-12-05 every batch heartbeated: 376 of the zero-latency bench's 768 heartbeats per
 * 100,000 accounts, in the opening chunk's batches of 50.
 */
export const CHECKPOINT_PACE_MS = 1_000;
/** Account updates per `$batch` (Dataverse allows 1,000 operations; a batch counts once against the request limit). */
export const DEFAULT_NUMBERING_BATCH = 500;
/**
 * Unnumbered accounts read per page, at least: a read costs about the same server time whatever its size, so smaller
 * `$batch`es (a scaled test's, the opening chunk's) are cut from pages of this size rather than read one by one.
 */
export const NUMBERING_READ_PAGE = 2000;
/**
 * Account updates per `$batch` in the opening chunk. The run syncs the accounts that already have a number only once
 * the first chunk has returned (the overlap, numbering-band.ts), so that chunk writes small batches and returns after
 * OPENING_CHUNK_MS: a batch of 500 takes Dataverse about 15 s (30 ms per update), time in which no account would be
 * synced. A fast Dataverse (the zero-latency bench: 15,000 numbers in ~1.6 s) finishes inside the opening chunk, so
 * the run needs no overlap, and its delta link is taken after every number is written.
 */
export const OPENING_NUMBERING_BATCH = 50;
/** How long the opening chunk launches batches before it hands back (its batches in flight then finish). */
export const OPENING_CHUNK_MS = 3_000;

export interface NumberingSettings {
  /** `$batch` requests in flight at once (capped by the throttle gate's share of the concurrency limit). */
  concurrency: number;
  /** Unnumbered accounts read per page (`max(batchSize, NUMBERING_READ_PAGE)`), written in `$batch`es of `batchSize`. */
  readSize: number;
  /** Account updates per `$batch`. */
  batchSize: number;
}

type ScanRow = NumberedAccount;

type Checkpoint = NumberingCheckpoint;

/**
 * The Prospect to cash upgrade script: every active account without an Account Number gets `ACC-<n>-<XXXXXX>`,
 * continuing above the highest ACC number in use, so Account Number can be the natural key of the sync.
 *
 * Written as `$batch`es of `If-Match` PATCHes, several in flight (`NumberingSettings`): a batch counts once against
 * Dataverse's request limit, its operations' server time against the execution-time limit, which is the one this
 * reaches. Not `UpdateMultiple`: that message checks no row version (the Web API action takes only `Targets`), so it
 * could overwrite a number typed in Sales between our read and our write; a verification read afterwards would see
 * the loss, not undo it.
 *
 * Idempotent by construction: it only ever writes to accounts whose number is empty, with `If-Match` on the version
 * it read, so a retry after an ambiguous write finds the account numbered (or 412) and leaves it alone — no account
 * gets a second number, and a concurrent edit in Sales is never overwritten. A resumed attempt (heartbeat
 * checkpoint) re-reads the numbers written since the checkpoint's start version, so no sequence number is handed
 * out twice. With `chunkSeconds` it returns after about that long with a checkpoint the next call continues from.
 */
export function createAssignAccountNumbers(
  deps: Pick<ActivityDependencies, 'dataverse' | 'random'> & { config?: Pick<SyncConfig, 'limits'>; numbering?: Partial<NumberingSettings> },
) {
  // Every request of the upgrade script, reads included, is a bulk job's for the gate's pacer (execution-pacer.ts).
  const dataverse = deps.dataverse.asBulkJob();
  const random = deps.random ?? Math.random;
  const configured = deps.config?.limits;
  const batchSize = deps.numbering?.batchSize ?? configured?.numberingBatchSize ?? DEFAULT_NUMBERING_BATCH;
  // Unset: derived batch by batch (`slots`), from whether a pacer shares the window with a sync.
  const concurrency = deps.numbering?.concurrency ?? configured?.numberingConcurrency;
  const settings: Omit<NumberingSettings, 'concurrency'> = {
    batchSize,
    readSize: deps.numbering?.readSize ?? Math.max(batchSize, NUMBERING_READ_PAGE),
  };

  return async function assignAccountNumbers(input: AssignAccountNumbersInput): Promise<AssignAccountNumbersResult> {
    const failures: RecordFailure[] = [];
    let checkpointedAt = Number.NEGATIVE_INFINITY;
    /** The checkpoint after a batch, at most every CHECKPOINT_PACE_MS (other heartbeats go at once). */
    const pacedHeartbeat = (state: Checkpoint) => {
      const now = Date.now();
      if (now - checkpointedAt < CHECKPOINT_PACE_MS) return;
      checkpointedAt = now;
      heartbeat(state);
    };
    const deadline = input.chunkSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + input.chunkSeconds * 1000;
    const fromCrash = readNumberingCheckpoint(activityInfo().heartbeatDetails);
    let state: Checkpoint;
    if (fromCrash) {
      // An attempt died: writes may have landed after its last heartbeat. Count and skip past what is in Dataverse.
      const since = await numbersWrittenSince(fromCrash.startVersion, fromCrash.firstSequence);
      state = {
        ...fromCrash,
        nextSequence: Math.max(fromCrash.nextSequence, since.highest + 1),
        assigned: Math.max(fromCrash.assigned, since.count),
        // Writes in flight when it died sit behind the cursor: the pass must be repeated to be sure.
        unsettled: fromCrash.unsettled + 1,
        // A new attempt gets its own passes (the attempts themselves are bounded by the run's time limit).
        sweep: 1,
      };
      if (since.holder && since.highest + 1 >= fromCrash.nextSequence) state.highestHolder = since.holder;
    } else if (input.checkpoint) {
      state = { ...input.checkpoint };
    } else if (input.after) {
      state = await startAfter(input, input.after);
    } else {
      state = await start(input);
    }
    heartbeat(state);

    if (input.dryRun) {
      return { ...summary(state), wouldAssign: state.toNumber, toNumber: state.toNumber, failures, done: true };
    }
    if (state.phase === 'number') {
      // The opening chunk of a chunked run (not a resumed attempt) writes small batches for OPENING_CHUNK_MS and hands back.
      const opening = input.chunkSeconds !== undefined && !fromCrash && !input.checkpoint;
      // The pacer may hold every write for up to a window (5 minutes): the activity says it is alive meanwhile.
      const finished = await heartbeatWhile(
        () =>
          opening
            ? numberUnnumberedAccounts(state, failures, pacedHeartbeat, Math.min(deadline, Date.now() + OPENING_CHUNK_MS), Math.min(settings.batchSize, OPENING_NUMBERING_BATCH), settings.batchSize)
            : numberUnnumberedAccounts(state, failures, pacedHeartbeat, deadline),
        () => state,
      );
      if (!finished) return { ...summary(state), wouldAssign: 0, toNumber: state.toNumber, failures, done: false, checkpoint: state };
      state.phase = input.duplicatePolicy === 'renumber' ? 'renumber' : 'done';
      heartbeat(state);
    }
    if (state.phase === 'renumber') {
      const scan = await scanNumbers(true);
      await renumberDuplicates(scan.groups, state, failures);
      state.phase = 'done';
    }
    return { ...summary(state), wouldAssign: 0, toNumber: state.toNumber, failures, done: true, sequence: { nextSequence: state.nextSequence, version: state.startVersion } };
  };

  /**
   * A numbering that follows an earlier one (live mode): the sequence continues from where that one ended, above any
   * ACC number written since (typed in Sales, say), without scanning every numbered account again.
   */
  async function startAfter(input: AssignAccountNumbersInput, after: NonNullable<AssignAccountNumbersInput['after']>): Promise<Checkpoint> {
    const startVersion = await readHighestVersion(dataverse);
    const since = await numbersWrittenSince(after.version, after.nextSequence);
    const firstSequence = Math.max(after.nextSequence, since.highest + 1);
    return {
      startVersion,
      firstSequence,
      nextSequence: firstSequence,
      ...(since.holder && since.highest + 1 === firstSequence ? { highestHolder: since.holder } : {}),
      phase: input.dryRun ? 'done' : 'number',
      assigned: 0,
      toNumber: await countUnnumberedAccounts(dataverse),
      renumbered: 0,
      duplicateGroups: 0,
      duplicateAccounts: 0,
      sweep: 1,
      after: null,
      conflicts: 0,
      unsettled: 0,
      refused: [],
    };
  }

  async function start(input: AssignAccountNumbersInput): Promise<Checkpoint> {
    const startVersion = await readHighestVersion(dataverse);
    // Both after the start version (numbers written from here on are read again on a resume); independent reads, so
    // the count's pages go beside the scan's instead of after them (writing starts ~0.1 s sooner at 40,000 accounts).
    const [scan, toNumber] = await Promise.all([scanNumbers(false), countUnnumberedAccounts(dataverse)]);
    const firstSequence = scan.highestSequence + 1;
    return {
      startVersion,
      firstSequence,
      nextSequence: firstSequence,
      ...(scan.highestHolder ? { highestHolder: scan.highestHolder } : {}),
      phase: input.dryRun ? 'done' : 'number',
      assigned: 0,
      toNumber,
      renumbered: 0,
      duplicateGroups: scan.duplicateGroups,
      duplicateAccounts: scan.duplicateAccounts,
      sweep: 1,
      after: null,
      conflicts: 0,
      unsettled: 0,
      refused: [],
    };
  }

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

  /** The highest ACC sequence written since `version`, and how many of those are this numbering's own (≥ `first`). */
  async function numbersWrittenSince(version: string, first: number): Promise<{ highest: number; count: number; holder?: { accountId: string; accountNumber: string } }> {
    let highest: { highest: number; count: number; holder?: { accountId: string; accountNumber: string } } = { highest: 0, count: 0 };
    for await (const rows of readNumbersChangedSince(dataverse, version, `${ACCOUNT_NUMBER_PREFIX}-`)) {
      for (const row of rows) {
        const sequence = parseAccountNumberSequence(row.accountnumber);
        if (sequence === undefined) continue;
        if (sequence >= first) highest.count += 1;
        if (sequence > highest.highest) highest = { ...highest, highest: sequence, holder: { accountId: row.accountid, accountNumber: row.accountnumber } };
      }
    }
    return highest;
  }

  /**
   * Passes over the unnumbered active accounts in id order, one page per `$batch`, `slots()` batches in
   * flight while the next page is read. The position is an explicit keyset (`accountid gt <after>`), not a server
   * cursor: the set shrinks as we write. Accounts a pass could not settle (412: changed since read; 429/5xx parts or
   * a lost answer: not written) are still unnumbered, so the next pass — from the start, reading only what is left —
   * finds them with a fresh version. True when done; false when the deadline came first (in-flight writes drained,
   * so everything before `after` is settled). Pages of `readSize` are cut into `$batch`es of `writeSize`; `after`
   * moves past each batch as it is launched, so the deadline is looked at before every batch (the rest of the page
   * is read again by the next chunk).
   */
  async function numberUnnumberedAccounts(
    state: Checkpoint,
    failures: RecordFailure[],
    /** Heartbeats the checkpoint after a batch, paced (CHECKPOINT_PACE_MS). */
    checkpoint: (state: Checkpoint) => void,
    deadline: number,
    writeSize = settings.batchSize,
    readSize = settings.readSize,
  ): Promise<boolean> {
    const refused = new Set(state.refused);
    // Each chunk writes at least one batch, however slow its start: chunks always make progress.
    let launched = 0;
    for (;;) {
      const inFlight = new Set<Promise<void>>();
      let failed: { error: unknown } | undefined;
      const drain = async () => {
        await Promise.all(inFlight);
        if (failed) throw failed.error;
        heartbeat(state);
      };
      // The next page is read while this one's batches go out, so a window's burst is not held up by reads.
      let ahead: Promise<UnnumberedAccount[]> | undefined;
      const stop = async () => {
        // A page read ahead is dropped (the next chunk reads from `after`); its failure no longer matters.
        ahead?.catch(() => undefined);
        await drain();
        return false;
      };
      for (;;) {
        if (failed) break;
        if (launched > 0 && Date.now() >= deadline) return await stop();
        const page = await (ahead ?? readUnnumbered(state.after, readSize));
        ahead = undefined;
        const lastId = page[page.length - 1]?.accountid;
        if (lastId === undefined) break;
        if (page.length === readSize) ahead = readUnnumbered(lastId, readSize);
        // The last page of a pass is cut evenly over the requests that may be in flight (tailBatchSize).
        const size = page.length < readSize ? tailBatchSize(page.length, writeSize, slots()) : writeSize;
        for (let start = 0; start < page.length && !failed; start += size) {
          if (launched > 0 && Date.now() >= deadline) return await stop();
          const slice = page.slice(start, start + size);
          const planned = slice.filter((row) => !refused.has(row.accountid)).map((row) => ({ ...row, accountNumber: nextNumber(state) }));
          state.after = slice[slice.length - 1]?.accountid ?? state.after;
          if (planned.length === 0) continue;
          // The gate holds this worker's share of the concurrency limit: never more in flight than that.
          while (inFlight.size >= slots()) await Promise.race(inFlight);
          const write: Promise<void> = writeNumbers(planned, state, refused, failures)
            .catch((error: unknown) => {
              failed ??= { error };
            })
            .finally(() => {
              inFlight.delete(write);
              checkpoint(state);
            });
          inFlight.add(write);
          launched += 1;
        }
      }
      ahead?.catch(() => undefined);
      await drain();
      if (state.conflicts === 0 && state.unsettled === 0) return true;
      if (state.sweep >= MAX_NUMBERING_SWEEPS) {
        if (state.unsettled > 0) {
          throw new ConnectorError(
            `Dataverse did not take ${state.unsettled} Account Number writes in ${MAX_NUMBERING_SWEEPS} passes (server errors, ` +
              'throttled parts or lost answers); the numbering attempt is retried later',
            { kind: 'transient', service: 'dataverse' },
          );
        }
        // Only accounts edited in Sales through every pass are left: reported (in the last pass), the next run tries again.
        return true;
      }
      state.sweep += 1;
      state.after = null;
      state.conflicts = 0;
      state.unsettled = 0;
    }
  }

  /**
   * `$batch` requests that may be in flight at once, within the gate's share of the concurrency limit: the setting;
   * unset, that whole share while the pacer paces numbering beside a sync, DERIVED_NUMBERING_CONCURRENCY otherwise.
   */
  function slots(): number {
    const wanted = concurrency ?? (dataverse.gate.pacer?.sharedWithOthers() ? Number.POSITIVE_INFINITY : DERIVED_NUMBERING_CONCURRENCY);
    return Math.max(1, Math.min(wanted, dataverse.gate.metrics().concurrencyLimit));
  }

  async function readUnnumbered(after: string | null, size: number): Promise<UnnumberedAccount[]> {
    return await readUnnumberedPage(dataverse, after ?? undefined, size);
  }

  /** One `$batch` of numbering PATCHes (`If-Match` each): counts each account as numbered, refused or unsettled. */
  async function writeNumbers(
    planned: { accountid: string; etag: string; accountNumber: string }[],
    state: Checkpoint,
    refused: Set<string>,
    failures: RecordFailure[],
  ): Promise<void> {
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
      // Some of the batch may have been numbered: those drop out of the next pass, the rest are read again.
      if (error instanceof ConnectorError && (error.ambiguous || error.kind === 'transient')) {
        state.unsettled += planned.length;
        return;
      }
      throw error;
    }
    const lastPass = state.sweep >= MAX_NUMBERING_SWEEPS;
    planned.forEach((row, index) => {
      const result = results[index];
      if (result === undefined || (!result.ok && (result.error.kind === 'throttled' || result.error.kind === 'transient'))) {
        // Not applied (throttled, a server error, a batch that stopped before it): read again on the next pass.
        state.unsettled += 1;
      } else if (result.ok) {
        state.assigned += 1;
      } else if (result.error.kind === 'conflict' && result.error.status === 412) {
        // Changed in Sales since we read it (perhaps a number typed by hand): never overwritten, looked at again.
        state.conflicts += 1;
        if (lastPass) {
          failures.push({
            accountId: row.accountid,
            field: 'accountnumber',
            value: row.accountNumber,
            code: 'NUMBERING_FAILED',
            reason:
              `Account ${row.accountid}: changed in Sales each time the upgrade script was about to give it an Account Number ` +
              `(${MAX_NUMBERING_SWEEPS} passes, If-Match refused with 412); it was left as it is, and the next run tries again.`,
          });
        }
      } else {
        refused.add(row.accountid);
        if (state.refused.length < MAX_REFUSED_KEPT) state.refused.push(row.accountid);
        failures.push({
          accountId: row.accountid,
          field: 'accountnumber',
          value: row.accountNumber,
          code: 'NUMBERING_FAILED',
          reason: `Account ${row.accountid}: Dataverse refused the new Account Number '${row.accountNumber}': ${result.error.message}`,
        });
      }
    });
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
 * Updates per `$batch` for the last page of a pass (`accounts` left on it): as few rounds of `slots` requests in flight
 * as batches of at most `batchSize` allow, the accounts spread evenly over them. Full-size batches would leave the
 * last round to a few long requests while the other slots sit idle (measured, F&O-bound bench with the pacer: the
 * 856 accounts the opening chunk left went as two `$batch`es of 500 and 356, 15 s and 11 s, against 52 slots).
 */
export function tailBatchSize(accounts: number, batchSize: number, slots: number): number {
  if (accounts <= 0) return batchSize;
  const rounds = Math.ceil(accounts / (slots * batchSize));
  return Math.max(1, Math.min(batchSize, Math.ceil(accounts / (slots * rounds))));
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

function summary(state: Checkpoint): Omit<AssignAccountNumbersResult, 'wouldAssign' | 'failures'> {
  return {
    assigned: state.assigned,
    renumbered: state.renumbered,
    duplicateGroups: state.duplicateGroups,
    duplicateAccounts: state.duplicateAccounts,
  };
}

