import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** A `p2c worker` in its own process, as operators run it — so a test can SIGKILL it mid-run. */
export class WorkerProcess {
  private output: string[] = [];
  /** JSON log lines seen so far, by `message` (the worker's logger writes one JSON object per line). */
  private readonly messages = new Map<string, number>();
  private partialLine = '';
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output.push(text);
      if (this.output.length > 200) this.output.shift();
      this.countMessages(text);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(configFile: string, env: NodeJS.ProcessEnv): WorkerProcess {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'p2c.cjs'), 'worker', '--config', configFile], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child);
  }

  /** How many log lines with this `message` the worker wrote, e.g. 'activity completed'. */
  messageCount(message: string): number {
    return this.messages.get(message) ?? 0;
  }

  private countMessages(text: string): void {
    const lines = (this.partialLine + text).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const { message } = JSON.parse(line) as { message?: unknown };
        if (typeof message === 'string') this.messages.set(message, (this.messages.get(message) ?? 0) + 1);
      } catch {
        // Not a log record (a JSON-looking line of something else): not counted.
      }
    }
  }

  /** What the worker printed, for a failing test's message. */
  get log(): string {
    return this.output.join('');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
