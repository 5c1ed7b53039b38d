import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import type { ConnectedDependencies } from '../../../src/activities/dependencies';
import { startCodecServer, type RunningCodecServer } from '../../../src/codec/codec-server';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';
import { clientDataConverter } from '../../../src/temporal/data-converter';
import { startDevServer, type DevServer } from '../../../src/temporal/dev-server';
import { freePort } from '../../../src/util/free-port';
import { createWorker } from '../../../src/worker';
import { syncAccounts, type SyncReport } from '../../../src/workflows';
import { testPayloadCodec, uniqueName } from '../../support/temporal';

// Debian's chromium, installed by .ci/run. Missing means the test fails: a skipped UI check would pass unseen.
const CHROMIUM = process.env.P2C_CHROMIUM_PATH ?? '/usr/bin/chromium';

// Acceptance: a dev server with its Web UI (the run-wide one is headless), the UI pointed at our codec endpoint,
// one completed encrypted run, and headless Chromium finding the run's status and summary on the run's page.
describe('the Temporal Web UI shows an encrypted run through the codec endpoint', () => {
  const codec = testPayloadCodec();
  const summary = 'p2c sync of pipeline default: full run';
  const codecCalls: { url: string; status: number; allowedOrigin: string | undefined }[] = [];
  let uiOrigin: string;
  let codecServer: RunningCodecServer;
  let server: DevServer;
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let worker: Worker;
  let browser: Browser;
  let page: Page;
  let workflowId: string;
  let report: SyncReport;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set P2C_CHROMIUM_PATH`);
    if (!codec) throw new Error('the test run encrypts payloads (global-setup.ts sets P2C_PAYLOAD_KEYS)');
    const uiPort = await freePort();
    uiOrigin = `http://127.0.0.1:${uiPort}`;
    codecServer = await startCodecServer({ codec, corsOrigins: [uiOrigin] });
    [server, emulators] = await Promise.all([
      startDevServer({ uiPort, uiCodecEndpoint: codecServer.url }),
      startEmulators({ generate: { count: 150, seed: 3 } }),
    ]);
    deps = connectToEmulators(emulators).deps;
    nativeConnection = await NativeConnection.connect({ address: server.address });
    connection = await Connection.connect({ address: server.address });
    const taskQueue = uniqueName('ui');
    worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      dependencies: deps,
      payloadCodec: codec,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const client = new Client({ connection, dataConverter: clientDataConverter(codec) });
    workflowId = uniqueName('ui-run');
    report = await worker.runUntil(async () => {
      const handle = await client.workflow.start(syncAccounts, { taskQueue, workflowId, args: [{}], staticSummary: summary });
      return await handle.result();
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('requestfinished', (request) => {
      if (!request.url().startsWith(codecServer.url)) return;
      void request.response().then((response) =>
        codecCalls.push({ url: request.url(), status: response?.status() ?? 0, allowedOrigin: response?.headers()['access-control-allow-origin'] }),
      );
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    await nativeConnection?.close();
    await deps?.close();
    await emulators?.close();
    await server?.stop();
    await codecServer?.close();
  });

  it("finds the run's status and its decoded result summary on the run's page", async () => {
    expect(report.status).toBe('completed');
    expect(report.totals.created).toBeGreaterThan(50);
    await page.goto(`${server.uiUrl}/namespaces/default/workflows/${workflowId}`);
    const body = page.locator('body');
    // The status badge heads the page, next to the run's id.
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`COMPLETED\\s+${workflowId}`));

    // The result is ciphertext in history; the page shows the report because the UI decoded it through the endpoint.
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toContain('"status": "completed"');
    const text = await body.innerText();
    expect(text).toContain(`"created": ${report.totals.created}`);
    expect(text).toContain(`"failed": ${report.totals.failed}`);
    expect(text).toContain(`"workflowId": "${workflowId}"`);

    const decodes = codecCalls.filter((call) => new URL(call.url).pathname === '/decode');
    expect(decodes.length).toBeGreaterThan(0);
    // Called from the browser, on the UI's origin, which the endpoint allowed.
    for (const call of decodes) expect(call).toMatchObject({ status: 200, allowedOrigin: uiOrigin });
  });

  it('shows the run summary from its user metadata, decoded too', async () => {
    const raw = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
    const stored = raw.events?.[0]?.userMetadata?.summary;
    expect(Buffer.from(stored?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');

    await page.getByRole('tab', { name: 'User Metadata' }).click();
    // The UI renders summaries (markdown) in a frame of their own.
    await page.frameLocator('iframe#user-metadata-summary').getByText(summary).waitFor({ timeout: 30_000 });
  });
});
