import { describe, expect, it } from 'vitest';
import { firstUnrunAfterStop, matchBatchParts } from '../../../src/connectors/fno-client';
import type { BatchResponsePart } from '@p2c-sync/odata-wire';

const part = (status: number, contentId?: string): BatchResponsePart => ({ status, headers: {}, body: '', ...(contentId !== undefined ? { contentId } : {}) });

describe('matchBatchParts', () => {
  it('matches by Content-ID whatever the order', () => {
    const matched = matchBatchParts([part(204, '2'), part(201, '1'), part(500, '3')], 3);
    expect(matched.map((p) => p?.status)).toEqual([201, 204, 500]);
  });

  it('gives answers without Content-ID to the remaining operations in order when counts agree', () => {
    const matched = matchBatchParts([part(201, '1'), part(500), part(204, '3')], 3);
    expect(matched.map((p) => p?.status)).toEqual([201, 500, 204]);
    expect(matchBatchParts([part(201), part(204)], 2).map((p) => p?.status)).toEqual([201, 204]);
  });

  it('leaves operations without an answer when the answer is short', () => {
    const matched = matchBatchParts([part(201), part(204)], 3);
    expect(matched).toEqual([undefined, undefined, undefined]);
    const partly = matchBatchParts([part(201, '1'), part(204, '3')], 3);
    expect(partly.map((p) => p?.status)).toEqual([201, undefined, 204]);
  });

  it('reads a short answer that ends with a failure by position: a batch that stopped at a failed change set', () => {
    // Without Content-IDs, and with Content-IDs naming their own positions.
    expect(matchBatchParts([part(201), part(500)], 4).map((p) => p?.status)).toEqual([201, 500, undefined, undefined]);
    expect(matchBatchParts([part(201, '1'), part(500)], 3).map((p) => p?.status)).toEqual([201, 500, undefined]);
    // Out of order is not a stopped batch: by Content-ID only.
    expect(matchBatchParts([part(201, '2'), part(500)], 3).map((p) => p?.status)).toEqual([undefined, 201, undefined]);
  });
});

describe('firstUnrunAfterStop', () => {
  it('is the first operation after the failed part that ended a short answer', () => {
    expect(firstUnrunAfterStop([part(201), part(500), undefined, undefined])).toBe(2);
    expect(firstUnrunAfterStop([part(404), undefined])).toBe(1);
  });

  it('is undefined when every operation was answered, the answer ends with a success, or has gaps', () => {
    expect(firstUnrunAfterStop([part(201), part(500)])).toBeUndefined();
    expect(firstUnrunAfterStop([part(201), part(204), undefined])).toBeUndefined();
    expect(firstUnrunAfterStop([part(201), undefined, part(500), undefined])).toBeUndefined();
    expect(firstUnrunAfterStop([undefined, undefined])).toBeUndefined();
  });
});
