import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureTemporalCli } from '../../src/temporal/ensure-temporal.cjs';

export interface MachineFacts {
  date: string;
  nproc: number;
  cpuModel: string;
  memoryGb: number;
  loadAverage1m: number;
  node: string;
  temporalCli: string;
}

/** What a figure was measured on: benchmarks on a shared 2-core machine are only comparable with this next to them. */
export function machineFacts(): MachineFacts {
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(ensureTemporalCli(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Reported as unknown; the run itself fails later if the CLI is missing.
  }
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
    temporalCli,
  };
}
