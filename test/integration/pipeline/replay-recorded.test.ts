import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { register } from 'tsx/cjs/api';
import { describe, expect, inject, it } from 'vitest';
import { payloadCodecFromEnvironment } from '../../../src/temporal/data-converter';
import { workerDataConverter } from '../../../src/temporal/data-converter';

// Runs and schedules in flight survive an upgrade only if the new workflow code replays the histories the old
// code wrote. These are histories recorded by earlier releases (test/fixtures/histories/README.md); each must
// replay against today's bundle without a nondeterminism error. A change to workflow commands needs `patched()`.
// The replay worker `require`s the failure converter by path with Node's own loader, as production does under tsx.
register();

const fixtures = path.resolve(__dirname, '../../fixtures/histories');
const codec = payloadCodecFromEnvironment({ P2C_PAYLOAD_KEYS: readFileSync(path.join(fixtures, 'payload-keys.txt'), 'utf8').trim() });
const releases = readdirSync(fixtures, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

describe('histories recorded by earlier releases', () => {
  it('has fixtures to replay', () => {
    expect(releases).toContain('release-0.1');
  });

  // Both bundles a worker may run: the pre-built one and the one `p2c worker` builds without tracing (the
  // OpenTelemetry interceptors add headers to commands, which replay does not compare).
  const bundles = [
    { name: 'with tracing', path: inject('workflowBundlePath') },
    { name: 'without tracing', path: inject('workflowBundleWithoutTracingPath') },
  ];
  for (const [release, bundle] of releases.flatMap((release) => bundles.map((bundle) => [release, bundle] as const))) {
    const files = readdirSync(path.join(fixtures, release)).filter((name) => name.endsWith('.json')).sort();
    it(`${release}: ${files.length} histories replay against the current workflow code (bundle ${bundle.name})`, async () => {
      expect(files.length).toBeGreaterThanOrEqual(7);
      const histories = files.map((name) => ({
        workflowId: `${release}/${name}`,
        history: JSON.parse(readFileSync(path.join(fixtures, release, name), 'utf8')) as unknown,
      }));
      const results = Worker.runReplayHistories(
        { workflowBundle: { codePath: bundle.path }, dataConverter: workerDataConverter(codec) },
        histories,
      );
      const failures: string[] = [];
      for await (const result of results) if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
      expect(failures).toEqual([]);
    });
  }
});
