import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { CIPHER_METADATA, EncryptionCodec, KEY_ID_METADATA, PayloadDecryptionError } from '../../../src/codec/encryption-codec';
import { generatePayloadKey, loadPayloadProtection, type PayloadKeyring } from '../../../src/codec/payload-keys';

function keyring(...entries: string[]): PayloadKeyring {
  const protection = loadPayloadProtection({ P2C_PAYLOAD_KEYS: entries.join(',') });
  if (protection.kind !== 'encrypted') throw new Error('expected keys');
  return protection.keyring;
}

const account = { name: "O'Brien & Sons", emailaddress1: 'jane.doe@example.com', telephone1: '+49 30 1234567' };
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const metadata = (payload: Payload, key: string) => Buffer.from(payload.metadata?.[key] ?? []).toString('utf8');

describe('EncryptionCodec', () => {
  const k1 = generatePayloadKey('k1');
  const k0 = generatePayloadKey('k0');

  it('round-trips values, including empty and binary payloads, and hides them', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const values = [account, 'plain text', 42, null, [], { nested: { list: [1, 'ü', '日本'] } }];
    const plain = [...values.map(toPayload), { metadata: {}, data: new Uint8Array() }, { metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.from([0, 1, 2, 255]) }];
    const encoded = await codec.encode(plain);
    expect(encoded).toHaveLength(plain.length);
    for (const payload of encoded) {
      expect(metadata(payload, METADATA_ENCODING_KEY)).toBe('binary/encrypted');
      expect(metadata(payload, KEY_ID_METADATA)).toBe('k1');
      expect(metadata(payload, CIPHER_METADATA)).toBe('AES256GCM');
      const bytes = Buffer.from(payload.data ?? []).toString('latin1');
      for (const secret of ['jane.doe', 'Brien', '1234567', 'json/plain', 'plain text']) expect(bytes).not.toContain(secret);
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.slice(0, values.length).map(fromPayload)).toEqual(values);
    expect(Buffer.from(decoded[values.length + 1]?.data ?? []).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
    expect(metadata(decoded[values.length + 1] as Payload, 'encoding')).toBe('binary/plain');
  });

  it('uses a fresh IV for every payload: equal values never look equal in history', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const [a, b] = await codec.encode([toPayload(account), toPayload(account)]);
    expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
  });

  it('decodes payloads written with a retired key after rotation, and encrypts with the new current key', async () => {
    const before = new EncryptionCodec(keyring(k0));
    const written = await before.encode([toPayload(account)]);
    const after = new EncryptionCodec(keyring(k1, k0));
    expect(after.currentKeyId).toBe('k1');
    expect((await after.decode(written)).map(fromPayload)).toEqual([account]);
    const fresh = await after.encode([toPayload(account)]);
    expect(metadata(fresh[0] as Payload, KEY_ID_METADATA)).toBe('k1');
    // A worker that dropped the retired key can no longer read what it sealed, and says which key is missing.
    await expect(new EncryptionCodec(keyring(k1)).decode(written)).rejects.toThrow(/encrypted with key "k0", which is not configured \(configured: k1\)/);
  });

  it('detects tampering with the ciphertext, the tag or the authenticated key id', async () => {
    const codec = new EncryptionCodec(keyring(k1, generatePayloadKey('k2')));
    const [sealed] = await codec.encode([toPayload(account)]);
    if (!sealed?.data) throw new Error('no data');
    const flip = (index: number): Payload => {
      const data = Buffer.from(sealed.data ?? []);
      data[index] = (data[index] ?? 0) ^ 0x01;
      return { ...sealed, data };
    };
    await expect(codec.decode([flip(20)])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([flip(sealed.data.length - 1)])).rejects.toThrow(/failed authentication/);
    await expect(codec.decode([flip(0)])).rejects.toThrow(/failed authentication/);
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication with key "k2"/);
    await expect(codec.decode([{ ...sealed, data: sealed.data.subarray(0, 20) }])).rejects.toThrow(/truncated/);
  });

  it('refuses a payload sealed with a different key under the same id, naming no value', async () => {
    const [sealed] = await new EncryptionCodec(keyring(generatePayloadKey('k1'))).encode([toPayload(account)]);
    const error = await new EncryptionCodec(keyring(k1)).decode([sealed as Payload]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    expect(String(error)).not.toContain('jane.doe');
  });

  it('passes payloads that were never encrypted through decode', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const plain = toPayload({ configVersion: 'abc' });
    expect((await codec.decode([plain])).map(fromPayload)).toEqual([{ configVersion: 'abc' }]);
  });

  it('refuses encrypted payloads with a missing key id or an unknown cipher', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const [sealed] = await codec.encode([toPayload(account)]);
    const { [KEY_ID_METADATA]: _dropped, ...withoutKeyId } = sealed?.metadata ?? {};
    await expect(codec.decode([{ ...sealed, metadata: withoutKeyId }])).rejects.toThrow(/no key id/);
    await expect(codec.decode([{ ...sealed, metadata: { ...sealed?.metadata, [CIPHER_METADATA]: Buffer.from('ROT13') } }])).rejects.toThrow(/cipher "ROT13"/);
  });
});
