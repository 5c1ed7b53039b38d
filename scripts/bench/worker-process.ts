import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
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
  /** A workflow bundle built beforehand (P2C_WORKFLOW_BUNDLE, as in the Docker image); the worker builds one when omitted. */
  workflowBundleFile?: string;
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
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), path.join(root, 'bin', 'p2c.cjs'), 'worker', '--config', options.configFile], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: options.namespace ?? 'default',
        P2C_TASK_QUEUE: options.taskQueue,
        P2C_DATAVERSE_CLIENT_SECRET: options.clientSecret,
        P2C_FNO_CLIENT_SECRET: options.clientSecret,
        ...(options.workflowBundleFile ? { P2C_WORKFLOW_BUNDLE: options.workflowBundleFile } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child, options.logFile);
  }

  /** The `p2c` process this started: the launcher when bin/p2c.cjs put one in front of the worker. Signals go here. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /**
   * The process that runs the worker: bin/p2c.cjs starts `worker` again with a bounded heap as its only child and
   * stays in front of it, unless the node options already set a heap limit (then the worker is `pid` itself, and its
   * only child, while it starts, is the workflow bundler: `p2c bundle-workflows`).
   */
  get workerPid(): number {
    return childPids(this.pid).find((pid) => commandLine(pid).includes('worker')) ?? this.pid;
  }

  /** The worker's memory (not the launcher's). */
  memory(): ProcessMemory | undefined {
    return readProcessMemory(this.workerPid);
  }

  /** The launcher's own memory, when there is one in front of the worker. */
  launcherMemory(): ProcessMemory | undefined {
    return this.workerPid === this.pid ? undefined : readProcessMemory(this.pid);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
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

/** A process's children from /proc (Linux), or none once it is gone. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}
