import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePayloadKey, loadPayloadProtection } from '../../../src/codec/payload-keys';
import { ConfigurationError } from '../../../src/domain/errors';

const key = (bytes = 32) => randomBytes(bytes).toString('base64');

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadPayloadProtection', () => {
  it('takes the first key of P2C_PAYLOAD_KEYS as current and keeps the others for decoding', () => {
    const protection = loadPayloadProtection({ P2C_PAYLOAD_KEYS: ` k2:${key()} , k1:${key()}` });
    expect(protection.kind).toBe('encrypted');
    if (protection.kind !== 'encrypted') return;
    expect(protection.keyring.current.id).toBe('k2');
    expect([...protection.keyring.byId.keys()]).toEqual(['k2', 'k1']);
    expect(protection.keyring.current.key).toHaveLength(32);
  });

  it('reads a key file with one key per line and comments', () => {
    const files: Record<string, string> = { '/run/secrets/keys': `# rotated 2024-05\nnew:${key()}\nold:${key()}\n` };
    const protection = loadPayloadProtection({ P2C_PAYLOAD_KEY_FILE: '/run/secrets/keys' }, (file) => {
      const content = files[file];
      if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return content;
    });
    expect(protection.kind === 'encrypted' && [...protection.keyring.byId.keys()]).toEqual(['new', 'old']);
    expect(problemsOf(() => loadPayloadProtection({ P2C_PAYLOAD_KEY_FILE: '/nope' }, (file) => files[file] ?? (() => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); })())))
      .toEqual(['P2C_PAYLOAD_KEY_FILE: cannot read /nope: ENOENT']);
  });

  it('refuses to start without a key unless plaintext is allowed on purpose', () => {
    const problems = problemsOf(() => loadPayloadProtection({}));
    expect(problems.join('\n')).toMatch(/P2C_PAYLOAD_KEYS=<key id>:<base64 of 32 random bytes>/);
    expect(problems.join('\n')).toMatch(/P2C_ALLOW_PLAINTEXT_PAYLOADS=true/);
    expect(loadPayloadProtection({ P2C_ALLOW_PLAINTEXT_PAYLOADS: 'true' })).toEqual({ kind: 'plaintext' });
    expect(() => loadPayloadProtection({ P2C_ALLOW_PLAINTEXT_PAYLOADS: 'false' })).toThrow(/No payload encryption key/);
    expect(problemsOf(() => loadPayloadProtection({ P2C_ALLOW_PLAINTEXT_PAYLOADS: 'yes' }))[0]).toMatch(/^P2C_ALLOW_PLAINTEXT_PAYLOADS:/);
  });

  it('lists every bad key without echoing key material', () => {
    const short = key(16);
    const problems = problemsOf(() =>
      loadPayloadProtection({ P2C_PAYLOAD_KEYS: `good:${key()},short:${short},bad id:${key()},nocolon,dup:${key()},dup:${key()},typo:${key().slice(0, 40)}!!!!` }),
    );
    const text = problems.join('\n');
    expect(text).toMatch(/key "short" must be base64 of exactly 32 bytes/);
    expect(text).toMatch(/key id "bad id" must be/);
    expect(text).toMatch(/must be <key id>:<base64 of 32 random bytes>/);
    expect(text).toMatch(/key "typo" must be base64/);
    expect(text).not.toContain(short);
    expect(problemsOf(() => loadPayloadProtection({ P2C_PAYLOAD_KEYS: `dup:${key()},dup:${key()}` }))).toEqual([
      'P2C_PAYLOAD_KEYS: key id "dup" appears twice',
    ]);
    expect(problemsOf(() => loadPayloadProtection({ P2C_PAYLOAD_KEYS: ' , ' })).join()).toMatch(/no key given/);
  });

  it('refuses both a key list and a key file', () => {
    expect(problemsOf(() => loadPayloadProtection({ P2C_PAYLOAD_KEYS: `a:${key()}`, P2C_PAYLOAD_KEY_FILE: '/k' }))).toEqual([
      '(environment): set P2C_PAYLOAD_KEYS or P2C_PAYLOAD_KEY_FILE, not both',
    ]);
  });

  it('generates keys that load', () => {
    const entry = generatePayloadKey('rotation-2');
    const protection = loadPayloadProtection({ P2C_PAYLOAD_KEYS: entry });
    expect(protection.kind === 'encrypted' && protection.keyring.current.id).toBe('rotation-2');
    expect(generatePayloadKey()).not.toBe(generatePayloadKey());
    expect(() => generatePayloadKey('no spaces')).toThrow(RangeError);
  });
});
