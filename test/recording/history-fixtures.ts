import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { ensureTemporalCli } from '../../src/temporal/ensure-temporal.cjs';

/**
 * Where the recorders write (`test/fixtures/histories/<P2C_RECORD_RELEASE>`), with the fixtures' own payload key in
 * the environment (test/fixtures/histories/payload-keys.txt, a test key that protects nothing), so the fixtures
 * replay with the production codec.
 */
export function historyFixturesTarget(): string {
  const fixtures = path.resolve(__dirname, '../fixtures/histories');
  process.env.P2C_PAYLOAD_KEYS = readFileSync(path.join(fixtures, 'payload-keys.txt'), 'utf8').trim();
  return path.join(fixtures, process.env.P2C_RECORD_RELEASE ?? 'unreleased');
}

/** Writes every execution of the chain (continue-as-new included) as `<target>/<scenario>-<n>.json`; returns how many. */
export async function recordHistoryChain(client: Client, temporalAddress: string, target: string, scenario: string, workflowId: string): Promise<number> {
  const runIds: string[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(execution.runId);
  runIds.reverse();
  for (const [index, runId] of runIds.entries()) {
    // The Temporal CLI's JSON is the format `Worker.runReplayHistories` and `temporal workflow show` share.
    const json = execFileSync(ensureTemporalCli(), ['workflow', 'show', '--address', temporalAddress, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    writeFileSync(path.join(target, `${scenario}-${index + 1}.json`), json);
  }
  return runIds.length;
}
