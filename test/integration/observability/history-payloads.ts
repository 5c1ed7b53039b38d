import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export interface FoundPayload {
  /** Where in the history: `events[3].workflowExecutionCompletedEventAttributes.result.payloads[0]`. */
  path: string;
  payload: Payload;
}

/** Every payload in a history (or any proto message), with its path. */
export function payloadsIn(node: unknown, path = ''): FoundPayload[] {
  if (typeof node !== 'object' || node === null || node instanceof Uint8Array) return [];
  const record = node as Record<string, unknown>;
  if (record.data instanceof Uint8Array && typeof record.metadata === 'object' && record.metadata !== null) {
    return [{ path, payload: record as Payload }];
  }
  const entries = Array.isArray(node) ? node.map((item, index) => [`[${index}]`, item] as const) : Object.entries(record).map(([key, value]) => [`.${key}`, value] as const);
  return entries.flatMap(([step, value]) => payloadsIn(value, `${path}${step}`));
}

/** The history as the server stores and sends it: protobuf bytes. */
export function historyBytes(history: temporal.api.history.v1.IHistory): Buffer {
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
}

/** The text of every payload after decoding (what an operator with the key reads). */
export async function decodedText(history: temporal.api.history.v1.IHistory, codec: PayloadCodec): Promise<string> {
  const decoded = await codec.decode(payloadsIn(history).map((found) => found.payload));
  return decoded.map((payload) => Buffer.from(payload.data ?? []).toString('utf8')).join('\n');
}

export const encodingOf = (payload: Payload) => Buffer.from(payload.metadata?.encoding ?? []).toString('utf8');
