import { z } from 'zod';
import { recordFailureSchema } from '../domain/record-failure';
import { countersSchema, warningCountsSchema } from '../activities/contracts';
import { dataAreaIdSchema } from '../domain/data-area-id';

// The one JSON object a live workflow is started with (`p2c live start`, the Temporal CLI's `--input`, the Web UI's
// start form). Validated inside the workflow like the sync's input: unknown keys are refused, every bound is named.

const between = (min: number, max: number) => `must be between ${min} and ${max}`;
const boundedInt = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number between ${min} and ${max}` })
    .int({ error: `must be a whole number between ${min} and ${max}` })
    .min(min, { error: between(min, max) })
    .max(max, { error: between(min, max) });
const count = z.number().int().nonnegative();

const pollChangesSchema = z.object({ changed: count, deactivated: count, deleted: count, unnumbered: count });

/** A full pass in progress: the feed's link taken before it, how far it got, and whether numbering ran. */
const catchUpSchema = z.object({
  link: z.string().min(1).optional(),
  cursor: z.string().nullable(),
  numbered: z.boolean(),
  startedAt: z.string(),
});

/** What a live run hands to its continuation: where the change feed stands, counters, a bounded failure sample. */
export const liveCheckpointSchema = z.object({
  /**
   * The change-tracking link every change before which is in F&O: a delta link, or a next link in the middle of a
   * read. Absent before the first read (the first read returns every account).
   */
  link: z.string().min(1).optional(),
  /** Where the Account Number sequence stood after the last numbering: the next one numbers only new accounts. */
  sequence: z.object({ nextSequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), version: z.string().regex(/^\d{1,19}$/) }).optional(),
  initialReadDone: z.boolean(),
  catchUp: catchUpSchema.optional(),
  catchUpReason: z.string().optional(),
  totals: countersSchema,
  companies: z.record(z.string(), countersSchema),
  blocked: count,
  unblocked: count,
  accountNumbersAssigned: count,
  changesSeen: count,
  polls: count,
  deltaRestarts: count,
  failures: z.array(recordFailureSchema),
  failuresTotal: count,
  /** Warnings per code (values written changed, e.g. TRUNCATED); absent before warnings were counted. */
  warnings: warningCountsSchema.optional(),
  lastPollAt: z.string().optional(),
  lastChangeAt: z.string().optional(),
  lastPollChanges: pollChangesSchema.optional(),
  lastChanges: pollChangesSchema.optional(),
  syncedUpTo: z.string().optional(),
  paused: z.boolean(),
  failingSince: z.string().optional(),
  consecutiveFailures: count,
  lastError: z.object({ type: z.string(), message: z.string() }).optional(),
  startedAt: z.string(),
  firstRunId: z.string(),
  /** The run that wrote this checkpoint: a continuation accepts only its own predecessor's. */
  lastRunId: z.string(),
  continuedAsNew: count,
});

export const liveInputSchema = z.strictObject({
  /** Names the pipeline: the live workflow holds its lock, so no full run of it writes beside it. */
  pipeline: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be 1-63 lower-case letters, digits or dashes' })
    .default('default'),
  company: dataAreaIdSchema.optional(),
  companies: z.array(dataAreaIdSchema).min(1, { error: 'must name at least one company' }).optional(),
  /**
   * Seconds from the start of one poll of the change feed to the next. Each poll is one Dataverse request when
   * nothing changed: 10 s is 6 requests a minute. At least 1 s (Dataverse's service protection counts every
   * request), at most an hour (a slower pipeline is a schedule).
   */
  pollSeconds: boundedInt(1, 3600).default(10),
  /** Changed accounts per syncWorkUnit activity (a key list). */
  unitSize: boundedInt(1, 2000).default(1000),
  /** syncWorkUnit activities in flight at once. */
  maxConcurrentUnits: boundedInt(1, 64).default(4),
  /** Changes per page of the change feed (`Prefer: odata.maxpagesize`). */
  pageSize: boundedInt(1, 5000).default(5000),
  /** See the sync's input: how long a silent activity is trusted before its work moves to another worker. */
  heartbeatTimeoutSeconds: boundedInt(5, 600).default(60),
  /** Continue-as-new once this run's history has this many events (Temporal also suggests it at ~4k). */
  continueAsNewAfterEvents: boundedInt(100, 40_000).default(4_000),
  /** Longest wait between two attempts while polling keeps failing (the wait doubles from pollSeconds up to this). */
  maxBackoffSeconds: boundedInt(1, 3600).default(300),
  /**
   * Fail the workflow once polling has failed without a break for this long (0: never). Until then it stays up,
   * labelled `P2cOutcome = degraded`, and catches up by itself when the service is back.
   */
  giveUpAfterSeconds: boundedInt(0, 30 * 24 * 3600).default(24 * 3600),
  /** Failures kept for the `failures` query and carried across continue-as-new (the newest ones). */
  maxFailuresKept: boundedInt(0, 1000).default(100),
  /** Internal: set by the workflow itself when it continues as new. */
  checkpoint: liveCheckpointSchema.optional(),
});

export type LiveInput = z.input<typeof liveInputSchema>;
export type LiveOptions = z.output<typeof liveInputSchema>;
export type LiveCheckpoint = z.output<typeof liveCheckpointSchema>;
export type CatchUpPosition = z.output<typeof catchUpSchema>;
