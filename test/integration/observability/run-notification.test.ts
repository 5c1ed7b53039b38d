import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readAllAccounts } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';

// The end-of-run webhook through real runs: a local receiver stands in for Teams or Slack. What it receives is
// checked against the run's report; a receiver that refuses, fails or is gone never fails the run.
const noticeSchema = z.object({
  text: z.string(),
  pipeline: z.string(),
  status: z.enum(['completed', 'cancelled', 'failed']),
  dryRun: z.boolean(),
  mode: z.enum(['full', 'incremental']).optional(),
  counts: z.object({ read: z.number(), created: z.number(), updated: z.number(), unchanged: z.number(), failed: z.number(), outOfScope: z.number() }),
  failures: z.object({ total: z.number(), topCodes: z.array(z.object({ code: z.string(), count: z.number() })) }),
  failureType: z.string().optional(),
  workflowId: z.string(),
  runId: z.string(),
  namespace: z.string(),
  runUrl: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string(),
});
type Notice = z.infer<typeof noticeSchema>;

describe('end-of-run webhook', () => {
  let harness: PipelineHarness;
  let receiver: FastifyInstance;
  /** Answers for the next requests, in order; 200 once they are used up. */
  let answers: number[] = [];
  const received: { contentType: string | undefined; body: unknown }[] = [];

  beforeAll(async () => {
    receiver = Fastify();
    receiver.post('/hooks/p2c/TOKEN-abc123', async (request, reply) => {
      received.push({ contentType: request.headers['content-type'], body: request.body });
      const status = answers.shift() ?? 200;
      return reply.code(status).type('text/plain').send(status === 200 ? 'ok' : 'no');
    });
    const url = await receiver.listen({ host: '127.0.0.1', port: 0 });
    harness = await PipelineHarness.start({
      emulators: { generate: { count: 120, seed: 23 } },
      config: { notifications: { webhook: { url: `${url}/hooks/p2c/TOKEN-abc123`, uiUrl: 'http://localhost:8233/' } } },
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
    await receiver?.close();
  });

  const notices = () => received.map((r) => noticeSchema.parse(r.body));

  it('posts the pipeline, status, counts, top failure codes and the run link as JSON, and no account data', async () => {
    const handle = await harness.startSync({ pipeline: 'nightly', batchSize: 25 });
    const report = await handle.result();
    expect(report.failures.total).toBeGreaterThan(0);
    expect(received).toHaveLength(1);
    expect(received[0]?.contentType).toBe('application/json; charset=utf-8');
    const notice = notices()[0] as Notice;
    expect(notice).toMatchObject({
      pipeline: 'nightly',
      status: 'completed',
      dryRun: false,
      mode: 'full',
      counts: report.totals,
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      namespace: 'default',
      runUrl: `http://localhost:8233/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history`,
      startedAt: report.timings.startedAt,
      finishedAt: report.timings.finishedAt,
    });
    // Top codes, counted here from the report's failure list.
    const byCode = new Map<string, number>();
    for (const failure of report.failures.shown) byCode.set(failure.code, (byCode.get(failure.code) ?? 0) + 1);
    expect(report.failures.truncated).toBe(false);
    expect(notice.failures.total).toBe(report.failures.total);
    expect(Object.fromEntries(notice.failures.topCodes.map((c) => [c.code, c.count]))).toEqual(Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1]).slice(0, 5)));
    expect(notice.text).toContain(`p2c-sync nightly: completed. ${report.totals.read} read, ${report.totals.created} created`);
    expect(notice.text).toContain(notice.runUrl);

    const accounts = await readAllAccounts(harness.deps.dataverse);
    const personal = [...new Set(accounts.flatMap((a) => [a.name, a.emailaddress1, a.telephone1, a.accountnumber]).filter((v): v is string => typeof v === 'string' && v.length >= 5))];
    const sent = JSON.stringify(received[0]?.body);
    expect(personal.filter((value) => sent.includes(value))).toEqual([]);
  }, 60_000);

  it('retries a receiver that is briefly unavailable (503, 503, then 200): one notification arrives', async () => {
    received.length = 0;
    answers = [503, 503];
    const report = await harness.sync({ pipeline: 'retried', batchSize: 50 });
    expect(report.status).toBe('completed');
    expect(received.map((r) => (r.body as Notice).pipeline)).toEqual(['retried', 'retried', 'retried']);
  }, 60_000);

  it('announces a failed run with its failure type, and a receiver that refuses (400) is asked once and the run is unaffected', async () => {
    received.length = 0;
    answers = [400];
    const handle = await harness.startSync({ pipeline: 'refused', company: 'zz99' });
    await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'InvalidConfiguration' } });
    expect(received).toHaveLength(1);
    expect(notices()[0]).toMatchObject({ pipeline: 'refused', status: 'failed', failureType: 'InvalidConfiguration', counts: { read: 0 } });
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
  }, 60_000);

  it('completes the run when the receiver keeps failing (4 attempts) or is gone altogether', async () => {
    received.length = 0;
    answers = [500, 500, 500, 500, 500];
    const failing = await harness.sync({ pipeline: 'failing-receiver', batchSize: 50 });
    expect(failing.status).toBe('completed');
    expect(received).toHaveLength(4);

    await receiver.close();
    const started = Date.now();
    const gone = await harness.sync({ pipeline: 'no-receiver', batchSize: 50 });
    expect(gone.status).toBe('completed');
    // Attempts 1, 2 and 4 seconds apart, then the run ends: bounded.
    expect(Date.now() - started).toBeLessThan(40_000);
  }, 90_000);
});
