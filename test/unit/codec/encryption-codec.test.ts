import { createCipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { CIPHER_METADATA, COMPRESSION_METADATA, EncryptionCodec, KEY_ID_METADATA, PayloadDecryptionError, ZLIB_ON_LOOP_UP_TO_BYTES } from '../../../src/codec/encryption-codec';
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

/**
 * Seals bytes as a payload the way the format is specified (README "Personal data and secrets"): IV, AES-256-GCM
 * ciphertext, tag; additional data `AES256GCM|<key id>`, plus `|deflate` when compressed. Written here by hand, so
 * the codec is checked against the format rather than against itself, and so payloads of the release before
 * compression (no mark) can be made.
 */
function sealByHand(keyEntry: string, plain: Buffer, compression?: string): Payload {
  const [id = '', base64 = ''] = keyEntry.split(':');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64, 'base64'), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(compression === undefined ? `AES256GCM|${id}` : `AES256GCM|${id}|${compression}`));
  const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return {
    metadata: {
      encoding: Buffer.from('binary/encrypted'),
      'encryption-key-id': Buffer.from(id),
      'encryption-cipher': Buffer.from('AES256GCM'),
      ...(compression === undefined ? {} : { 'encryption-compression': Buffer.from(compression) }),
    },
    data,
  };
}

const serialize = (payload: Payload) => Buffer.from(temporal.api.common.v1.Payload.encode(payload).finish());

describe('EncryptionCodec compression', () => {
  const k1 = generatePayloadKey('k1');
  // What a unit's result looks like: many failures repeating the same reasons.
  const failures = Array.from({ length: 200 }, (_, i) => ({
    accountId: `0b6e7c1e-5a4b-4c3d-9e8f-${String(i).padStart(12, '0')}`,
    accountNumber: `ACC-${String(1000 + i).padStart(5, '0')}-BVRCPS`,
    field: 'address1_country',
    value: 'Atlantis',
    code: 'UNKNOWN_COUNTRY',
    reason: 'The country is not an ISO 3166 country name or code; fix the address in Sales.',
  }));

  it('deflates a large payload before sealing it (marked, far smaller) and reads it back', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const payload = toPayload({ failures });
    const [sealed] = await codec.encode([payload]);
    if (!sealed?.data) throw new Error('no data');
    expect(metadata(sealed, COMPRESSION_METADATA)).toBe('deflate');
    // 200 failures serialize to ~40 KB; the same reasons repeated deflate to well under a quarter of that.
    expect(serialize(payload).length).toBeGreaterThan(35_000);
    expect(sealed.data.length).toBeLessThan(serialize(payload).length / 4);
    const bytes = Buffer.from(sealed.data).toString('latin1');
    for (const secret of ['Atlantis', 'ACC-01000', 'address1_country']) expect(bytes).not.toContain(secret);
    expect((await codec.decode([sealed])).map(fromPayload)).toEqual([{ failures }]);
  });

  it('deflates and inflates a payload beyond ZLIB_ON_LOOP_UP_TO_BYTES (in the thread pool) to the same format', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    // A dry run's plan: thousands of entries with distinct ids; over 256 KB serialized, over 32 KB deflated.
    const plan = Array.from({ length: 6_000 }, (_, i) => ({ accountId: randomBytes(16).toString('hex'), action: i % 3 ? 'update' : 'create' }));
    const payload = toPayload({ plan });
    expect(serialize(payload).length).toBeGreaterThan(ZLIB_ON_LOOP_UP_TO_BYTES);
    const [sealed] = await codec.encode([payload]);
    if (!sealed?.data) throw new Error('no data');
    expect(metadata(sealed, COMPRESSION_METADATA)).toBe('deflate');
    expect(sealed.data.length).toBeGreaterThan(ZLIB_ON_LOOP_UP_TO_BYTES / 8);
    expect((await codec.decode([sealed])).map(fromPayload)).toEqual([{ plan }]);
    // Sealed by hand from the same bytes deflated here: what the pool produced is read like what the loop produced.
    const byHand = sealByHand(k1, deflateRawSync(serialize(payload)), 'deflate');
    expect((await codec.decode([byHand])).map(fromPayload)).toEqual([{ plan }]);
  });

  it('leaves small payloads and bytes that do not deflate uncompressed (no mark)', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const random = { metadata: { encoding: Buffer.from('binary/plain') }, data: randomBytes(8_000) };
    const [small, noise] = await codec.encode([toPayload({ cursor: 'ACC-01000-BVRCPS' }), random]);
    expect(small?.metadata?.[COMPRESSION_METADATA]).toBeUndefined();
    expect(noise?.metadata?.[COMPRESSION_METADATA]).toBeUndefined();
    const [smallBack, noiseBack] = await codec.decode([small as Payload, noise as Payload]);
    expect(fromPayload(smallBack as Payload)).toEqual({ cursor: 'ACC-01000-BVRCPS' });
    expect(Buffer.from(noiseBack?.data ?? []).equals(random.data)).toBe(true);
  });

  it('reads payloads sealed the way the release before compression sealed them, and compressed ones sealed by hand', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const old = sealByHand(k1, serialize(toPayload({ failures })));
    const compressed = sealByHand(k1, deflateRawSync(serialize(toPayload(account))), 'deflate');
    expect((await codec.decode([old, compressed])).map(fromPayload)).toEqual([{ failures }, account]);
  });

  it('detects the compression mark removed, added or changed, and refuses an unknown method by name', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    const [sealed] = await codec.encode([toPayload({ failures })]);
    const { [COMPRESSION_METADATA]: _mark, ...unmarked } = sealed?.metadata ?? {};
    await expect(codec.decode([{ ...sealed, metadata: unmarked }])).rejects.toThrow(/failed authentication with key "k1"/);
    const [plain] = await codec.encode([toPayload(account)]);
    await expect(codec.decode([{ ...plain, metadata: { ...plain?.metadata, [COMPRESSION_METADATA]: Buffer.from('deflate') } }])).rejects.toThrow(/failed authentication/);
    await expect(codec.decode([{ ...sealed, metadata: { ...sealed?.metadata, [COMPRESSION_METADATA]: Buffer.from('zstd') } }])).rejects.toThrow(/compressed with "zstd", expected deflate/);
  });

  it('refuses an authenticated payload that would inflate beyond 32 MB, or is not (whole) deflate data', async () => {
    const codec = new EncryptionCodec(keyring(k1));
    // 40 MB of zeros deflate to ~40 KB: the size of a bomb, not of anything the worker writes.
    const bomb = sealByHand(k1, deflateRawSync(Buffer.alloc(40 * 1024 * 1024)), 'deflate');
    await expect(codec.decode([bomb])).rejects.toThrow(/inflates beyond 33554432 bytes/);
    const garbage = sealByHand(k1, Buffer.from('not deflate at all, just text'), 'deflate');
    await expect(codec.decode([garbage])).rejects.toThrow(/not valid deflate data/);
    const truncated = sealByHand(k1, deflateRawSync(serialize(toPayload({ failures }))).subarray(0, 40), 'deflate');
    await expect(codec.decode([truncated])).rejects.toThrow(/not valid deflate data/);
  });
});
