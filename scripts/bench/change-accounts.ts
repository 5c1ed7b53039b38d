import type { DataverseClient } from '../../src/connectors/dataverse-client';
import { SeededRandom } from '@p2c-sync/emulators';

/** Dataverse accepts up to 1000 requests per `$batch`. */
const PATCHES_PER_BATCH = 1000;

export interface ChangedAccounts {
  changed: number;
  /** Changed accounts that were active and numbered (the ones a sync can carry to F&O). */
  changedActiveNumbered: number;
  seconds: number;
}

/**
 * Edits exactly `share` of all accounts (a seeded random choice) the way a user in Sales would — a new main phone —
 * so that an incremental run has exactly these changes to find. Writes go through `$batch`, a thousand per request.
 */
export async function changeAccounts(dataverse: DataverseClient, share: number, seed: number): Promise<ChangedAccounts> {
  const started = performance.now();
  const random = new SeededRandom(seed);
  const all: { id: string; syncable: boolean }[] = [];
  for await (const rows of dataverse.queryAll({ entitySet: 'accounts', select: ['accountid', 'accountnumber', 'statecode'], pageSize: 5000 })) {
    for (const row of rows as { accountid: string; accountnumber?: string | null; statecode?: number }[]) {
      all.push({ id: row.accountid, syncable: row.statecode === 0 && Boolean(row.accountnumber) });
    }
  }
  // A partial Fisher-Yates shuffle: the first `wanted` entries are a uniform random choice.
  const wanted = Math.round(all.length * share);
  for (let i = 0; i < wanted; i += 1) {
    const j = i + Math.floor(random.next() * (all.length - i));
    [all[i], all[j]] = [all[j] as (typeof all)[number], all[i] as (typeof all)[number]];
  }
  const chosen = all.slice(0, wanted);
  for (let start = 0; start < chosen.length; start += PATCHES_PER_BATCH) {
    const slice = chosen.slice(start, start + PATCHES_PER_BATCH);
    const results = await dataverse.batch(
      slice.map((account, index) => ({
        method: 'PATCH' as const,
        url: `accounts(${account.id})`,
        body: { telephone1: `+1 555 ${String(seed % 1000).padStart(3, '0')} ${String(start + index).padStart(6, '0')}` },
      })),
      { continueOnError: true },
    );
    const refused = results.flatMap((result) => (result.ok ? [] : [result.error]));
    if (refused.length > 0) throw new Error(`${refused.length} account edits were refused, e.g. ${refused[0]?.message}`);
  }
  return {
    changed: chosen.length,
    changedActiveNumbered: chosen.filter((account) => account.syncable).length,
    seconds: (performance.now() - started) / 1000,
  };
}
