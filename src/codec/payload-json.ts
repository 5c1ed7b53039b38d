import type { Payload } from '@temporalio/common';
import { z } from 'zod';

// Protobuf's JSON mapping of `temporal.api.common.v1.Payloads`, as the Web UI and the `temporal` CLI send it to a
// codec endpoint: bytes as base64 (standard or URL-safe alphabet, padding optional).
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, { error: 'must be base64' });

export const payloadsBodySchema = z.object({
  // Protobuf's JSON mapping omits empty repeated fields: the `temporal` CLI sends `{}` for a query without input.
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).nullish(),
        data: base64.nullish(),
      }),
    )
    .default([]),
});

export type PayloadsBody = z.output<typeof payloadsBodySchema>;

export function fromJsonPayloads(body: PayloadsBody): Payload[] {
  return body.payloads.map(({ metadata, data }) => ({
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  }));
}

export function toJsonPayloads(payloads: readonly Payload[]): { payloads: { metadata: Record<string, string>; data: string }[] } {
  return {
    payloads: payloads.map(({ metadata, data }) => ({
      metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
    })),
  };
}
