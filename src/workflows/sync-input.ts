import { z } from 'zod';
import { countersSchema, numberingFiguresSchema, planEntrySchema } from '../activities/contracts';
import { dataAreaIdSchema } from '../domain/data-area-id';
import { recordFailureSchema } from '../domain/record-failure';
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
  plan: z.array(planEntrySchema).optional(),
  planTotals: z.object({ wouldCreate: z.number().int(), wouldUpdate: z.number().int() }).optional(),
  configVersion: z.string(),
  startedAt: z.string(),
  firstRunId: z.string(),
  previousRunIds: z.array(z.string()),
  numberingSeconds: z.number().nonnegative(),
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
   * Accounts handed to one upsert activity. At most 2,000: the activity's result carries every failure of its unit
   * (what `p2c sync failures` exports), and a unit of 5,000 invalid records could pass the 2 MB payload limit.
   */
  batchSize: boundedInt(1, 2000).default(1000),
  /** Upsert activities in flight at once (the sliding window). */
  maxConcurrentBatches: boundedInt(1, 64).default(4),
  /** Duplicated Account Numbers: report them (default), or renumber all but the oldest account. */
  duplicatePolicy: z.enum(['report', 'renumber']).default('report'),
  /** Continue-as-new once this run's history has this many events (Temporal also suggests it at ~4k). */
  continueAsNewAfterEvents: boundedInt(100, 40_000).default(4_000),
  /**
   * How long a silent activity is trusted before Temporal hands its work to another worker. A crashed worker's
   * batches resume after this long; activities report progress well within it.
   */
  heartbeatTimeoutSeconds: boundedInt(5, 600).default(60),
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

/**
 * `company` is shorthand for `companies: [company]`; giving both is refused. After parsing, only `companies` is left
 * (absent: all configured companies), so nothing downstream repeats this rule.
 */
const withCompanyRule = <T extends z.ZodType<SyncInputFields>>(fields: T) =>
  fields
    .refine((input) => !(input.company !== undefined && input.companies !== undefined), {
      error: 'give either company or companies, not both',
      path: ['company'],
    })
    .transform(({ company, ...rest }) => ({
      ...rest,
      ...(rest.companies === undefined && company !== undefined ? { companies: [company] } : {}),
    }));

export const syncInputSchema = withCompanyRule(syncInputFields);

/** The lenient checks of earlier releases, so that the histories they recorded replay unchanged (see `parseInput`). */
export const legacySyncInputSchema = withCompanyRule(
  syncInputFields.extend({
    since: legacyWatermarkTextSchema.optional(),
    checkpoint: checkpointSchemaWith(legacyWatermarkTextSchema).optional(),
  }),
);

export type SyncInput = z.input<typeof syncInputSchema>;
export type SyncOptions = z.output<typeof syncInputSchema>;
export type Checkpoint = z.output<typeof checkpointSchema>;
