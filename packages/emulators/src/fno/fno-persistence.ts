import path from 'node:path';
import { z } from 'zod';
import { SnapshotFile } from '../shared/snapshot-file';
import type { CustomerStore } from './customer-store';

const metaSchema = z.object({ service: z.literal('fno'), recIdSequence: z.number().int() });
const storedRowSchema = z.object({
  row: z.record(z.string(), z.union([z.string(), z.number()])),
  recId: z.number().int(),
  version: z.number().int().positive(),
});

export const fnoSnapshotFileName = 'fno-customers.jsonl';

/**
 * Keeps the F&O store in `{stateDir}/fno-customers.jsonl` (see `SnapshotFile`): loaded at start, written after
 * changes (debounced) and on close. A snapshot that does not parse stops the start rather than silently starting
 * empty.
 */
export function persistCustomerStore(store: CustomerStore, stateDir: string, debounceMs?: number): SnapshotFile {
  const file = path.join(stateDir, fnoSnapshotFileName);
  const existing = SnapshotFile.read(file);
  if (existing) {
    const meta = metaSchema.parse(existing.meta);
    existing.rows.forEach((raw, index) => {
      const parsed = storedRowSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`${file}: row ${index + 1} is not a stored customer: ${parsed.error.message}`);
      store.insert(parsed.data.row, parsed.data.recId, parsed.data.version);
    });
    store.recIdSequence = meta.recIdSequence;
  }
  const snapshot = new SnapshotFile({
    file,
    ...(debounceMs !== undefined ? { debounceMs } : {}),
    capture: () => ({
      meta: { service: 'fno', recIdSequence: store.recIdSequence },
      rows: mapIterable(store.all(), (stored) => ({ row: stored.row, recId: stored.recId, version: stored.version })),
    }),
  });
  store.onChange(() => snapshot.markDirty());
  return snapshot;
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
