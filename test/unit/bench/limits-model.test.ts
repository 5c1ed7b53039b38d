import { describe, expect, it } from 'vitest';
import {
  type DataverseLimitsModel,
  executionBoundSeconds,
  executionRateSeconds,
  numberingBound,
  type RequestMix,
  scaleDataverseTime,
  type ServiceLimitsModel,
  theoreticalMinimum,
  windowBoundSeconds,
} from '../../../scripts/bench/limits-model';

/** Microsoft's documented defaults: 6,000 requests and 1,200 s of execution per 300 s, 52 in flight. */
const documented: DataverseLimitsModel = {
  windowMs: 300_000,
  maxRequests: 6000,
  maxExecutionMs: 1_200_000,
  maxConcurrent: 52,
  meanRequestLatencyMs: 0,
  serverTime: { readMs: 0, writeMs: 30, jitterMs: 0 },
};

const noFno = { maxConcurrent: 16, meanRequestLatencyMs: 0, serverTime: { readMs: 0, writeMs: 0, jitterMs: 0 }, requestBudget: 1_000_000, budgetWindowMs: 300_000 };
const noFnoMix = { requests: 0, batchRequests: 0, batchOperations: 0, readOperations: 0, writeOperations: 0 };

describe('limits model: the fastest a run can be under the documented limits', () => {
  it('a sliding window: U units at M per W take more than W x (ceil(U/M) - 1)', () => {
    expect(windowBoundSeconds(6000, 6000, 300_000)).toBe(0);
    expect(windowBoundSeconds(6001, 6000, 300_000)).toBe(300);
    // 13,000 requests: 3 windows' worth, so at least 2 full windows pass first.
    expect(windowBoundSeconds(13_000, 6000, 300_000)).toBe(600);
  });

  it('execution time: full windows, then the rest at full concurrency', () => {
    // 5,700 s of execution at 1,200 s per 300 s: 5 windows' worth; 4 full windows (1,200 s), then 900 s at 52 in flight.
    expect(executionBoundSeconds(5_700_000, 1_200_000, 300_000, 52)).toBeCloseTo(1200 + 900 / 52, 9);
    expect(executionBoundSeconds(5_700_000, 1_200_000, 300_000, 52)).toBeCloseTo(1217.3077, 4);
    // Within one window only concurrency binds: 247 s / 52.
    expect(executionBoundSeconds(247_000, 1_200_000, 300_000, 52)).toBeCloseTo(4.75, 9);
    // Exactly two windows' worth: one full window, then 1,200 s at 52 in flight.
    expect(executionBoundSeconds(2_400_000, 1_200_000, 300_000, 52)).toBeCloseTo(300 + 1200 / 52, 9);
    expect(executionBoundSeconds(0, 1_200_000, 300_000, 52)).toBe(0);
  });

  it('the execution-time limit as a rate: 5,700 s of execution at 1,200 s per 300 s is 1,425 s', () => {
    expect(executionRateSeconds(5_700_000, 1_200_000, 300_000)).toBe(1425);
    expect(executionRateSeconds(228_000, 48_000, 12_000)).toBe(57);
  });

  it('numbering 190,000 accounts at 30 ms per update under one application user: execution time binds at 1,217.3 s', () => {
    const bound = numberingBound(190_000, 200, documented);
    expect(bound.binding).toBe('Dataverse execution time per window');
    expect(bound.seconds).toBeCloseTo(1217.3077, 4);
    const byLimit = Object.fromEntries(bound.bounds.map((b) => [b.limit, b.seconds]));
    // 950 requests of 200 updates each fit in one window's 6,000.
    expect(byLimit['Dataverse requests per window']).toBe(0);
    // 5,700 s in flight over 52 slots.
    expect(byLimit['Dataverse concurrent requests']).toBeCloseTo(109.6154, 4);
    // Sent one by one they would be 190,000 requests: 31.7 windows' worth, so 31 full windows = 9,300 s.
    expect(numberingBound(190_000, 1, documented).seconds).toBe(9300);
    expect(numberingBound(190_000, 1, documented).binding).toBe('Dataverse requests per window');
  });

  it('a $batch or bulk message counts once for requests; every operation and every request latency counts for execution', () => {
    const model: ServiceLimitsModel = {
      dataverse: { ...documented, windowMs: 12_000, maxRequests: 240, maxExecutionMs: 48_000, meanRequestLatencyMs: 50, serverTime: { readMs: 35, writeMs: 25, jitterMs: 10 } },
      fno: noFno,
    };
    // 300 requests x 50 ms + 100 reads x 40 ms + 7,600 writes x 30 ms = 15 + 4 + 228 = 247 s of execution:
    // ceil(247 / 48) = 6 windows' worth, 5 full windows of 12 s, then 7 s at 52 in flight.
    const mix: RequestMix = { dataverse: { requests: 300, readOperations: 100, writeOperations: 7600 }, fno: noFnoMix };
    const result = theoreticalMinimum(mix, model);
    expect(result.binding).toBe('Dataverse execution time per window');
    expect(result.seconds).toBeCloseTo(60 + 7 / 52, 9);
    const byLimit = Object.fromEntries(result.bounds.map((b) => [b.limit, b.seconds]));
    // 300 requests at 240 per 12 s: one full window first.
    expect(byLimit['Dataverse requests per window']).toBe(12);
    expect(byLimit['Dataverse concurrent requests']).toBeCloseTo(4.75, 9);
  });

  it('F&O: the ceiling over every request latency and operation server time; the budget per operation of a $batch', () => {
    const model: ServiceLimitsModel = {
      dataverse: documented,
      fno: { maxConcurrent: 16, meanRequestLatencyMs: 25, serverTime: { readMs: 0, writeMs: 150, jitterMs: 50 }, requestBudget: 10_000, budgetWindowMs: 300_000 },
    };
    // 1,160 requests x 25 ms + 40 reads x 25 ms + 17,226 writes x 175 ms = 29 + 1 + 3,014.55 = 3,044.55 s over 16 slots.
    const mix: RequestMix = {
      dataverse: { requests: 0, readOperations: 0, writeOperations: 0 },
      fno: { requests: 1160, batchRequests: 1120, batchOperations: 17_226, readOperations: 40, writeOperations: 17_226 },
    };
    const result = theoreticalMinimum(mix, model);
    const byLimit = Object.fromEntries(result.bounds.map((b) => [b.limit, b.seconds]));
    expect(byLimit['F&O concurrency ceiling']).toBeCloseTo(190.284375, 9);
    // Budget: 40 plain requests + 17,226 operations = 17,266 units at 10,000 per 300 s: one full window, which binds.
    expect(byLimit['F&O request budget']).toBe(300);
    expect(result.binding).toBe('F&O request budget');
    expect(result.seconds).toBe(300);
  });

  it('scaling time by 10 divides every duration and keeps every count: the bounds are the real ones divided by 10', () => {
    const scaled = scaleDataverseTime(documented, 10);
    expect(scaled).toEqual({
      windowMs: 30_000,
      maxRequests: 6000,
      maxExecutionMs: 120_000,
      maxConcurrent: 52,
      meanRequestLatencyMs: 0,
      serverTime: { readMs: 0, writeMs: 3, jitterMs: 0 },
    });
    expect(numberingBound(190_000, 200, scaled).seconds).toBeCloseTo(121.73077, 5);
  });
});
