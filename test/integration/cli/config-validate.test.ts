import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from '../../support/pipeline';
import { p2c, p2cProcess } from './cli-runner';

describe('p2c config validate', () => {
  let harness: PipelineHarness;
  let scratch: string;
  let validFile: string;

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 10, seed: 2 } }, inProcessWorker: false });
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-config-'));
    validFile = harness.writeConfigFile();
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The valid configuration with changes laid over it. */
  function variant(name: string, change: (config: Record<string, unknown>) => void): string {
    const config = JSON.parse(readFileSync(validFile, 'utf8')) as Record<string, unknown>;
    change(config);
    const file = path.join(scratch, name);
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  it('offline: a valid file passes; a broken one lists every problem with its path and exits 1', async () => {
    const valid = await p2cProcess(['config', 'validate', '--config', validFile]);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/valid \(version emulators\+[0-9a-f]{12}; companies usmf, demf\)/);

    const broken = path.join(scratch, 'broken.yaml');
    writeFileSync(broken, ['version: "2"', 'connections:', '  dataverse: { url: "not a url", tenantId: t, clientId: c }', 'companies:', '  - dataAreaId: USMF', '  - { dataAreaId: demf, businessUnits: [DEMF], filter: "x eq 1" }', 'limits: { fnoConcurrency: 0 }'].join('\n'));
    const result = await p2cProcess(['config', 'validate', '--config', broken]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Invalid configuration file ${broken}:`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  - connections.dataverse.url: must be an absolute https or http URL',
        '  - connections.fno: Invalid input: expected object, received undefined',
        expect.stringMatching(/^ {2}- companies\[0\]\.dataAreaId: must be a lower-case company id/),
        '  - companies[1]: give either businessUnits or filter, not both',
        expect.stringMatching(/^ {2}- limits\.fnoConcurrency: /),
      ]),
    );
    expect(result.stderr.trim()).toBe(`p2c: ${lines.length - 1} problem(s) found`);

    const missing = await p2cProcess(['config', 'validate', '--config', path.join(scratch, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('Cannot read configuration file');
  });

  it('offline: refuses a CA file that does not exist, and http:// URLs unless the file says it targets a local emulator', async () => {
    const missingCa = path.join(scratch, 'no-such-ca.pem');
    const noCa = variant('missing-ca.json', (config) => {
      (config.connections as Record<string, unknown>).caFile = missingCa;
    });
    const refused = await p2cProcess(['config', 'validate', '--config', noCa]);
    expect(refused.code).toBe(1);
    expect(refused.stdout.trim().split('\n')).toEqual([`Invalid configuration file ${noCa}:`, `  - connections.caFile: cannot read ${missingCa}: no such file (ENOENT)`]);

    const insecure = variant('insecure.json', (config) => {
      delete (config.connections as Record<string, unknown>).allowInsecureHttp;
    });
    const plain = await p2cProcess(['config', 'validate', '--config', insecure]);
    expect(plain.code).toBe(1);
    const refusal = 'is http://, which would send the bearer token and the account data in clear: use https://, or set connections.allowInsecureHttp: true for a local emulator';
    expect(plain.stdout.trim().split('\n')).toEqual([`Invalid configuration file ${insecure}:`, `  - connections.dataverse.url: ${refusal}`, `  - connections.fno.url: ${refusal}`]);
  });

  // A spawned `p2c` (bin/p2c.cjs → tsx → the CLI) costs ~2.5 s of CPU to start; at load 13 on 2 cores it took 11-15 s
  // of wall-clock time (measured at 13:12 UTC, `time node bin/p2c.cjs --help`), so one real process here and the
  // refusals through the same command tree in this process; the test's limit leaves the spawned run room at load 20+.
  it('online: passes against the live services with the worker\'s secrets, and names every missing reference code', { timeout: 120_000 }, async () => {
    const env = harness.workerEnvironment('127.0.0.1:1');
    const passed = await p2cProcess(['config', 'validate', '--config', validFile, '--online'], env, 110_000);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toContain('Online check passed');
    expect(passed.stdout).toContain('usmf, demf');

    const wrong = variant('wrong-codes.json', (config) => {
      const mapping = config.mapping as { defaults: Record<string, string>; valueMaps: Record<string, { values: Record<string, string> }> };
      mapping.defaults.CustomerGroupId = 'NOPE';
      (mapping.valueMaps.PaymentTerms as { values: Record<string, string> }).values['1'] = 'Net999';
    });
    const refused = await p2c(['config', 'validate', '--config', wrong, '--online', '--company', 'demf'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("  - mapping.defaults.CustomerGroupId: customer group 'NOPE' does not exist in F&O company 'demf' (CustomerGroups)");
    expect(refused.stdout).toContain("  - mapping.valueMaps.PaymentTerms.values.1: terms of payment 'Net999' does not exist in F&O company 'demf' (PaymentTerms)");
    expect(refused.stdout).not.toContain("company 'usmf'");

    const noSecrets = await p2c(['config', 'validate', '--config', validFile, '--online'], { P2C_DATAVERSE_CLIENT_SECRET: '', P2C_FNO_CLIENT_SECRET: '' });
    expect(noSecrets.code).toBe(1);
    expect(noSecrets.stdout).toContain('Cannot check online: missing client secrets:');
    expect(noSecrets.stdout).toContain('  - connections.dataverse: no client secret; set P2C_DATAVERSE_CLIENT_SECRET');
  });
});
