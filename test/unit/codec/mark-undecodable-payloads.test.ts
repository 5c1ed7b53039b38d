import type { Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, PayloadDecryptionError } from '../../../src/codec/encryption-codec';
import { MarkUndecodableWorkflowPayloads } from '../../../src/codec/mark-undecodable-payloads';
import { generatePayloadKey, loadPayloadProtection } from '../../../src/codec/payload-keys';

function codecWith(keyId: string): EncryptionCodec {
  const protection = loadPayloadProtection({ P2C_PAYLOAD_KEYS: generatePayloadKey(keyId) });
  if (protection.kind !== 'encrypted') throw new Error('a key was given');
  return new EncryptionCodec(protection.keyring);
}

const json = (value: unknown): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
const asText = (payload: Payload | undefined) => Buffer.from(payload?.data ?? new Uint8Array()).toString('utf8');
const workflowContext = { type: 'workflow', namespace: 'default', workflowId: 'p2c-sync-x' } as const;
const activityContext = { type: 'activity', namespace: 'default', activityId: '1', workflowId: 'p2c-sync-x', isLocal: false } as const;

describe('the worker codec marks workflow payloads it cannot decode', () => {
  const worker = new MarkUndecodableWorkflowPayloads(codecWith('current'));

  it('decodes what it can and marks, per payload, what it cannot, with the reason and none of the payload', async () => {
    const [foreign] = await codecWith('elsewhere').encode([json({ name: 'Alpha Corp' })]);
    const [ours] = await worker.encode([json({ pipeline: 'a' })], workflowContext);
    const decoded = await worker.decode([ours as Payload, foreign as Payload], workflowContext);
    expect(asText(decoded[0])).toBe('{"pipeline":"a"}');
    expect(asText(decoded[1])).toBe('{"p2cUndecodablePayload":"payload was encrypted with key \\"elsewhere\\", which is not configured (configured: current)"}');
  });

  it('marks a JSON payload that does not parse', async () => {
    const [marked] = await worker.decode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"a":') }], workflowContext);
    expect(asText(marked)).toBe('{"p2cUndecodablePayload":"the payload is marked json/plain but is not valid JSON"}');
  });

  it('shows a hostile key id as at most 40 printable characters', async () => {
    const hostile: Payload = {
      metadata: { encoding: Buffer.from('binary/encrypted'), 'encryption-cipher': Buffer.from('AES256GCM'), 'encryption-key-id': Buffer.from(`\n${'k'.repeat(100)}`) },
      data: Buffer.alloc(40),
    };
    const [marked] = await worker.decode([hostile], workflowContext);
    expect(asText(marked)).toBe(`{"p2cUndecodablePayload":"payload was encrypted with key \\"?${'k'.repeat(39)}…\\", which is not configured (configured: current)"}`);
  });

  it('still refuses an activity payload it cannot decode: the run must not go on with a result it could not read', async () => {
    const [foreign] = await codecWith('elsewhere').encode([json({ created: 1 })]);
    await expect(worker.decode([foreign as Payload], activityContext)).rejects.toBeInstanceOf(PayloadDecryptionError);
    await expect(worker.decode([foreign as Payload])).rejects.toBeInstanceOf(PayloadDecryptionError);
  });

  it('without encryption, marks an encrypted workflow payload instead of failing every workflow task', async () => {
    const [sealed] = await codecWith('current').encode([json({})]);
    const [marked] = await new MarkUndecodableWorkflowPayloads(undefined).decode([sealed as Payload], workflowContext);
    expect(asText(marked)).toBe('{"p2cUndecodablePayload":"the payload has encoding \\"binary/encrypted\\", which no converter reads (encrypted with no key configured?)"}');
  });
});
