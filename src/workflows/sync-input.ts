import { z } from 'zod';
import { countersSchema, numberingCheckpointSchema, numberingFiguresSchema, planEntrySchema, runHoldsSchema, warningCountsSchema } from '../activities/contracts';
import { dataAreaIdSchema } from '../domain/data-area-id';
import { recordFailureSchema, recordWarningSchema } from '../domain/record-failure';
import { legacyWatermarkTextSchema, watermarkTextSchema } from './watermark-text';

// The one JSON object a run is started with (Temporal CLI `--input`, the Web UI's start form, `p2c sync start`,
// schedules). Validated inside the workflow, so every way of starting a run gets the same checks. Unknown keys are
// refused: a typo such as `pagesize` must not silently fall back to a default.

const between = (min: number, max: number) => `must be between ${min} and ${max}`;
const boundedInt = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number between ${min} and ${max}` })
    .int({ error: `must be a whole number between ${min} and ${max}` })
    .min(min, { error: between(min, max) })
    .max(max, { error: between(min, max) });


const sequenceSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * A full run syncing beside the upgrade script (numbering-band.ts), as a continuation picks it up: where numbering
 * stands, which numbers it has written, which of those have their units started, and which pass is planned.
 */
export const overlapStateSchema = z.object({
  /** The first sequence this numbering hands out: the band starts here. */
  firstSequence: sequenceSchema,
  /** Row version before numbering's first write: every number in the band was written after it. */
  startVersion: z.string().regex(/^\d{1,19}$/),
  /** Where the next chunk of the upgrade script continues; absent once numbering is done. */
  numbering: numberingCheckpointSchema.optional(),
  /** Active accounts without a number when numbering started (progress). */
  toNumber: z.number().int().nonnegative(),
  /** Every number below this sequence is written (the last chunk's `nextSequence`). */
  numberedTo: sequenceSchema,
  /** Units of the numbers below this sequence have started (sequence units start in order). */
  joinedTo: sequenceSchema,
  /** The pass the planner is on: the accounts that had a number, then the rest of the band (read once numbering is done). */
  pass: z.enum(['numbered', 'rest']),
});

export type OverlapState = z.output<typeof overlapStateSchema>;

/**
 * What a run hands to its continuation (continue-as-new): cursor, counters and a bounded sample of failures — never
 * records. Internal state: the workflow accepts one only in a run its own continue-as-new started (see
 * `parseInput`), and validates it like any other input.
 */
const checkpointSchemaWith = (watermarkText: typeof watermarkTextSchema) => z.object({
  mode: z.enum(['full', 'incremental']),
  fallbackReason: z.string().optional(),
  since: watermarkText.optional(),
  nextWatermark: watermarkText,
  cursor: z.string().nullable(),
  unitsDone: z.number().int().nonnegative(),
  totals: countersSchema,
  companies: z.record(z.string(), countersSchema),
  numbering: numberingFiguresSchema,
  failures: z.array(recordFailureSchema),
  failuresTotal: z.number().int().nonnegative(),
  /** Warnings of the run so far: counted per code, a bounded sample listed. Absent in checkpoints of earlier releases. */
  warnings: z
    .object({ byCode: warningCountsSchema, sample: z.array(recordWarningSchema) })
    .optional(),
  plan: z.array(planEntrySchema).optional(),
  planTotals: z.object({ wouldCreate: z.number().int(), wouldUpdate: z.number().int() }).optional(),
  configVersion: z.string(),
  startedAt: z.string(),
  firstRunId: z.string(),
  previousRunIds: z.array(z.string()),
  numberingSeconds: z.number().nonnegative(),
  /** Customers blocked and unblocked by the first execution (`deactivation: block`); absent otherwise. */
  holds: runHoldsSchema.optional(),
  /** A full run continued while syncing beside the upgrade script; absent otherwise (and in earlier checkpoints). */
  overlap: overlapStateSchema.optional(),
});

export const checkpointSchema = checkpointSchemaWith(watermarkTextSchema);

const syncInputFields = z.strictObject({
  /** Names the pipeline; one run per pipeline at a time. */
  pipeline: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be 1-63 lower-case letters, digits or dashes' })
    .default('default'),
  /** Shorthand for `companies: [company]`. */
  company: dataAreaIdSchema.optional(),
  /** Companies to sync; all configured companies when omitted. */
  companies: z.array(dataAreaIdSchema).min(1, { error: 'must name at least one company' }).optional(),
  /** `auto` is incremental when a watermark is known (previous scheduled run or `since`), full otherwise. */
  mode: z.enum(['auto', 'full', 'incremental']).default('auto'),
  /** Start of an incremental run: an ISO-8601 time, or a watermark (`version:<n>`) from an earlier result. */
  since: watermarkTextSchema.optional(),
  /**
   * Sync only these accounts (Dataverse accountid), e.g. the failed ones of an earlier run once their data was fixed
   * (`p2c sync retry-failed`). Mode and since do not apply, and the run moves no watermark: it did not look at the
   * other accounts.
   */
  accountIds: z
    .array(z.guid({ error: 'must be a Dataverse accountid (GUID)' }))
    .min(1, { error: 'must name at least one account' })
    .max(5000, { error: 'must name at most 5000 accounts (sync more with a full run)' })
    .optional(),
  /** Compute the plan (would create / update / fail) and write nothing. */
  dryRun: z.boolean().default(false),
  /** Dataverse page size when scanning accounts. */
  pageSize: boundedInt(1, 5000).default(5000),
  /**
   * Accounts in one work unit, the accounts one `syncWorkUnit` activity reads and reconciles (default 1,000). At most
   * 2,000: the activity's result carries every failure of its unit (what `p2c sync failures` exports), and a unit of
   * 5,000 invalid records could pass the 2 MB payload limit. Not the F&O `$batch` size (`limits.fnoWriteBatchSize` in
   * the configuration): a unit's writes go out in several `$batch` requests.
   */
  unitSize: boundedInt(1, 2000).optional(),
  /** Old name of `unitSize`, still accepted (release 0.1 and 0.2 inputs, schedules); giving both with different values is refused. */
  batchSize: boundedInt(1, 2000).optional(),
  /** Work units (`syncWorkUnit` activities) in flight at once: the sliding window (default 4). */
  maxConcurrentUnits: boundedInt(1, 64).optional(),
  /** Old name of `maxConcurrentUnits`, still accepted; giving both with different values is refused. */
  maxConcurrentBatches: boundedInt(1, 64).optional(),
  /**
   * Most accounts an incremental run takes from a change-tracking delta (changed + deactivated); a larger delta runs
   * as a full sync (and says so): the keys travel through workflow history, and past this size reading every account
   * in ranges costs about as much.
   */
  maxDeltaKeys: boundedInt(1, 10_000).default(5000),
  /** Duplicated Account Numbers: report them (default), or renumber all but the oldest account. */
  duplicatePolicy: z.enum(['report', 'renumber']).default('report'),
  /** Continue-as-new once this run's history has this many events (Temporal also suggests it at ~4k). */
  continueAsNewAfterEvents: boundedInt(100, 40_000).default(4_000),
  /**
   * How long a silent activity is trusted before Temporal hands its work to another worker. A crashed worker's
   * work units resume after this long; activities report progress well within it.
   */
  heartbeatTimeoutSeconds: boundedInt(5, 600).default(60),
  /** The upgrade script reports its progress after chunks of about this long (each chunk: one activity). */
  numberingChunkSeconds: boundedInt(1, 600).default(10),
  /**
   * Sync the accounts that already have a number while the upgrade script numbers the rest, each chunk's numbers
   * joining as soon as it returns (a full run that writes, with duplicatePolicy `report`; numbering-band.ts). On by
   * default; off: the run numbers every account first, then syncs.
   */
  numberingOverlap: z.boolean().default(true),
  /**
   * How long an activity may keep failing (a service unreachable, refusing, timing out) before the run gives up and
   * fails with the last cause, instead of retrying for ever. Bounds each check before writing (preflight, watermark,
   * planning) to this long, and each numbering or sync unit to its own time limit plus this long.
   */
  unreachableTimeoutSeconds: boundedInt(5, 7 * 24 * 3600).default(900),
  /**
   * Failures listed in the result, and never more than fit in about 256 KB (the result is one payload, and one
   * over Temporal's limit could never be stored); the full list is available through the `failures` query.
   */
  maxFailuresInResult: boundedInt(0, 10_000).default(100),
  /** Internal: set by the workflow itself when it continues as new. */
  checkpoint: checkpointSchema.optional(),
});

type SyncInputFields = z.output<typeof syncInputFields>;

const UNIT_DEFAULTS = { unitSize: 1000, maxConcurrentUnits: 4 } as const;
/** Old input names that are still accepted, each with the name it stands for. */
const ALIASES = [
  ['batchSize', 'unitSize'],
  ['maxConcurrentBatches', 'maxConcurrentUnits'],
] as const;

/**
 * The rules between fields, and the one shape the workflow works with. `company` is shorthand for
 * `companies: [company]`; giving both is refused. The old names `batchSize` and `maxConcurrentBatches` stand for
 * `unitSize` and `maxConcurrentUnits`; both names with different values are refused. After parsing only `companies`,
 * `unitSize` and `maxConcurrentUnits` are left, so nothing downstream repeats these rules. Histories recorded with the
 * old names replay: the normalised values are the same, and so are the commands.
 */
const normalised = <T extends z.ZodType<SyncInputFields>>(fields: T) =>
  fields
    .superRefine((input, context) => {
      if (input.company !== undefined && input.companies !== undefined) {
        context.addIssue({ code: 'custom', path: ['company'], message: 'give either company or companies, not both' });
      }
      for (const [old, current] of ALIASES) {
        const oldValue = input[old];
        const value = input[current];
        if (oldValue !== undefined && value !== undefined && oldValue !== value) {
          context.addIssue({
            code: 'custom',
            path: [old],
            message: `is the old name of ${current}, given as well with another value (${oldValue} and ${value}): give ${current} only`,
          });
        }
      }
    })
    .transform(({ company, batchSize, maxConcurrentBatches, ...rest }) => ({
      ...rest,
      ...(rest.companies === undefined && company !== undefined ? { companies: [company] } : {}),
      unitSize: rest.unitSize ?? batchSize ?? UNIT_DEFAULTS.unitSize,
      maxConcurrentUnits: rest.maxConcurrentUnits ?? maxConcurrentBatches ?? UNIT_DEFAULTS.maxConcurrentUnits,
    }));

export const syncInputSchema = normalised(syncInputFields);

/** The lenient checks of earlier releases, so that the histories they recorded replay unchanged (see `parseInput`). */
export const legacySyncInputSchema = normalised(
  syncInputFields.extend({
    since: legacyWatermarkTextSchema.optional(),
    checkpoint: checkpointSchemaWith(legacyWatermarkTextSchema).optional(),
  }),
);

export type SyncInput = z.input<typeof syncInputSchema>;
export type SyncOptions = z.output<typeof syncInputSchema>;
export type Checkpoint = z.output<typeof checkpointSchema>;
