import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigurationError } from '../domain/errors';
import { describeIssues } from '../domain/describe-issues';

/** One AES-256 key and the id written next to every payload it encrypts. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** The current key encrypts; every key (current and retired) decrypts, so history written before a rotation stays readable. */
export interface PayloadKeyring {
  current: PayloadKey;
  byId: ReadonlyMap<string, PayloadKey>;
}

export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

const keyEntrySchema = z
  .string()
  .transform((entry) => entry.trim())
  .pipe(
    z.string().regex(/^[^:]+:.+$/, { error: 'must be <key id>:<base64 of 32 random bytes>' }).transform((entry, ctx) => {
      const colon = entry.indexOf(':');
      const id = entry.slice(0, colon);
      const encoded = entry.slice(colon + 1);
      if (!KEY_ID.test(id)) ctx.addIssue({ code: 'custom', message: `key id "${id}" must be 1-64 of A-Z a-z 0-9 . _ -` });
      const key = Buffer.from(encoded, 'base64');
      // Buffer.from ignores what is not base64; re-encoding catches typos and truncated keys.
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== KEY_BYTES) {
        ctx.addIssue({ code: 'custom', message: `key "${id}" must be base64 of exactly ${KEY_BYTES} bytes (AES-256)` });
      }
      return { id, key };
    }),
  );

const keyListSchema = z
  .string()
  .transform((list) => list.split(/[,\n]/).map((entry) => entry.trim()).filter((entry) => entry.length > 0 && !entry.startsWith('#')))
  .pipe(z.array(keyEntrySchema).min(1, { error: 'no key given' }))
  .superRefine((keys, ctx) => {
    const seen = new Set<string>();
    for (const { id } of keys) {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', message: `key id "${id}" appears twice` });
      seen.add(id);
    }
  });

const payloadEnvironmentSchema = z
  .object({
    P2C_PAYLOAD_KEYS: z.string().min(1).optional(),
    P2C_PAYLOAD_KEY_FILE: z.string().min(1).optional(),
    P2C_ALLOW_PLAINTEXT_PAYLOADS: z.enum(['true', 'false']).default('false'),
  })
  .refine((env) => !(env.P2C_PAYLOAD_KEYS && env.P2C_PAYLOAD_KEY_FILE), {
    error: 'set P2C_PAYLOAD_KEYS or P2C_PAYLOAD_KEY_FILE, not both',
  });

export type PayloadProtection = { kind: 'encrypted'; keyring: PayloadKeyring } | { kind: 'plaintext' };

/**
 * Payload protection from the environment of a worker or a client tool: `P2C_PAYLOAD_KEYS`
 * (`k2:<base64>,k1:<base64>`, current first) or `P2C_PAYLOAD_KEY_FILE` (the same list, commas or lines). Without a
 * key the process refuses to start, unless `P2C_ALLOW_PLAINTEXT_PAYLOADS=true` says on purpose that account data may
 * sit in history unencrypted (a local experiment, never production).
 */
export function loadPayloadProtection(
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): PayloadProtection {
  const parsed = payloadEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError('Invalid payload encryption settings', describeIssues(parsed.error, '(environment)'));
  const settings = parsed.data;
  let list = settings.P2C_PAYLOAD_KEYS;
  let source = 'P2C_PAYLOAD_KEYS';
  if (settings.P2C_PAYLOAD_KEY_FILE) {
    source = `P2C_PAYLOAD_KEY_FILE (${settings.P2C_PAYLOAD_KEY_FILE})`;
    try {
      list = readFile(settings.P2C_PAYLOAD_KEY_FILE);
    } catch (error) {
      throw new ConfigurationError('Invalid payload encryption settings', [
        `P2C_PAYLOAD_KEY_FILE: cannot read ${settings.P2C_PAYLOAD_KEY_FILE}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      ]);
    }
  }
  if (list === undefined) {
    if (settings.P2C_ALLOW_PLAINTEXT_PAYLOADS === 'true') return { kind: 'plaintext' };
    throw new ConfigurationError('No payload encryption key', [
      'set P2C_PAYLOAD_KEYS=<key id>:<base64 of 32 random bytes> (current key first, retired keys after it) or P2C_PAYLOAD_KEY_FILE',
      'or P2C_ALLOW_PLAINTEXT_PAYLOADS=true to keep account data unencrypted in Temporal history (not for production)',
    ]);
  }
  const keys = keyListSchema.safeParse(list);
  // The problems name key ids and the rule broken, never key material.
  if (!keys.success) throw new ConfigurationError('Invalid payload encryption keys', describeIssues(keys.error, source));
  const [current] = keys.data;
  if (!current) throw new ConfigurationError('Invalid payload encryption keys', [`${source}: no key given`]);
  return { kind: 'encrypted', keyring: { current, byId: new Map(keys.data.map((key) => [key.id, key])) } };
}

/** A fresh `id:base64` key entry, for `P2C_PAYLOAD_KEYS`, the demo and the test run. */
export function generatePayloadKey(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  if (!KEY_ID.test(id)) throw new RangeError(`key id "${id}" must be 1-64 of A-Z a-z 0-9 . _ -`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
