import { readFileSync } from 'node:fs';

export interface ProcessMemory {
  /** Resident set size now (MB). */
  rssMb: number;
  /** The kernel's high-water mark of the resident set since the process started (VmHWM, MB). */
  peakRssMb: number;
}

/**
 * Memory of another process from `/proc/<pid>/status` (Linux). The kernel keeps the peak itself, so a short spike
 * between two samples is not missed; undefined once the process is gone.
 */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const rss = kb('VmRSS');
  const peak = kb('VmHWM');
  if (!Number.isFinite(rss) || !Number.isFinite(peak)) return undefined;
  return { rssMb: rss / 1024, peakRssMb: peak / 1024 };
}

/**
 * Samples a process's RSS while a phase runs. The kernel's peak covers the whole life of the process (start-up
 * included); the sampled maximum covers only the time since `start`, e.g. the sync without the worker's start-up.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private maxSampledMb = 0;
  private samples = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling; the maximum sampled RSS and the kernel's peak at this moment. */
  stop(): { maxSampledRssMb: number; peakRssMb: number | undefined; samples: number } {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return { maxSampledRssMb: this.maxSampledMb, peakRssMb: readProcessMemory(this.pid)?.peakRssMb, samples: this.samples };
  }

  private sample(): void {
    const memory = readProcessMemory(this.pid);
    if (!memory) return;
    this.samples += 1;
    this.maxSampledMb = Math.max(this.maxSampledMb, memory.rssMb);
  }
}
