import { spawn } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { EmulatorProcess, type EmulatorCounters, type EmulatorProcessOptions } from './emulator-process';
import { writeEmulatorSyncConfig, type SyncLimitsOverride } from './emulator-sync-config';
import type { BaselineJob } from './baseline-process';

const countersSchema = z.object({ read: z.number(), created: z.number(), updated: z.number(), unchanged: z.number(), failed: z.number(), outOfScope: z.number() });
const baselineResultSchema = z.object({
  totals: countersSchema,
  failures: z.number(),
  accountNumbersAssigned: z.number(),
  units: z.number(),
  seconds: z.number(),
  numberingSeconds: z.number(),
  watermark: z.string(),
  peakRssMb: z.number(),
});

export type BaselineResult = z.infer<typeof baselineResultSchema>;

export interface BaselineRunOptions {
  scratch: string;
  accounts: number;
  seed: number;
  emulators: Omit<EmulatorProcessOptions, 'generate' | 'seed'>;
  limits: SyncLimitsOverride;
  input: { batchSize: number; maxConcurrentBatches: number; pageSize: number };
  timeoutMs: number;
  log: (line: string) => void;
}

export interface BaselineRun extends BaselineResult {
  accountsPerSecond: number;
  counters: { dataverse: EmulatorCounters; fno: EmulatorCounters };
}

/** The baseline on fresh emulators (same accounts, same seed), in its own process like the worker. */
export async function runBaseline(options: BaselineRunOptions): Promise<BaselineRun> {
  options.log(`baseline: starting emulators with ${options.accounts.toLocaleString('en-US')} generated accounts`);
  const emulators = await EmulatorProcess.start({ ...options.emulators, generate: options.accounts, seed: options.seed });
  try {
    const { file } = writeEmulatorSyncConfig(emulators, options.scratch, options.limits);
    const job: BaselineJob = { configFile: file, clientSecret: emulators.clientSecret, ...options.input };
    options.log('baseline: direct sync (same activities, no Temporal)');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'baseline-process.ts')], {
      cwd: path.resolve(__dirname, '..', '..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(JSON.stringify(job));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`the baseline process failed with exit code ${code} (killed after ${options.timeoutMs} ms?)`);
    const result = baselineResultSchema.parse(JSON.parse(output.trim().split('\n').pop() ?? ''));
    const counters = { dataverse: await emulators.counters('dataverse'), fno: await emulators.counters('fno') };
    options.log(`baseline: ${result.seconds.toFixed(1)} s`);
    return { ...result, accountsPerSecond: options.accounts / result.seconds, counters };
  } finally {
    await emulators.stop();
  }
}
