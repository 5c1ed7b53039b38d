import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import { PayloadDecryptionError, shownMetadata } from './encryption-codec';
import { undecodablePayloadMarker } from './undecodable-payload';

const text = (value: string) => Buffer.from(value, 'utf8');
const read = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** The encodings the SDK's default payload converter reads (undefined, raw bytes, JSON). */
const READABLE_ENCODINGS = new Set(['binary/null', 'binary/plain', 'json/plain']);

/**
 * The worker's codec: `inner` (encryption, or nothing when plaintext is allowed), except that a workflow-owned
 * payload it cannot decode becomes an "undecodable" marker (see undecodable-payload.ts) instead of an error. Only
 * workflow-owned payloads (the Temporal SDK says which through the serialization context): an activity's result
 * or heartbeat that cannot be decoded still fails the workflow task, which is retried until the key is configured
 * again — the run must not go on with a result it could not read. Clients and the codec server use `inner` as is.
 */
export class MarkUndecodableWorkflowPayloads implements PayloadCodec {
  constructor(private readonly inner: PayloadCodec | undefined) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return this.inner ? await this.inner.encode(payloads, context) : payloads;
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (context?.type !== 'workflow') return this.inner ? await this.inner.decode(payloads, context) : payloads;
    return await Promise.all(payloads.map((payload) => this.decodeOrMark(payload, context)));
  }

  private async decodeOrMark(payload: Payload, context: SerializationContext): Promise<Payload> {
    let decoded: Payload;
    try {
      [decoded = payload] = this.inner ? await this.inner.decode([payload], context) : [payload];
    } catch (error) {
      // The codec's own refusals say why without any of the payload; anything else is named by class only.
      return markerPayload(error instanceof PayloadDecryptionError ? error.message : `the payload codec failed (${errorName(error)})`);
    }
    const encoding = read(decoded.metadata?.[METADATA_ENCODING_KEY]);
    if (encoding === undefined || !READABLE_ENCODINGS.has(encoding)) {
      return markerPayload(`the payload has encoding "${shownMetadata(encoding ?? '(none)')}", which no converter reads (encrypted with no key configured?)`);
    }
    if (encoding === 'json/plain') {
      try {
        JSON.parse(read(decoded.data) ?? '');
      } catch {
        return markerPayload('the payload is marked json/plain but is not valid JSON');
      }
    }
    return decoded;
  }
}

function markerPayload(reason: string): Payload {
  return { metadata: { [METADATA_ENCODING_KEY]: text('json/plain') }, data: text(JSON.stringify(undecodablePayloadMarker(reason))) };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

