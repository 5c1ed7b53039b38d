import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeyring } from './payload-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

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
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: text(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: text(id),
          [CIPHER_METADATA]: text(CIPHER),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
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
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key "${shownMetadata(keyId)}") is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', entry.key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(keyId));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(`encrypted payload failed authentication with key "${shownMetadata(keyId)}": altered, or a different key under that id`);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

function additionalData(keyId: string): Buffer {
  return text(`${CIPHER}|${keyId}`);
}
