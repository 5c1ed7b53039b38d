import { describe, expect, it } from 'vitest';
import { matchBatchParts } from '../../../src/connectors/fno-client';
import type { BatchResponsePart } from '../../../src/odata/batch';

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
});
