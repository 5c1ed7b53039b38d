import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { readProcessMemory, type ProcessMemory } from './process-memory';

const root = path.resolve(__dirname, '..', '..');

export interface WorkerProcessOptions {
  configFile: string;
  temporalAddress: string;
  taskQueue: string;
  clientSecret: string;
  namespace?: string;
  /** Extra `node` flags. */
  nodeOptions?: string[];
  /** Also append everything the worker prints to this file. */
  logFile?: string;
  /**
   * A different worker entry (a TypeScript file run with tsx, given the configuration file and then `entryArgs`);
   * `p2c worker` when omitted.
   */
  entry?: { file: string; args: string[] };
}

/**
 * `p2c worker` in its own process, as operators run it: its memory is its own (the kernel's RSS figures are read
 * from /proc), and it can be SIGKILLed at any moment.
 */
export class WorkerProcess {
  private readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    logFile: string | undefined,
  ) {
    const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    const keep = (chunk: Buffer) => {
      file?.write(chunk);
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        file?.end();
        resolve({ code, signal });
      }),
    );
  }

  static start(options: WorkerProcessOptions): WorkerProcess {
    const command = options.entry
      ? ['--require', 'tsx/cjs', options.entry.file, options.configFile, ...options.entry.args]
      : [path.join(root, 'bin', 'p2c.cjs'), 'worker', '--config', options.configFile];
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), ...command], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: options.namespace ?? 'default',
        P2C_TASK_QUEUE: options.taskQueue,
        P2C_DATAVERSE_CLIENT_SECRET: options.clientSecret,
        P2C_FNO_CLIENT_SECRET: options.clientSecret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child, options.logFile);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  memory(): ProcessMemory | undefined {
    return readProcessMemory(this.pid);
  }

  /** What the worker printed lately, for an error message. */
  get log(): string {
    return this.output.join('');
  }

  /** SIGKILL: no shutdown, no goodbye to the server — a crashed host. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the worker drains (its shutdown grace time), then exits; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
