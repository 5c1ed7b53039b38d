import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeyring } from './payload-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
/** Present (value `deflate`) when the serialized payload was compressed before it was sealed; authenticated. */
export const COMPRESSION_METADATA = 'encryption-compression';
const CIPHER = 'AES256GCM';
const COMPRESSION = 'deflate';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * Serialized payloads from this size on are compressed. Below it deflate rarely wins a byte, and the small payloads
 * (ids, cursors, counters) are most of the count.
 */
export const COMPRESS_FROM_BYTES = 1024;
/**
 * The most a compressed payload may inflate to: 16 times Temporal's default 2 MB payload limit. Sealed payloads are
 * authenticated, so only a holder of the key could make one inflate further; refused all the same.
 */
export const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

/**
 * Payloads up to this size are (de)compressed on the event loop, larger ones in libuv's thread pool. The worker's
 * event loop runs every activity and also carries each workflow task and each activity's result and heartbeats
 * between the SDK's core and the workflow thread: a trip through the pool is one more turn of that loop, ~10-15 ms of
 * waiting at 100,000 accounts (workflow tasks took 53 ms on average instead of 65), while deflating a unit's result
 * or a heartbeat of a few KB takes well under a millisecond. Large payloads (a dry run's plan: megabytes) still go
 * to the pool, so the loop is not held.
 */
export const ZLIB_ON_LOOP_UP_TO_BYTES = 256 * 1024;
const deflating = promisify(deflateRaw);
const inflating = promisify(inflateRaw);

const text = (value: string) => Buffer.from(value, 'utf8');
const read = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * A value taken from a payload's metadata, as shown in an error: printable ASCII only and at most 40 characters,
 * so a hostile payload cannot put control characters or pages of text into a failure message.
 */
export function shownMetadata(value: string): string {
  const cleaned = value.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > 40 ? `${cleaned.slice(0, 40)}…` : cleaned;
}

/** Raised when a payload cannot be decrypted; says why without showing any of it. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * AES-256-GCM over the whole serialized payload (its metadata too, so not even the encoding or the type of a value
 * shows in history). Each payload gets a fresh 96-bit IV; the key id and the cipher name are authenticated as
 * additional data, so swapping them is detected like any other change. Payloads that are not encrypted pass
 * through `decode` untouched: history written before encryption was switched on, and server-side values such as
 * the memo the workflow upserts, stay readable.
 *
 * Large payloads are deflated before they are sealed (ciphertext does not compress afterwards). A unit's result
 * lists its failed records with their values and reasons, the same texts over and over: deflated, a 100,000-account
 * run's history is ~6 times smaller, so it reaches Temporal's suggested history size (and continues as new) that
 * much later, and the server stores that much less (BENCHMARKS.md, section 1). The compression mark is authenticated
 * too. Payloads sealed before compression existed carry no mark and decode as before; a worker of an earlier release
 * cannot read the compressed ones (it refuses them as failing authentication), so roll workers forward, not back,
 * while runs are open. Lengths show in history either way; payloads hold account data, never secrets, so what a
 * compressed length could reveal about a value is no more than its record's own fields.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current;
    return await Promise.all(payloads.map(async (payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const serialized = temporal.api.common.v1.Payload.encode(payload).finish();
      const deflated = serialized.length < COMPRESS_FROM_BYTES ? undefined : await deflate(serialized);
      const compressed = deflated !== undefined && deflated.length < serialized.length;
      const plain = compressed ? deflated : serialized;
      cipher.setAAD(additionalData(id, compressed ? COMPRESSION : undefined));
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: text(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: text(id),
          [CIPHER_METADATA]: text(CIPHER),
          ...(compressed ? { [COMPRESSION_METADATA]: text(COMPRESSION) } : {}),
        },
        data: sealed,
      };
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return await Promise.all(payloads.map(async (payload) => {
      if (read(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const cipherName = read(payload.metadata?.[CIPHER_METADATA]);
      if (cipherName !== CIPHER) throw new PayloadDecryptionError(`encrypted payload uses cipher "${shownMetadata(cipherName ?? '(none)')}", expected ${CIPHER}`);
      const keyId = read(payload.metadata?.[KEY_ID_METADATA]);
      if (!keyId) throw new PayloadDecryptionError('encrypted payload carries no key id');
      const entry = this.keyring.byId.get(keyId);
      if (!entry) {
        throw new PayloadDecryptionError(
          `payload was encrypted with key "${shownMetadata(keyId)}", which is not configured (configured: ${[...this.keyring.byId.keys()].join(', ')})`,
        );
      }
      const compression = read(payload.metadata?.[COMPRESSION_METADATA]);
      if (compression !== undefined && compression !== COMPRESSION) {
        throw new PayloadDecryptionError(`encrypted payload (key "${shownMetadata(keyId)}") is compressed with "${shownMetadata(compression)}", expected ${COMPRESSION}`);
      }
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key "${shownMetadata(keyId)}") is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', entry.key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(keyId, compression));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(`encrypted payload failed authentication with key "${shownMetadata(keyId)}": altered, or a different key under that id`);
      }
      return temporal.api.common.v1.Payload.decode(compression === undefined ? plain : await inflate(plain, keyId));
    }));
  }
}

/** Payloads sealed before compression existed were authenticated with `cipher|key id`; compressed ones add the mark. */
function additionalData(keyId: string, compression: string | undefined): Buffer {
  return text(compression === undefined ? `${CIPHER}|${keyId}` : `${CIPHER}|${keyId}|${compression}`);
}

async function deflate(serialized: Uint8Array): Promise<Buffer> {
  const options = { level: 1 };
  return serialized.length <= ZLIB_ON_LOOP_UP_TO_BYTES ? deflateRawSync(serialized, options) : await deflating(serialized, options);
}

/** On the loop when the compressed form is small (an eighth of the bound: deflate shrinks these payloads ~6 times). */
async function inflate(deflated: Buffer, keyId: string): Promise<Buffer> {
  try {
    const options = { maxOutputLength: MAX_INFLATED_BYTES };
    return deflated.length <= ZLIB_ON_LOOP_UP_TO_BYTES / 8 ? inflateRawSync(deflated, options) : await inflating(deflated, options);
  } catch (error) {
    // zlib's Z_BUF_ERROR is a truncated stream ("unexpected end of file"), not the output bound.
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new PayloadDecryptionError(
      tooLarge
        ? `compressed payload (key "${shownMetadata(keyId)}") inflates beyond ${MAX_INFLATED_BYTES} bytes`
        : `compressed payload (key "${shownMetadata(keyId)}") is not valid deflate data`,
    );
  }
}
