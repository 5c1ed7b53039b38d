import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { connectToEmulators } from '../dev/connect-to-emulators';
import type { ConnectedDependencies } from '../activities/dependencies';
import { startDemoCodec, type DemoCodec } from '../dev/demo-codec';
import { DEFAULT_TASK_QUEUE } from '../config/worker-environment';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';
import { connectClient, type ConnectedClient } from '../temporal/client';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { createWorker } from '../worker';
import { CliError } from './cli-error';
import { writeLine, type CliIo } from './cli-io';
import { validateSyncInput } from './sync/input-options';
import { renderReport } from './sync/report-view';
import { startSync } from './sync/start-sync';
import { displayFor, watchSync } from './sync/watch-sync';

/**
 * The worker's state changes at INFO would scroll the progress bar away; warnings and errors still show. The Rust
 * core's own log lines are forwarded to the same logger (as the worker process does, see worker-observability)
 * instead of being printed by the core straight to the terminal in its own format, whenever they happen.
 */
function quietWorkerLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
  } catch {
    // A runtime is already installed in this process; its logger stays.
  }
}

export interface DemoOptions {
  accounts: number;
  seed: number;
  keepRunning: boolean;
  uiPort?: number;
}

const NAMESPACE = 'default';
const PIPELINE = 'demo';

