import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import type { ConnectedDependencies } from '../../../src/activities/dependencies';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';
import { clientDataConverter } from '../../../src/temporal/data-converter';
import { startDevServer, type DevServer } from '../../../src/temporal/dev-server';
import { createWorker } from '../../../src/worker';
import { syncAccounts } from '../../../src/workflows';
import { testPayloadCodec, uniqueName } from '../../support/temporal';

const CHROMIUM = process.env.P2C_CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The README's saved view "Runs with failures". */
const RUNS_WITH_FAILURES = "WorkflowType = 'syncAccounts' AND P2cFailed > 0 AND P2cDryRun = false";
/** The columns the README says to add (Configure columns), as the UI keeps them per namespace in local storage. */
const COLUMNS = ['Status', 'Workflow ID', 'P2cPipeline', 'P2cOutcome', 'P2cCreated', 'P2cUpdated', 'P2cFailed', 'P2cDryRun', 'Start'];

// Acceptance: runs started without any search attribute (as the UI's start form does) — a real run with failures,
// a dry run, and a clean incremental run — appear in the Web UI's workflow list with their outcome columns, and
// the saved filter for runs with failures lists the real run only.
describe('the Web UI lists runs with their outcome and finds the runs with failures', () => {
  let server: DevServer;
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let browser: Browser;
  let page: Page;
  const ids = { failed: uniqueName('ui-real'), dry: uniqueName('ui-dry'), clean: uniqueName('ui-clean') };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set P2C_CHROMIUM_PATH`);
    [server, emulators] = await Promise.all([startDevServer({}), startEmulators({ generate: { count: 120, seed: 5 } })]);
    deps = connectToEmulators(emulators).deps;
    nativeConnection = await NativeConnection.connect({ address: server.address });
    connection = await Connection.connect({ address: server.address });
    const taskQueue = uniqueName('ui-outcomes');
    const worker: Worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      dependencies: deps,
      payloadCodec: testPayloadCodec(),
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const client = new Client({ connection, dataConverter: clientDataConverter(testPayloadCodec()) });
    await worker.runUntil(async () => {
      const run = async (workflowId: string, input: Parameters<typeof syncAccounts>[0]) =>
        await (await client.workflow.start(syncAccounts, { taskQueue, workflowId, args: [input] })).result();
      const real = await run(ids.failed, { pipeline: 'ui' });
      expect(real.failures.total).toBeGreaterThan(0);
      await run(ids.dry, { pipeline: 'ui', dryRun: true });
      await run(ids.clean, { pipeline: 'ui', since: real.watermark.next });
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1800, height: 1000 } });
    await page.addInitScript((columns: string[]) => {
      // Runs in the page; the test's own types know no DOM.
      (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('namespace-workflow-table-columns', JSON.stringify({ default: columns.map((label, index) => ({ label, pinned: index < 2 })) }));
    }, COLUMNS);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    await nativeConnection?.close();
    await deps?.close();
    await emulators?.close();
    await server?.stop();
  });

  it('shows the outcome columns, and the saved filter lists only the run with failures', async () => {
    await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent("WorkflowType = 'syncAccounts'")}`);
    const body = page.locator('body');
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toContain(ids.clean);
    const all = await body.innerText();
    for (const column of ['P2cOutcome', 'P2cCreated', 'P2cFailed', 'P2cDryRun']) expect(all).toContain(column);
    for (const id of Object.values(ids)) expect(all).toContain(id);
    for (const outcome of ['with-failures', 'dry-run', 'ok']) expect(all).toMatch(new RegExp(`\\b${outcome}\\b`));

    await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(RUNS_WITH_FAILURES)}`);
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toContain(ids.failed);
    const filtered = await body.innerText();
    expect(filtered).toContain('with-failures');
    expect(filtered).not.toContain(ids.dry);
    expect(filtered).not.toContain(ids.clean);
  });
});
