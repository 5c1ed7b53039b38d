import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli } from './ensure-temporal.cjs';
import { freePort } from '../util/free-port';
import { customSearchAttributes } from './search-attributes';

export interface DevServerOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; the UI is disabled when `headless` is set. */
  uiPort?: number;
  headless?: boolean;
  /** Persist state to this SQLite file (survives restarts); in memory when omitted. */
  dbFilename?: string;
  /** Passed to the UI so it can decode encrypted payloads. */
  uiCodecEndpoint?: string;
  /** How long to wait for the frontend to answer. */
  startTimeoutMs?: number;
  /** Where the server's own output goes; discarded when omitted. */
  onOutput?: (line: string) => void;
  /** The `temporal` executable; the project's pinned CLI when omitted (tests give a stand-in). */
  cli?: string;
}

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the Temporal CLI's `temporal server start-dev`: the real server, on SQLite, with the project's custom
 * search attributes. Used by the test harness, the demo and the benchmarks.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = options.cli ?? ensureTemporalCli();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(cli, options);
    } catch (error) {
      // start-dev now and then panics while its services start (a nil listener: temporalio/cli#667) and exits; a
      // fresh start (on fresh ports, unless the caller chose them) comes up. Any other failure, or this one too often,
      // is the caller's.
      if (!(error instanceof ServerExitedDuringStart) || attempt >= START_ATTEMPTS) throw error;
    }
  }
}

/** Starts of the server before the start gives up, when each exits before its frontend answered. */
export const START_ATTEMPTS = 3;

/** The server process ended before its frontend answered. */
class ServerExitedDuringStart extends Error {}

async function startOnce(cli: string, options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const uiPort = options.headless ? undefined : (options.uiPort ?? (await freePort()));
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--log-level', 'error',
    // What the SDK's own CI uses: far fewer fsyncs on a 2-core machine.
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=OFF',
    ...Object.entries(customSearchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      output.push(line);
      if (output.length > 50) output.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stopProcess(child);
    const detail = output.slice(-10).join('\n');
    const message = `${(error as Error).message}${detail ? `\nserver output:\n${detail}` : ''}`;
    throw error instanceof ServerExitedDuringStart ? new ServerExitedDuringStart(message) : new Error(message);
  }
  return {
    address,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    pid: child.pid,
    stop: () => stopProcess(child),
  };
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new ServerExitedDuringStart(`temporal server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        // The namespace is registered a moment after the frontend answers.
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`temporal server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
