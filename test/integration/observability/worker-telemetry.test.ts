import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SyncReport } from '../../../src/workflows';
import { freePort } from '../../../src/util/free-port';
import type { CountersSnapshot } from '@p2c-sync/emulators';
import { readAllAccounts } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor } from '../../support/worker-process';

const root = path.resolve(__dirname, '../../..');

/** The value of one sample line of a Prometheus text, e.g. `p2c_records_total{company="usmf",outcome="created"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// A `p2c worker` process as operators run it, with P2C_METRICS_PORT: its stdout is JSON lines carrying ids and no
// personal data, and its /metrics agrees with the run's report and with what the emulators counted.
describe('worker logs and metrics', () => {
  let harness: PipelineHarness;
  let worker: ChildProcess;
  let exited: Promise<number | null>;
  let stdout = '';
  let stderr = '';
  let metricsUrl: string;
  let report: SyncReport;
  let workflowId: string;
  let dataverseBefore: CountersSnapshot;
  let runEndedBy: number;
  /** An OTLP/HTTP collector stand-in: what the worker exports when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  let collector: FastifyInstance;
  const exported: { url: string; contentType: string | undefined; body: unknown }[] = [];
  let collectorUrl: string;
  const testStarted = Date.now() / 1000;

  const records = () => stdout.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      inProcessWorker: false,
      emulators: {
        generate: { count: 400, seed: 9 },
        // Fewer concurrent requests allowed than the worker sends: 429s; a few 503s on reads: resends.
        dataverse: { limits: { maxConcurrent: 2 }, faults: { latencyMs: 15, errorRate: 0.3, errorStatus: 502, methods: ['GET'], maxFaults: 3, seed: 4 } },
      },
      config: { limits: { dataverseConcurrency: 6 } },
    });
    collector = Fastify({ bodyLimit: 64 * 1024 * 1024 });
    collector.post('/v1/traces', async (request) => {
      exported.push({ url: request.url, contentType: request.headers['content-type'], body: request.body });
      return {};
    });
    collectorUrl = await collector.listen({ host: '127.0.0.1', port: 0 });
    const port = await freePort();
    worker = spawn(process.execPath, [path.join(root, 'bin', 'p2c.cjs'), 'worker', '--config', harness.writeConfigFile()], {
      cwd: root,
      env: { ...process.env, ...harness.workerEnvironment(inject('temporalAddress')), P2C_METRICS_PORT: String(port), P2C_LOG_LEVEL: 'INFO', OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    exited = new Promise((resolve) => worker.once('exit', resolve));

    dataverseBefore = harness.emulators.dataverse.admin.counters.snapshot();
    const handle = await harness.startSync({ maxFailuresInResult: 10_000, batchSize: 50 });
    workflowId = handle.workflowId;
    report = await handle.result();
    runEndedBy = Date.now() / 1000;
    // A run refused at preflight: it ends failed, for the alert rules.
    const refused = await harness.startSync({ pipeline: 'refused', company: 'zz99' });
    await expect(refused.result()).rejects.toThrow();
    // The result can arrive before the last lines were read from the pipe.
    await waitFor(() => records().some((r) => r.workflowId === workflowId && r.message === 'workflow completed'), 'the "workflow completed" log line');
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await harness?.close();
    await collector?.close();
  });

  it('serves the sync metrics, in step with the report and the emulators, next to the SDK runtime metrics', async () => {
    expect(records().find((r) => r.message === 'metrics served')?.url).toBe(metricsUrl);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();

    for (const [company, counters] of Object.entries(report.companies)) {
      for (const outcome of ['created', 'updated', 'unchanged', 'failed'] as const) {
        expect(sample(text, `p2c_records_total{company="${company}",outcome="${outcome}"}`) ?? 0, `${company} ${outcome}`).toBe(counters[outcome]);
      }
    }
    expect(report.totals.created).toBeGreaterThan(100);

    // Every Dataverse answer the emulator sent during the run was seen by the worker, with its method and status.
    const dataverse = harness.emulators.dataverse.admin.counters.snapshot();
    const answered = Object.entries(dataverse.requests.byMethodAndStatus).map(([key, count]) => [key, count - (dataverseBefore.requests.byMethodAndStatus[key] ?? 0)] as const);
    expect(answered.find(([key]) => key === 'GET 429')?.[1]).toBeGreaterThan(0);
    for (const [key, count] of answered) {
      const [method, status] = key.split(' ');
      expect(sample(text, `p2c_api_request_duration_seconds_count{service="dataverse",method="${method}",status="${status}"}`) ?? 0, key).toBe(count);
    }
    expect(sample(text, 'p2c_api_throttled_total{service="dataverse"}')).toBe(dataverse.throttled - dataverseBefore.throttled);
    expect(sample(text, 'p2c_api_resends_total{service="dataverse",reason="throttled"}')).toBeGreaterThan(0);
    expect(sample(text, 'p2c_api_resends_total{service="dataverse",reason="transient"}')).toBeGreaterThan(0);
    expect(sample(text, 'p2c_api_request_duration_seconds_count{service="fno",method="POST",status="200"}')).toBeGreaterThan(0);
    expect(sample(text, 'p2c_api_request_duration_seconds_count{service="entra",method="POST",status="200"}')).toBeGreaterThan(0);
    expect(sample(text, 'p2c_activity_duration_seconds_count{activity_type="syncWorkUnit",outcome="completed"}')).toBeGreaterThan(0);

    // How runs ended, which the alert rules watch: one completed run of "default" with its failures, one failed run
    // of "refused"; neither was started by a schedule.
    expect(sample(text, 'p2c_runs_total{pipeline="default",status="completed",dry_run="false"}')).toBe(1);
    expect(sample(text, 'p2c_run_last_failed_records{pipeline="default"}')).toBe(report.failures.total);
    const ended = sample(text, 'p2c_run_last_end_timestamp_seconds{pipeline="default",status="completed"}') ?? 0;
    expect(ended).toBeGreaterThanOrEqual(testStarted);
    expect(ended).toBeLessThanOrEqual(runEndedBy);
    expect(sample(text, 'p2c_runs_total{pipeline="refused",status="failed",dry_run="false"}')).toBe(1);
    expect(sample(text, 'p2c_run_last_end_timestamp_seconds{pipeline="refused",status="failed"}')).toBeGreaterThanOrEqual(ended);
    expect(sample(text, 'p2c_run_last_failed_records{pipeline="refused"}')).toBeUndefined();
    expect(text).not.toContain('p2c_scheduled_run_last_success_timestamp_seconds{');

    // The SDK's runtime metrics, from the core's own exporter, on the same scrape.
    expect(text).toMatch(/^temporal_workflow_completed_total\{.*workflow_type="syncAccounts".*\} 1$/m);
    expect(text).toMatch(/^temporal_activity_execution_latency_seconds_count\{.*activity_type="syncWorkUnit".*\} \d+$/m);
  });

  it('logs JSON lines with workflow, run and activity ids, and no personal data or secret', async () => {
    const lines = stdout.split('\n').filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const all = records();
    for (const record of all) {
      expect(typeof record.time).toBe('string');
      expect(['trace', 'debug', 'info', 'warn', 'error']).toContain(record.level);
      expect(typeof record.message).toBe('string');
      expect(record).not.toHaveProperty('taskToken');
    }
    const ours = all.filter((r) => r.workflowId === workflowId);
    const activities = ours.filter((r) => r.message === 'activity completed');
    expect(new Set(activities.map((r) => r.activityType))).toEqual(new Set(['pipelineLockId', 'preflight', 'assignAccountNumbers', 'readAccountChanges', 'planWorkUnits', 'syncWorkUnit', 'notifyRunEnd']));
    for (const record of activities) {
      expect(record).toMatchObject({ runId: expect.any(String), activityId: expect.any(String), attempt: expect.any(Number), durationMs: expect.any(Number) });
    }
    const created = activities.filter((r) => r.activityType === 'syncWorkUnit').reduce((sum, r) => sum + ((r.result as { totals: { created: number } }).totals.created ?? 0), 0);
    expect(created).toBe(report.totals.created);
    const completed = ours.find((r) => r.message === 'workflow completed');
    expect(completed).toMatchObject({ runId: expect.any(String), workflowType: 'syncAccounts', result: { status: 'completed', totals: report.totals } });
    expect(ours.some((r) => r.message === 'workflow started')).toBe(true);

    const accounts = await readAllAccounts(harness.deps.dataverse);
    const personal = [...new Set(accounts.flatMap((a) => [a.emailaddress1, a.telephone1, a.name]).filter((v): v is string => typeof v === 'string' && v.length >= 6))];
    const secrets = [harness.emulators.client.clientSecret, ...(process.env.P2C_PAYLOAD_KEYS ?? '').split(',').map((entry) => entry.split(':')[1] ?? '')];
    const output = stdout + stderr;
    expect([...personal, ...secrets].filter((value) => value.length >= 6 && output.includes(value))).toEqual([]);
    expect(report.failures.total).toBeGreaterThan(0);
  });

  it('refuses to start without a payload key, or with a bad one, naming the variable and not the key', async () => {
    const configFile = harness.writeConfigFile();
    const base = { ...process.env, ...harness.workerEnvironment(inject('temporalAddress')) };
    delete base.P2C_PAYLOAD_KEYS;
    const attempt = async (env: NodeJS.ProcessEnv) => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'p2c.cjs'), 'worker', '--config', configFile], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, output };
    };
    const keyless = await attempt(base);
    expect(keyless.code).toBe(1);
    expect(keyless.output).toMatch(/No payload encryption key[\s\S]*P2C_PAYLOAD_KEYS=<key id>:<base64 of 32 random bytes>/);
    const short = await attempt({ ...base, P2C_PAYLOAD_KEYS: 'k1:c2hvcnQ=' });
    expect(short.code).toBe(1);
    expect(short.output).toMatch(/key "k1" must be base64 of exactly 32 bytes/);
    expect(short.output).not.toContain('c2hvcnQ=');
  });

  it('stops cleanly on SIGTERM and closes /metrics', async () => {
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();

    // Its spans went to the OTLP endpoint (batched, the rest flushed at shutdown) as OTLP/HTTP JSON.
    expect(exported.length).toBeGreaterThan(0);
    expect(exported[0]?.contentType).toMatch(/^application\/json/);
    const spans = exported.flatMap(({ body }) => {
      const resourceSpans = (body as { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: { name: string }[] }[] }[] }).resourceSpans ?? [];
      return resourceSpans.flatMap((r) => (r.scopeSpans ?? []).flatMap((scope) => (scope.spans ?? []).map((span) => ({ name: span.name, service: r.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue }))));
    });
    expect(spans).toContainEqual({ name: 'RunWorkflow:syncAccounts', service: 'p2c-worker' });
    expect(spans).toContainEqual({ name: 'RunActivity:syncWorkUnit', service: 'p2c-worker' });
    expect(spans).toContainEqual({ name: 'POST fno', service: 'p2c-worker' });
    expect(records().find((r) => r.message === 'traces exported over OTLP')?.endpoint).toBe(collectorUrl);
  });
});
