import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { SyncMetrics } from '../../../src/observability/sync-metrics';

// The alert rules as Prometheus itself reads them: promtool (Debian's `prometheus` package, installed by
// scripts/bootstrap.cjs --with-browser, or P2C_PROMTOOL_PATH) checks their syntax and runs the series in
// prometheus/alerts.test.yml through them.
const root = path.join(__dirname, '../../..');
const promtool = process.env.P2C_PROMTOOL_PATH ?? 'promtool';
const run = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(promtool, args, { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT') throw new Error(`promtool not found (${promtool}): run \`node scripts/bootstrap.cjs --with-browser\` or set P2C_PROMTOOL_PATH`);
    return { code: Number(failed.code), output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};

const rulesFile = path.join(root, 'deploy/prometheus/alerts.yml');
const rules = z
  .object({ groups: z.array(z.object({ name: z.string(), rules: z.array(z.object({ alert: z.string(), expr: z.string(), labels: z.record(z.string(), z.string()) })) })) })
  .parse(parse(readFileSync(rulesFile, 'utf8')))
  .groups.flatMap((group) => group.rules);

describe('alert rules (deploy/prometheus/alerts.yml)', () => {
  it('pass `promtool check rules`, and the Prometheus configuration that loads them passes `promtool check config`', async () => {
    const checked = await run('check', 'rules', rulesFile);
    expect(checked.output).toContain('SUCCESS: 6 rules found');
    expect(checked.code).toBe(0);
    const config = await run('check', 'config', 'deploy/prometheus/prometheus.yml');
    expect(config.output).toContain('SUCCESS: 1 rule files found');
    expect(config.code).toBe(0);
  });

  it('fire on the test series as expected (`promtool test rules`)', async () => {
    const tested = await run('test', 'rules', 'test/unit/deploy/prometheus/alerts.test.yml');
    expect(tested.output).toContain('SUCCESS');
    expect(tested.code).toBe(0);
  }, 30_000);

  it('cover each condition of the issue, each with a severity', () => {
    expect(rules.map((rule) => rule.alert)).toEqual([
      'P2CRunFailed',
      'P2CRunFailedRecords',
      'P2CScheduledPipelineOverdue',
      'P2CThrottlingSustained',
      'P2CWorkerDown',
      'P2CNoWorker',
    ]);
    for (const rule of rules) expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
  });

  it('query only metrics the worker exports', () => {
    const metrics = new SyncMetrics();
    const exported = new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
    metrics.close();
    const queried = new Set(rules.flatMap((rule) => rule.expr.match(/\bp2c_[a-z_]+/g) ?? []));
    expect([...queried].sort()).toEqual([
      'p2c_api_throttled_total',
      'p2c_run_last_end_timestamp_seconds',
      'p2c_run_last_failed_records',
      'p2c_scheduled_run_last_success_timestamp_seconds',
    ]);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });
});
