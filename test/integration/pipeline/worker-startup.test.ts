import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, type ConnectedClient } from '../../../src/temporal/client';
import { startDevServer, type DevServer } from '../../../src/temporal/dev-server';
import { freePort } from '../../../src/util/free-port';
import { syncAccounts } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor } from '../../support/worker-process';

const root = path.resolve(__dirname, '../../..');

/** The processes a `p2c worker` launcher started (Linux /proc: the kernel's own list). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// `p2c worker` exactly as shipped — no pre-built bundle, no node flags — started before its Temporal server exists:
// it builds the workflow bundle in a child process, runs with a bounded heap, keeps retrying the connection, picks
// up work once the server is there, and still drains and exits 0 on SIGTERM sent to the command's own process.
describe('p2c worker started before Temporal is up', () => {
  let harness: PipelineHarness;
  let server: DevServer | undefined;
  let connected: ConnectedClient | undefined;
  let worker: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let stdout = '';
  let stderr = '';
  const records = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    harness = await PipelineHarness.start({ inProcessWorker: false, emulators: { generate: { count: 120, seed: 5 } } });
  }, 60_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await connected?.close();
    await server?.stop();
    await harness?.close();
  });

  it('retries the connection with backoff, then syncs once the server is up, and shuts down cleanly', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const { P2C_WORKFLOW_BUNDLE: _prebuilt, ...env } = { ...process.env, ...harness.workerEnvironment(address) };
    delete env.NODE_OPTIONS;
    delete env.MALLOC_ARENA_MAX;
    worker = spawn(process.execPath, [path.join(root, 'bin', 'p2c.cjs'), 'worker', '--config', harness.writeConfigFile()], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    exited = new Promise((resolve) => worker.once('exit', (code, signal) => resolve({ code, signal })));
    const alive = () => worker.exitCode === null && worker.signalCode === null;

    // Two failed attempts, 1 s apart and then 2 s: it waits instead of exiting.
    const retries = () => records().filter((r) => r.message === 'Temporal unreachable, retrying');
    await waitFor(() => retries().length >= 2 || !alive(), 'two connection attempts', 90_000);
    expect(alive(), `${stdout}\n${stderr}`).toBe(true);
    expect(retries().slice(0, 2).map((r) => [r.attempt, r.retryInMs, r.target])).toEqual([
      [1, 1_000, address],
      [2, 2_000, address],
    ]);
    // The bundle was built by a child process, before connecting; the worker itself is a child of the command,
    // started with the bounded heap, V8's heap growing factor 2.2, 8 MB semi-spaces and two malloc arenas (glibc
    // reads MALLOC_ARENA_MAX from its environment).
    const built = records().find((r) => r.message === 'workflow bundle built');
    expect(built?.bytes).toBeGreaterThan(100_000);
    // No OTLP endpoint in its environment: its bundle leaves out OpenTelemetry's workflow interceptors.
    expect(built?.tracing).toBe(false);
    const [workerPid] = childrenOf(worker.pid ?? -1);
    expect(workerPid).toBeDefined();
    const argv = readFileSync(`/proc/${workerPid}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain('--max-old-space-size=256');
    expect(argv).toContain('--heap-growing-percent=120');
    expect(argv).toContain('--max-semi-space-size=8');
    expect(readFileSync(`/proc/${workerPid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');

    server = await startDevServer({ headless: true, port });
    connected = await connectClient({ address, namespace: 'default' });
    const report = await connected.client.workflow.execute(syncAccounts, {
      taskQueue: harness.taskQueue,
      workflowId: `worker-startup-${port}`,
      args: [{ batchSize: 50 }],
    });
    expect(report.totals.created).toBeGreaterThan(50);
    // The worker read the bundle when it started; the temporary file is gone.
    expect(typeof built?.codePath).toBe('string');
    expect(existsSync(String(built?.codePath))).toBe(false);

    worker.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(existsSync(`/proc/${workerPid}`)).toBe(false);
  }, 240_000);
});
