// What a worker hands its workflow in place of a workflow-owned payload (the run's input, a signal's or a query's
// arguments) that it could not decode: a payload encrypted with a key the worker does not hold, altered ciphertext,
// an encoding no converter reads. Left as an error, such a payload fails the workflow task on every attempt and the
// run stays Running for ever; as this marker, the workflow's input validation refuses it and the run fails with the
// reason. The marker says why without showing any of the payload. Workflow-safe: no Node.js imports.

export const UNDECODABLE_PAYLOAD_KEY = 'p2cUndecodablePayload';

export interface UndecodablePayloadMarker {
  [UNDECODABLE_PAYLOAD_KEY]: string;
}

export function undecodablePayloadMarker(reason: string): UndecodablePayloadMarker {
  return { [UNDECODABLE_PAYLOAD_KEY]: reason };
}

/** The reason a value could not be decoded, when it is such a marker. */
export function undecodableReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const reason = (value as Record<string, unknown>)[UNDECODABLE_PAYLOAD_KEY];
  return typeof reason === 'string' && Object.keys(value).length === 1 ? reason : undefined;
}
