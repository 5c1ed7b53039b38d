import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { SyncReport } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { makeTlsFiles, removeTlsFiles, startTlsProxy, type TlsFiles, type TlsProxy } from '../../support/tls-proxy';
import { uniqueName } from '../../support/temporal';
import { waitFor, WorkerProcess } from '../../support/worker-process';
import { p2c, p2cProcess } from './cli-runner';

const API_KEY = 'p2c-test-api-key-never-printed-7f3a';

/**
 * The dev server behind Debian's HAProxy terminating TLS (one listener with a private CA, one demanding client
 * certificates), reached only through a temporal.toml the test writes: the worker and `p2c` connect as they would to
 * a TLS cluster or Temporal Cloud, and the refusals say why in one line.
 */
describe('Temporal over TLS and mutual TLS, through environment configuration profiles', () => {
  let harness: PipelineHarness;
  let files: TlsFiles;
  let tlsProxy: TlsProxy;
  let mtlsProxy: TlsProxy;
  let configFile: string;
  const workers: WorkerProcess[] = [];

  /** Nothing from the test process's own Temporal settings leaks in: only the profile file speaks. */
  const profileEnv = (profile: string): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: undefined,
    TEMPORAL_NAMESPACE: undefined,
    TEMPORAL_CONFIG_FILE: configFile,
    TEMPORAL_PROFILE: profile,
  });

  const startWorker = (profile: string): WorkerProcess => {
    const environment = { ...harness.workerEnvironment('unused:1'), ...profileEnv(profile) };
    const worker = WorkerProcess.start(harness.writeConfigFile(), environment);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    harness = await PipelineHarness.start({ inProcessWorker: false, emulators: { generate: { count: 60, seed: 4 } } });
    files = await makeTlsFiles();
    [tlsProxy, mtlsProxy] = await Promise.all([
      startTlsProxy(files, inject('temporalAddress'), { requireClientCert: false }),
      startTlsProxy(files, inject('temporalAddress'), { requireClientCert: true }),
    ]);
    configFile = path.join(files.directory, 'temporal.toml');
    writeFileSync(
      configFile,
      `# As the temporal CLI reads it (temporal --profile tls workflow list works with this file too).
[profile.tls]
address = "${tlsProxy.address}"
namespace = "default"
[profile.tls.tls]
server_ca_cert_path = "${files.caCert}"

[profile.mtls]
address = "${mtlsProxy.address}"
namespace = "default"
[profile.mtls.tls]
server_ca_cert_path = "${files.caCert}"
client_cert_path = "${files.clientCert}"
client_key_path = "${files.clientKey}"

[profile.mtls-without-client-cert]
address = "${mtlsProxy.address}"
[profile.mtls-without-client-cert.tls]
server_ca_cert_path = "${files.caCert}"

[profile.api-key]
address = "${tlsProxy.address}"
api_key = "${API_KEY}"
[profile.api-key.tls]
server_ca_cert_path = "${files.caCert}"

[profile.wrong-ca]
address = "${tlsProxy.address}"
api_key = "${API_KEY}"
[profile.wrong-ca.tls]
server_ca_cert_path = "${files.otherCaCert}"
`,
    );
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    await tlsProxy?.stop();
    await mtlsProxy?.stop();
    removeTlsFiles(files);
    await harness?.close();
  });

  it('a worker over mutual TLS and p2c over TLS with a private CA run a sync; p2c over mutual TLS and with an API key read it', async () => {
    const worker = startWorker('mtls');
    await waitFor(() => worker.log.includes('connected to Temporal'), 'the worker to connect over mutual TLS', 60_000);
    expect(worker.log).toContain(`${mtlsProxy.address} (namespace default, profile mtls, mutual TLS)`);

    const pipeline = uniqueName('tls');
    const started = await p2cProcess(
      ['--profile', 'tls', '--task-queue', harness.taskQueue, 'sync', 'start', '--pipeline', pipeline, '--batch-size', '50', '--wait', '--json'],
      { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined, TEMPORAL_CONFIG_FILE: configFile },
    );
    expect(started.code, started.stderr).toBe(0);
    const report = JSON.parse(started.stdout) as SyncReport;
    expect(report.status).toBe('completed');
    expect(report.totals.created).toBeGreaterThan(20);

    for (const profile of ['mtls', 'api-key']) {
      const status = await p2c(['sync', 'status', pipeline, '--json'], profileEnv(profile));
      expect(status.code, status.stderr).toBe(0);
      expect((JSON.parse(status.stdout) as { status: string }).status).toBe('COMPLETED');
      expect(status.stdout + status.stderr).not.toContain(API_KEY);
    }
    expect(worker.log).not.toContain('BEGIN');
  }, 120_000);

  it('mutual TLS without a client certificate: the worker stops at once, saying the server requires one', async () => {
    const started = Date.now();
    const worker = startWorker('mtls-without-client-cert');
    expect(await worker.exited).toBe(1);
    // Not the five minutes of retries an unreachable server gets.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(worker.log).toContain(
      `p2c: cannot connect to Temporal at ${mtlsProxy.address} (namespace default, profile mtls-without-client-cert, TLS): the server requires a client certificate (mutual TLS): set client_cert_path and client_key_path in the Temporal profile (or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)`,
    );
    expect(worker.log).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('a CA that did not sign the server certificate: p2c refuses in one line naming the cause, without the API key', async () => {
    const result = await p2c(['sync', 'status', 'any-pipeline'], profileEnv('wrong-ca'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^p2c: cannot connect to Temporal at ${tlsProxy.address.replace(/\./g, '\\.')} \\(namespace default, profile wrong-ca, TLS, API key\\): the server's certificate is not signed by a trusted CA \\([A-Z_]+\\): set server_ca_cert_path in the Temporal profile \\(or TEMPORAL_TLS_SERVER_CA_CERT_PATH\\) to the CA that signed it\\n$`,
      ),
    );
    expect(result.stderr).not.toContain(API_KEY);
  }, 60_000);
});
