import { z } from 'zod';

/**
 * Where the upgrade script stands between two of its chunks (workflow history carries it from one to the next) and
 * inside a chunk (heartbeat details carry it to the retry of a crashed attempt). Counters and cursors only: no
 * records, and at most `MAX_REFUSED_KEPT` account ids.
 */
export const MAX_REFUSED_KEPT = 1000;

const sequence = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const count = z.number().int().min(0);

export const numberingCheckpointSchema = z.object({
  /** Row version before the first write: everything the script wrote is above it. */
  startVersion: z.string().regex(/^\d{1,19}$/),
  /** The first sequence this numbering handed out: numbers at or above it, written after `startVersion`, are its own. */
  firstSequence: sequence,
  nextSequence: sequence,
  /** The account holding the highest ACC number seen (named when the sequence runs out). */
  highestHolder: z.object({ accountId: z.string(), accountNumber: z.string() }).optional(),
  phase: z.enum(['number', 'renumber', 'done']),
  /** Accounts numbered so far, and how many lacked a number when the script started (for rate and ETA). */
  assigned: count,
  toNumber: count,
  renumbered: count,
  duplicateGroups: count,
  duplicateAccounts: count,
  /** Pass over the unnumbered accounts (1, 2, …): a pass that leaves accounts unsettled is followed by another. */
  sweep: z.number().int().min(1),
  /** Keyset position (account id) of the current pass; null at its start. */
  after: z.string().nullable(),
  /** Accounts of the current pass to look at again: changed since read (412), or not written (429, 5xx, lost answer). */
  conflicts: count,
  unsettled: count,
  /** Accounts whose number Dataverse refused for good (reported once, never tried again). */
  refused: z.array(z.string()).max(MAX_REFUSED_KEPT),
});

export type NumberingCheckpoint = z.infer<typeof numberingCheckpointSchema>;

/** A checkpoint from heartbeat details or a chunk's input; undefined for anything else (an older release's shape). */
export function readNumberingCheckpoint(details: unknown): NumberingCheckpoint | undefined {
  const parsed = numberingCheckpointSchema.safeParse(details);
  return parsed.success ? parsed.data : undefined;
}
