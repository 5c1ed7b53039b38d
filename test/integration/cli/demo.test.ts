import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/worker-process';

const root = path.resolve(__dirname, '..', '..', '..');

/** `p2c demo` as a process, as `npm run demo` runs it, with its output collected as it comes. */
class DemoProcess {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [path.join(root, 'bin', 'p2c.cjs'), 'demo', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Processes the demo started (the Temporal dev server); they must be gone once it exits. */
  children(): number[] {
    try {
      return execFileSync('ps', ['-o', 'pid=', '--ppid', String(this.pid)], { encoding: 'utf8' }).split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
    } catch {
      return [];
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'stat=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '(gone)';
  }
}

/**
 * Every process the demo started is gone. A helper such as tsx's esbuild service ends on its own when its parent's
 * pipe closes, a moment after the demo exits, so the check allows a few seconds before it names what is left.
 */
async function expectAllGone(pids: number[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const left = pids.filter(alive).map((pid) => `${pid} ${commandOf(pid)}`);
  expect(left, 'processes that outlived the demo').toEqual([]);
}

describe('p2c demo', () => {
  it('runs a sync to 100%, prints the summary and the Web UI link, and exits 0 leaving no process behind', async () => {
    const demo = new DemoProcess(['--accounts', '300']);
    try {
      await waitFor(() => demo.output.includes('Temporal:'), 'the dev server', 90_000);
      const started = demo.children();
      expect(started.length).toBeGreaterThan(0);
      expect(await demo.exited, demo.output).toBe(0);
      expect(demo.output).toMatch(/done {2}100% {2}read \d+/);
      expect(demo.output).toMatch(/Result:\s+completed, full sync/);
      expect(demo.output).toMatch(/total\s+\d+\s+\d+\s+0\s+0\s+\d+\s+0/);
      // While it runs, the link to the run; at the end, no link to a Web UI that has stopped.
      expect(demo.output).toMatch(/watch it in the Web UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/p2c-sync-demo\/[0-9a-f-]+\/history/);
      expect(demo.output).not.toMatch(/^Web UI: /m);
      // The progress query in flight when the run ended was answered, not abandoned to expire in the worker.
      expect(demo.output).not.toContain('query task not found');
      expect(demo.output.trim().split('\n').at(-1)).toBe(
        'The demo has stopped the Web UI with everything else; run it with --keep-running to browse this run there afterwards.',
      );
      // Why fewer accounts are read than were generated: the inactive ones.
      const note = /Of the 300 generated accounts, (\d+) are active: a sync reads active accounts only \(statecode 0, as the template's source filter\); the (\d+) inactive ones are left out\./.exec(demo.output);
      expect(note).not.toBeNull();
      expect(Number(note?.[1]) + Number(note?.[2])).toBe(300);
      expect(Number(note?.[2])).toBeGreaterThan(0);
      expect(demo.output).toMatch(new RegExp(`done {2}100% {2}read ${note?.[1]}\\b`));
      await expectAllGone(started);
    } finally {
      demo.kill();
    }
  }, 120_000);

  it('--keep-running keeps the Web UI up until Ctrl-C, hands its payload key over in a 0600 file, then stops everything', async () => {
    // No keys in the environment: the demo makes one for itself.
    const { P2C_PAYLOAD_KEYS: _keys, ...withoutKeys } = process.env;
    const demo = new DemoProcess(['--accounts', '200', '--keep-running'], withoutKeys);
    try {
      await waitFor(() => demo.output.includes('press Ctrl-C to stop them'), 'the summary', 90_000);
      await waitFor(() => demo.output.includes('sync status demo'), 'the hint for another shell', 5_000);
      const keyFile = /This run's payload key is in (\S+) \(mode 600, removed when the demo stops\)\./.exec(demo.output)?.[1] as string;
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const hint = /From another shell: P2C_PAYLOAD_KEY_FILE=(\S+) npx p2c --address (\S+) sync status demo/.exec(demo.output);
      expect(hint?.[1]).toBe(keyFile);
      // The hint works: the other shell reads the run's (encrypted) result with that key.
      const status = spawnSync(process.execPath, [path.join(root, 'bin', 'p2c.cjs'), '--address', hint?.[2] as string, 'sync', 'status', 'demo', '--json'], {
        cwd: root,
        env: { ...withoutKeys, P2C_PAYLOAD_KEY_FILE: keyFile },
        encoding: 'utf8',
      });
      expect(status.status, status.stderr).toBe(0);
      expect((JSON.parse(status.stdout) as { report: { status: string } }).report.status).toBe('completed');
      const started = demo.children();
      expect(started.length).toBeGreaterThan(0);
      const link = /Web UI: (http:\/\/\S+)/.exec(demo.output)?.[1] as string;
      const page = await fetch(link);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);

      demo.signal('SIGINT');
      expect(await demo.exited, demo.output).toBe(0);
      await expectAllGone(started);
      await expect(fetch(link)).rejects.toThrow();
      expect(existsSync(keyFile)).toBe(false);
    } finally {
      demo.kill();
    }
  }, 120_000);

  it('Ctrl-C during the sync stops the worker, the emulators and the dev server, and says so', async () => {
    const demo = new DemoProcess(['--accounts', '20000']);
    try {
      await waitFor(() => demo.output.includes('Syncing: workflow'), 'the sync to start', 90_000);
      const started = demo.children();
      expect(started.length).toBeGreaterThan(0);
      demo.signal('SIGINT');
      expect(await demo.exited, demo.output).toBe(130);
      expect(demo.output).not.toContain('Result:');
      expect(demo.output).toContain('p2c: demo interrupted: everything it started has been stopped');
      await expectAllGone(started);
    } finally {
      demo.kill();
    }
  }, 120_000);
});
