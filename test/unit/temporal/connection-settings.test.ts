import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/domain/errors';
import { loadTemporalConnection } from '../../../src/temporal/connection-settings';

const scratch = mkdtempSync(path.join(tmpdir(), 'p2c-envconfig-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const target = path.join(scratch, name);
  writeFileSync(target, text);
  return target;
}

const caPath = file('ca.pem', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
const certPath = file('client.pem', '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n');
const keyPath = file('client.key', '-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n');
const API_KEY = 'k-0123456789-secret-api-key';

const toml = file(
  'temporal.toml',
  `
[profile.default]
address = "temporal.internal:7233"
namespace = "sales"

[profile.prod]
address = "prod.a1b2c.tmprl.cloud:7233"
namespace = "prod.a1b2c"
[profile.prod.tls]
client_cert_path = "${certPath}"
client_key_path = "${keyPath}"

[profile.cloud]
address = "us-east-1.aws.api.temporal.io:7233"
namespace = "prod.a1b2c"
api_key = "${API_KEY}"

[profile.private]
address = "temporal.corp:7233"
[profile.private.tls]
server_ca_cert_path = "${caPath}"
server_name = "temporal.corp.example"

[profile.broken]
address = "temporal.corp:7233"
[profile.broken.tls]
client_cert_path = "${path.join(scratch, 'missing.pem')}"
client_key_path = "${keyPath}"
`,
);

/** No default file: XDG_CONFIG_HOME points at an empty directory. */
const bare = { XDG_CONFIG_HOME: path.join(scratch, 'no-config-here'), HOME: path.join(scratch, 'home') };

describe('loadTemporalConnection (Temporal environment configuration, as the temporal CLI reads it)', () => {
  it('without any setting: the local dev server, namespace default, plain gRPC', () => {
    const settings = loadTemporalConnection(bare);
    expect(settings.address).toBe('127.0.0.1:7233');
    expect(settings.namespace).toBe('default');
    expect(settings.connectionOptions).toEqual({ address: '127.0.0.1:7233' });
    expect(settings.description).toBe('127.0.0.1:7233 (namespace default, plain)');
  });

  it('keeps TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE as before', () => {
    const settings = loadTemporalConnection({ ...bare, TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'p2c' });
    expect([settings.address, settings.namespace]).toEqual(['temporal:7233', 'p2c']);
  });

  it('reads the default profile of TEMPORAL_CONFIG_FILE; the environment wins over it and the flags over both', () => {
    const env = { ...bare, TEMPORAL_CONFIG_FILE: toml };
    expect(loadTemporalConnection(env)).toMatchObject({ address: 'temporal.internal:7233', namespace: 'sales' });
    expect(loadTemporalConnection({ ...env, TEMPORAL_NAMESPACE: 'other' })).toMatchObject({ address: 'temporal.internal:7233', namespace: 'other' });
    expect(loadTemporalConnection({ ...env, TEMPORAL_ADDRESS: 'env:7233' }, { address: 'flag:7233', namespace: 'flagged' })).toMatchObject({
      address: 'flag:7233',
      namespace: 'flagged',
    });
  });

  it('reads ~/.config/temporalio/temporal.toml (XDG_CONFIG_HOME) when no file is named', () => {
    const configHome = path.join(scratch, 'xdg');
    const directory = path.join(configHome, 'temporalio');
    mkdirSync(directory, { recursive: true });
    writeFileSync(path.join(directory, 'temporal.toml'), '[profile.default]\naddress = "from-home:7233"\n');
    expect(loadTemporalConnection({ XDG_CONFIG_HOME: configHome }).address).toBe('from-home:7233');
  });

  it('mutual TLS from --profile: the certificate pair from files, described without any secret', () => {
    const settings = loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: toml }, { profile: 'prod' });
    expect(settings.address).toBe('prod.a1b2c.tmprl.cloud:7233');
    expect(settings.namespace).toBe('prod.a1b2c');
    const tls = settings.connectionOptions.tls;
    expect(typeof tls === 'object' && tls.clientCertPair ? Buffer.from(tls.clientCertPair.key).toString() : '').toContain('SECRET-KEY-MATERIAL');
    expect(settings.description).toBe('prod.a1b2c.tmprl.cloud:7233 (namespace prod.a1b2c, profile prod, mutual TLS)');
  });

  it('an API key (TEMPORAL_PROFILE picks the profile) turns TLS on; the description says "API key", never the key', () => {
    const settings = loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' });
    expect(settings.connectionOptions).toMatchObject({ address: 'us-east-1.aws.api.temporal.io:7233', apiKey: API_KEY, tls: true });
    expect(settings.description).toBe('us-east-1.aws.api.temporal.io:7233 (namespace prod.a1b2c, profile cloud, TLS, API key)');
    expect(settings.description).not.toContain(API_KEY);
  });

  it('TLS with a private CA and a server name override; TEMPORAL_API_KEY and TEMPORAL_TLS_* from the environment', () => {
    const privateCa = loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: toml }, { profile: 'private' });
    expect(privateCa.connectionOptions.tls).toMatchObject({ serverNameOverride: 'temporal.corp.example' });
    const fromEnv = loadTemporalConnection({
      ...bare,
      TEMPORAL_ADDRESS: 'temporal.corp:7233',
      TEMPORAL_API_KEY: API_KEY,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
    });
    expect(fromEnv.connectionOptions.apiKey).toBe(API_KEY);
    expect(fromEnv.description).toBe('temporal.corp:7233 (namespace default, mutual TLS, API key)');
    const plain = loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_TLS: 'false' }, { profile: 'private' });
    expect(plain.connectionOptions.tls).toBe(false);
  });

  it('refuses with one line naming the setting: unknown profile, unreadable file, unreadable certificate, bad address', () => {
    const refusal = (run: () => unknown): string[] => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as ConfigurationError).problems;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: toml }, { profile: 'staging' }))).toEqual([
      `profile 'staging' is not in ${toml} (--profile or TEMPORAL_PROFILE)`,
    ]);
    expect(refusal(() => loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: path.join(scratch, 'nope.toml') }))).toEqual([
      `TEMPORAL_CONFIG_FILE: cannot read ${path.join(scratch, 'nope.toml')}: ENOENT`,
    ]);
    expect(refusal(() => loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: toml }, { profile: 'broken' }))).toEqual([
      `cannot read ${path.join(scratch, 'missing.pem')} (named by the Temporal profile or TEMPORAL_TLS_*): ENOENT`,
    ]);
    expect(refusal(() => loadTemporalConnection({ ...bare, TEMPORAL_ADDRESS: 'https://temporal' }))).toEqual([
      'address: must be host:port, e.g. 127.0.0.1:7233',
    ]);
    const badToml = file('bad.toml', `[profile.default]\napi_key = "${API_KEY}\n`);
    const [problem] = refusal(() => loadTemporalConnection({ ...bare, TEMPORAL_CONFIG_FILE: badToml }));
    expect(problem).toMatch(new RegExp(`^${badToml.replace(/[.]/g, '\\.')}: `));
    expect(problem).not.toContain(API_KEY);
  });
});
