import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordFailure } from '../../../src/domain/record-failure';
import { MODE_ATTRIBUTE, OUTCOME_ATTRIBUTE, PIPELINE_ATTRIBUTE } from '../../../src/temporal/search-attributes';
import type { SyncProgress, SyncReport } from '../../../src/workflows';
import { readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { uniqueName } from '../../support/temporal';
import { waitFor } from '../../support/worker-process';
import { p2c, p2cProcess, temporalArgs } from './cli-runner';

const COMPANIES = ['usmf', 'demf'];

describe('p2c sync against the dev server, a worker and the emulators', () => {
  let harness: PipelineHarness;
  let scratch: string;
  let args: string[];
  const pipeline = uniqueName('cli');
  let first: SyncReport;
  /** Accounts of the first run whose only problem was the country, fixed before the retry. */
  let fixable: string[] = [];

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 300, seed: 11 } } });
    args = temporalArgs(harness.taskQueue);
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-cli-'));
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Visibility (what `workflow list` reads) trails history by a moment; the CLI's watermark lookup reads it. */
  async function visibleAsCompleted(workflowId: string, runs: number): Promise<void> {
    await waitFor(async () => {
      const { count } = await harness.env.client.workflow.count(`WorkflowId = '${workflowId}' AND ExecutionStatus = 'Completed'`);
      return count >= runs;
    }, `${runs} completed run(s) of ${workflowId} in visibility`);
  }

  it('sync start --wait --json (as a process) prints only the result JSON, under the pipeline id, with search attributes and memo', async () => {
    const result = await p2cProcess([...args, 'sync', 'start', '--pipeline', pipeline, '--batch-size', '50', '--wait', '--json']);
    expect(result.code, result.stderr).toBe(0);
    first = JSON.parse(result.stdout) as SyncReport;
    expect(first.status).toBe('completed');
    expect(first.mode).toBe('full');
    // The id the README documents for a run started by `p2c sync start`.
    expect(first.workflowId).toBe(`p2c-sync-${pipeline}`);
    expect(first.totals.created).toBeGreaterThan(100);
    expect(first.failures.total).toBeGreaterThan(0);
    expect(first.watermark.next).toMatch(/^delta:http.*\$deltatoken=/);
    expect(result.stderr).toContain('full sync');

    const description = await harness.env.client.workflow.getHandle(first.workflowId).describe();
    expect(description.typedSearchAttributes.get(PIPELINE_ATTRIBUTE)).toBe(pipeline);
    expect(description.typedSearchAttributes.get(MODE_ATTRIBUTE)).toBe('full');
    expect(description.memo).toMatchObject({ pipeline, startedBy: 'p2c sync start', configVersion: first.configVersion });
    const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
    expect(customers.size).toBe(first.totals.created);
  });

  it('sync status (as a process) shows the closed run\'s result, as JSON and as a table', async () => {
    const json = await p2cProcess([...args, 'sync', 'status', pipeline, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as { status: string; workflowId: string; report: SyncReport };
    expect(status.status).toBe('COMPLETED');
    expect(status.report.totals).toEqual(first.totals);

    const table = await p2c([...args, 'sync', 'status', `p2c-sync-${pipeline}`]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`total\\s+${first.totals.read.toLocaleString('en-US')}\\s+${first.totals.created.toLocaleString('en-US')}`));
    expect(table.stdout).toContain(`Next watermark:    ${first.watermark.next}`);
  });

  it('sync failures exports every failed record as properly quoted CSV (process, to a file) and as JSON', async () => {
    const file = path.join(scratch, 'failures.csv');
    const csv = await p2cProcess([...args, 'sync', 'failures', pipeline, '--format', 'csv', '--output', file]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain(`${first.failures.total} failed records`);
    const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(['severity', 'accountId', 'accountNumber', 'company', 'field', 'value', 'written', 'code', 'reason']);
    expect(rows).toHaveLength(first.failures.total);
    // The result holds every failure of this short run: the export must be the same records, field for field.
    const expected = first.failures.shown.map((f) => ({
      severity: 'failure',
      accountId: f.accountId,
      accountNumber: f.accountNumber ?? '',
      company: f.company ?? '',
      field: f.field ?? '',
      value: f.value ?? '',
      written: '',
      code: f.code,
      reason: f.reason,
    }));
    expect(rows).toEqual(expect.arrayContaining(expected));
    expect(rows.some((row) => /[",\n]/.test(row.reason ?? '') || /[",\n]/.test(row.value ?? ''))).toBe(true);

    const json = await p2c([...args, 'sync', 'failures', pipeline, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(expect.arrayContaining(first.failures.shown.map((f) => ({ severity: 'failure', ...f }))));
    expect((JSON.parse(json.stdout) as unknown[]).length).toBe(first.failures.total);
  });

  it('sync retry-failed re-runs only the failed accounts once their data was fixed, and moves no watermark', async () => {
    const byAccount = new Map<string, RecordFailure[]>();
    for (const failure of first.failures.shown) byAccount.set(failure.accountId, [...(byAccount.get(failure.accountId) ?? []), failure]);
    fixable = [...byAccount].filter(([, failures]) => failures.every((f) => f.code === 'UNKNOWN_COUNTRY')).map(([id]) => id);
    expect(fixable.length).toBeGreaterThan(0);
    for (const id of fixable) await harness.deps.dataverse.update('accounts', id, { address1_country: 'United States' }, {});
    const writesBefore = harness.emulators.fno.admin.counters.snapshot().writes;
    const customersBefore = (await readAllCustomers(harness.deps.fno, COMPANIES)).size;

    const result = await p2c([...args, 'sync', 'retry-failed', pipeline, '--wait', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Retrying ${byAccount.size} failed account(s)`);
    const retry = JSON.parse(result.stdout) as SyncReport;
    expect(retry.status).toBe('completed');
    expect(retry.watermark.next).toBeUndefined();
    // Only the failed accounts were looked at; the fixed ones were written, nothing else.
    const failedIds = new Set(byAccount.keys());
    for (const failure of retry.failures.shown) expect(failedIds.has(failure.accountId), failure.reason).toBe(true);
    for (const id of fixable) {
      expect(retry.failures.shown.filter((f) => f.accountId === id && f.code === 'UNKNOWN_COUNTRY')).toEqual([]);
    }
    expect(retry.totals.created).toBeGreaterThan(0);
    expect(retry.totals.created).toBeLessThanOrEqual(fixable.length);
    expect(retry.totals.updated).toBe(0);
    expect(harness.emulators.fno.admin.counters.snapshot().writes - writesBefore).toBe(retry.totals.created);
    expect((await readAllCustomers(harness.deps.fno, COMPANIES)).size).toBe(customersBefore + retry.totals.created);
    expect(retry.failures.total).toBeLessThan(first.failures.total);
  });

  it('sync plan shows would-update with field differences from the last watermark, and writes nothing', async () => {
    await visibleAsCompleted(`p2c-sync-${pipeline}`, 2);
    const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
    const accounts = harness.emulators.dataverse.store.listAccounts();
    const changed = accounts.filter((a) => a.statecode === 0 && a.accountnumber && customers.has(`usmf|${a.accountnumber.toUpperCase()}`)).slice(0, 2);
    expect(changed).toHaveLength(2);
    for (const [index, account] of changed.entries()) {
      await harness.deps.dataverse.update('accounts', account.accountid, { telephone1: `+1 555 0199 ${index}` }, {});
    }
    const writesBefore = harness.emulators.fno.admin.counters.snapshot().writes;

    const result = await p2c([...args, 'sync', 'plan', '--pipeline', pipeline, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Incremental from ${first.watermark.next}`);
    const plan = JSON.parse(result.stdout) as {
      mode: string;
      since: string;
      wouldCreate: unknown[];
      wouldUpdate: { accountId: string; fields: { field: string; from: unknown; to: unknown }[] }[];
      wouldFail: RecordFailure[];
    };
    expect(plan.mode).toBe('incremental');
    expect(plan.since).toBe(first.watermark.next);
    // Changed since the watermark: the two phones, and the accounts fixed for the retry. A fixed account F&O still
    // refused (e.g. a currency it does not know) would be created again; nothing else is.
    const customerIds = new Set([...customers.values()].map((row) => String(row.CustomerAccount).toUpperCase()));
    for (const entry of plan.wouldCreate as { accountId: string; accountNumber: string }[]) {
      expect(fixable).toContain(entry.accountId);
      expect(customerIds.has(entry.accountNumber.toUpperCase())).toBe(false);
    }
    expect(plan.wouldUpdate.map((entry) => entry.accountId).sort()).toEqual(changed.map((a) => a.accountid).sort());
    for (const [index, account] of changed.entries()) {
      const entry = plan.wouldUpdate.find((e) => e.accountId === account.accountid);
      expect(entry?.fields).toContainEqual(expect.objectContaining({ field: 'PrimaryContactPhone', to: `+1 555 0199 ${index}` }));
    }
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(writesBefore);

    const text = await p2c([...args, 'sync', 'plan', '--pipeline', pipeline, '--limit', '1']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Would update (2):');
    expect(text.stdout).toMatch(/PrimaryContactPhone: .* → "\+1 555 0199 [01]"/);
    expect(text.stdout).toContain('… and 1 more');
  });

  it('sync start picks up the last completed run\'s watermark and says so', async () => {
    await visibleAsCompleted(`p2c-sync-${pipeline}`, 3);
    const result = await p2c([...args, 'sync', 'start', '--pipeline', pipeline, '--wait']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Incremental from ${first.watermark.next}`);
    expect(result.stdout).toMatch(/Result:\s+completed, incremental since delta:http\S*\$deltatoken=/);
    // Non-terminal output: progress as lines, ending at 100%, then the summary table.
    expect(result.stdout).toMatch(/\d\d:\d\d:\d\d {2}done {2}100% {2}read \d+/);
    expect(result.stdout).toMatch(/total\s+\d+\s+0\s+2\s+/);
  });

  it('never runs a pipeline twice at once; pause, resume and cancel steer the running one', async () => {
    const slow = ['sync', 'start', '--pipeline', pipeline, '--mode', 'full', '--unit-size', '10', '--max-concurrent-units', '1'];
    const started = await p2c([...args, ...slow, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { workflowId, runId } = JSON.parse(started.stdout) as { workflowId: string; runId: string };

    const paused = await p2c([...args, 'sync', 'pause', pipeline]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('Pause requested');
    const progress = async () => {
      const status = await p2c([...args, 'sync', 'status', pipeline, '--json']);
      expect(status.code, status.stderr).toBe(0);
      return (JSON.parse(status.stdout) as { progress: SyncProgress }).progress;
    };
    await waitFor(async () => (await progress()).paused, 'the run to report paused');

    const second = await p2c([...args, ...slow]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pipeline '${pipeline}' is already running: workflow ${workflowId}, run ${runId}`);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);

    const table = await p2c([...args, 'sync', 'status', pipeline]);
    expect(table.stdout).toMatch(/Status:\s+running — paused/);

    expect((await p2c([...args, 'sync', 'resume', pipeline])).code).toBe(0);
    await waitFor(async () => !(await progress()).paused, 'the run to resume');
    const cancel = await p2c([...args, 'sync', 'cancel', pipeline]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain('Cancellation requested: the run stops within seconds and ends as cancelled');
    await expect(harness.env.client.workflow.getHandle(workflowId).result()).rejects.toThrow('Workflow execution cancelled');
    const description = await harness.env.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('CANCELLED');
    await waitFor(async () => (await harness.env.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(OUTCOME_ATTRIBUTE) === 'cancelled', 'the outcome label');

    const closed = await p2c([...args, 'sync', 'pause', pipeline]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/is not running: cancelled/);
    // Its partial progress stays readable.
    const status = await p2c([...args, 'sync', 'status', pipeline]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/cancelled at .*; what it did:/);
  });

  it('refuses bad input client-side with the workflow\'s own messages, in one line, and unknown runs by name', async () => {
    const bad = await p2cProcess([...args, 'sync', 'start', '--pipeline', 'Bad_Name', '--unit-size', '0', '--company', 'USMF']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'p2c: Invalid input: pipeline: must be 1-63 lower-case letters, digits or dashes; companies[0]: must be a lower-case company id (dataAreaId) of 1 to 4 letters or digits, such as "usmf"; unitSize: must be between 1 and 2000',
    );
    const missing = await p2c([...args, 'sync', 'status', 'no-such-pipeline']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no sync run found for 'no-such-pipeline'");
    const blank = await p2c([...args, 'sync', 'status', ' ']);
    expect(blank.stderr.trim()).toBe('p2c: invalid <pipeline|workflow-id>: must name a pipeline or a workflow id');
    // A run refused by its preflight ends the command with the problems, in one line.
    const refused = await p2c([...args, 'sync', 'start', '--pipeline', uniqueName('refused'), '--company', 'zz', '--wait']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe("p2c: the run failed: Invalid configuration: companies: 'zz' is not configured (configured: usmf, demf)");
    const address = await p2c(['--address', 'nonsense', 'sync', 'status', pipeline]);
    expect(address.stderr.trim()).toBe('p2c: invalid options: --address: must be host:port, e.g. 127.0.0.1:7233');
  });
});
