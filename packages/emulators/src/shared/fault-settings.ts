import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const outageWindowSchema = z
  .object({
    /** Delay from the moment the settings are applied. */
    startInMs: z.number().int().min(0).default(0),
    durationMs: z.number().int().positive().max(24 * 3600_000),
    /**
     * `503`: every request is answered 503 (with `Retry-After`). `refuse`: the listener is closed, so new
     * connections are refused, and requests on connections that were already open are reset.
     */
    mode: z.enum(['503', 'refuse']).default('503'),
  })
  .strict();

/**
 * Faults of one emulator, settable at start (`startEmulators({ faults })`, `p2c emulators --fault-*`) and at run
 * time (`PUT /_admin/faults`). A PUT replaces the whole setting: omitted fields fall back to their defaults.
 */
export const faultSettingsSchema = z
  .object({
    /** Seeds the random draws; the same seed and request order give the same faults. */
    seed: z.number().int().default(1),
    /** Added to every request before it is handled. */
    latencyMs: z.number().min(0).max(600_000).default(0),
    /** Uniform extra latency in [0, jitterMs). */
    jitterMs: z.number().min(0).max(600_000).default(0),
    /**
     * Added to each operation of a `$batch` in turn, while the request holds its concurrency slot: a batch of N
     * operations takes at least N × this, as a real batch's time grows with its size. Only the F&O emulator has
     * batches this applies to; the others ignore it.
     */
    operationLatencyMs: z.number().min(0).max(60_000).default(0),
    /** Uniform extra latency in [0, operationJitterMs) per `$batch` operation. */
    operationJitterMs: z.number().min(0).max(60_000).default(0),
    /** Share of requests answered with `errorStatus` before they are handled (nothing is written). */
    errorRate: rate.default(0),
    errorStatus: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
    /** Share of requests whose connection is destroyed before they are handled (nothing is written). */
    resetRate: rate.default(0),
    /**
     * Share of writes that are committed and then never answered: the client cannot know whether the write
     * happened. `hang` holds the response until the client gives up (or `hangMs` passes, then resets);
     * `reset` destroys the connection right after the commit.
     */
    commitThenTimeoutRate: rate.default(0),
    commitThenTimeoutMode: z.enum(['hang', 'reset']).default('hang'),
    hangMs: z.number().int().positive().max(3600_000).default(120_000),
    /** Methods the random faults (error, reset, commit-then-timeout) apply to; all when omitted. */
    methods: z
      .array(z.string().regex(/^[A-Za-z]+$/).transform((method) => method.toUpperCase()))
      .optional(),
    /** Stop drawing random faults after this many were injected (e.g. 1: exactly one failure). */
    maxFaults: z.number().int().min(0).optional(),
    outages: z.array(outageWindowSchema).max(100).default([]),
  })
  .strict();

export type FaultSettings = z.output<typeof faultSettingsSchema>;
export type FaultSettingsInput = z.input<typeof faultSettingsSchema>;
export type OutageWindow = z.output<typeof outageWindowSchema>;

export const noFaults: FaultSettings = faultSettingsSchema.parse({});