/**
 * `p2c demo` / `npm run demo`: the whole product on one machine — a Temporal dev server with its Web UI, the Dynamics
 * emulators with generated accounts, a worker in this process and one sync with live progress, started exactly as
 * `p2c sync start` starts one. Ctrl-C at any point stops everything this command started.
 */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<void> {
  quietWorkerLogs();
  let interrupted = false;
  let wakeInterrupt: () => void = () => undefined;
  const interruption = new Promise<void>((resolve) => {
    wakeInterrupt = resolve;
  });
  const removeHandler = io.onInterrupt(() => {
    interrupted = true;
    writeLine(io.stderr, '\nStopping the demo ...');
    wakeInterrupt();
  });
  const stopped = () => new CliError('demo interrupted: everything it started has been stopped', 130);

  let server: DevServer | undefined;
  let emulators: RunningEmulators | undefined;
  let codec: DemoCodec | undefined;
  let dependencies: ConnectedDependencies | undefined;
  let nativeConnection: NativeConnection | undefined;
  let client: ConnectedClient | undefined;
  let keyFile: { file: string; remove(): void } | undefined;
  // Printed once the worker has shut down (the report) and once everything is stopped (the last line), so nothing the
  // worker or the SDK logs while stopping can land after them.
  let report: string | undefined;
  let lastLine: string | undefined;
  try {
    writeLine(io.stdout, `Starting the Temporal dev server (with Web UI) and the Dynamics emulators with ${options.accounts.toLocaleString('en-US')} generated accounts ...`);
    codec = await startDemoCodec(io.env);
    const started = await Promise.allSettled([
      startDevServer({ uiCodecEndpoint: codec.endpoint, ...(options.uiPort ? { uiPort: options.uiPort } : {}) }),
      startEmulators({ generate: { count: options.accounts, seed: options.seed } }),
    ]);
    server = started[0].status === 'fulfilled' ? started[0].value : undefined;
    emulators = started[1].status === 'fulfilled' ? started[1].value : undefined;
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    if (interrupted || !server || !emulators) throw stopped();

    dependencies = connectToEmulators(emulators).deps;
    nativeConnection = await NativeConnection.connect({ address: server.address });
    client = await connectClient({ address: server.address, namespace: NAMESPACE, payloadCodec: codec.payloadCodec });
    writeLine(io.stdout, `Temporal:  ${server.address} (namespace ${NAMESPACE}), Web UI ${server.uiUrl ?? '(none)'}`);
    writeLine(io.stdout, 'Bundling the workflow code and starting a worker ...');
    const worker: Worker = await createWorker({
      connection: nativeConnection,
      namespace: NAMESPACE,
      taskQueue: DEFAULT_TASK_QUEUE,
      dependencies,
      payloadCodec: codec.payloadCodec,
    });
    if (interrupted) throw stopped();

    const temporal = client.client;
    const uiUrl = server.uiUrl;
    const expectedAccounts = emulators.dataverse.store.listAccounts().filter((account) => account.statecode === 0).length;
    const inactive = options.accounts - expectedAccounts;
    if (inactive > 0) {
      writeLine(
        io.stdout,
        `Of the ${options.accounts.toLocaleString('en-US')} generated accounts, ${expectedAccounts.toLocaleString('en-US')} are active: a sync reads active accounts only ` +
          `(statecode 0, as the template's source filter); the ${inactive.toLocaleString('en-US')} inactive ones are left out.`,
      );
    }
    // Ctrl-C also reaches the SDK, which shuts the worker down at once; the sync's promise then settles just after.
    const untilDone = worker.runUntil(async () => {
      const run = await startSync(temporal, {
        ...validateSyncInput({ pipeline: PIPELINE }),
        taskQueue: DEFAULT_TASK_QUEUE,
        startedBy: 'p2c demo',
        note: (line) => writeLine(io.stdout, line),
      });
      const link = uiUrl ? `${uiUrl}/namespaces/${NAMESPACE}/workflows/${run.workflowId}/${run.runId}/history` : undefined;
      writeLine(io.stdout, `Syncing: workflow ${run.workflowId}${link ? ` — watch it in the Web UI: ${link}` : ''}`);
      const finalReport = await watchSync(temporal, run.handle, {
        display: displayFor(io.stdout, false),
        stream: io.stdout,
        expectedAccounts,
        // Ctrl-C belongs to the demo here: it stops everything, not only the watching.
        onInterrupt: (stopWatching) => {
          void interruption.then(stopWatching);
          return () => undefined;
        },
        target: PIPELINE,
      }).catch((error: unknown) => {
        throw interrupted ? stopped() : error;
      });
      report = `\n${renderReport(finalReport, run)}`;
      if (options.keepRunning && !interrupted) {
        writeLine(io.stdout, report);
        report = undefined;
        if (link) writeLine(io.stdout, `\nWeb UI: ${link}`);
        const keys = codec?.generatedKeys ? writeDemoKeyFile(codec.generatedKeys) : undefined;
        keyFile = keys;
        const environment = keys ? `P2C_PAYLOAD_KEY_FILE=${keys.file}` : 'P2C_PAYLOAD_KEYS=<the same keys as the demo>';
        writeLine(io.stdout, '\nThe dev server, Web UI, emulators and worker keep running: press Ctrl-C to stop them.');
        if (keys) writeLine(io.stdout, `This run's payload key is in ${keys.file} (mode 600, removed when the demo stops).`);
        writeLine(io.stdout, `From another shell: ${environment} npx p2c --address ${server?.address ?? '?'} sync status ${PIPELINE}`);
        await interruption;
      } else if (link) {
        // The Web UI stops with the demo: a link printed now would lead nowhere.
        lastLine = '\nThe demo has stopped the Web UI with everything else; run it with --keep-running to browse this run there afterwards.';
      }
    }, { promiseCompletionTimeout: '5s' });
    await untilDone.catch((error: unknown) => {
      throw interrupted ? stopped() : error;
    });
    if (report !== undefined) writeLine(io.stdout, report);
  } finally {
    removeHandler();
    keyFile?.remove();
    // Everything closes even when something else failed: no process or port outlives the demo.
    await Promise.allSettled([client?.close(), nativeConnection?.close()]);
    await Promise.allSettled([dependencies?.close(), emulators?.close(), server?.stop(), codec?.close()]);
  }
  if (interrupted && !options.keepRunning) throw stopped();
  if (lastLine !== undefined) writeLine(io.stdout, lastLine);
}

/**
 * The key the demo made for itself, for the operator's other shell (`P2C_PAYLOAD_KEY_FILE`): in a directory only
 * this user can enter, in a file only this user can read, never on the terminal (scroll-back, screen shares).
 */
function writeDemoKeyFile(keys: string): { file: string; remove(): void } {
  const directory = mkdtempSync(path.join(tmpdir(), 'p2c-demo-'));
  const file = path.join(directory, 'payload-keys');
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return { file, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
