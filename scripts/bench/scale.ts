import { unlimitedEmulatorLimits } from './emulator-process';
import type { SyncLimitsOverride } from './emulator-sync-config';
import { runPipeline, type RunSettings, type ScenarioContext } from './pipeline-run';
import { count, fixed, formatTable, type Row } from './table';
import { summarisePipeline, type PipelineSummary } from './throughput';

export interface ScaleOptions extends ScenarioContext, RunSettings {
  sizes: number[];
}

export interface ScaleResult {
  scenario: 'scale';
  settings: { batchSize: number; maxConcurrentBatches: number; pageSize: number; limits: SyncLimitsOverride };
  runs: (PipelineSummary & { accounts: number })[];
  /** Worker peak RSS of the largest run over the smallest: 1 means memory does not grow with N. */
  rssGrowth: number;
  table: string;
}

const RSS_TARGET_MB = 400;
const EVENTS_TARGET = 30;
/** Temporal warns at 10,240 events per execution; continue-as-new must keep every execution far below. */
const EVENTS_PER_EXECUTION_LIMIT = 10_240;

/** Item 3: the same pipeline at growing N, each on a fresh worker process: memory and history must stay bounded. */
export async function scaleScenario(options: ScaleOptions): Promise<ScaleResult> {
  const input = { batchSize: options.batchSize, maxConcurrentBatches: options.window, pageSize: options.pageSize };
  const runs: ScaleResult['runs'] = [];
  for (const accounts of [...options.sizes].sort((a, b) => a - b)) {
    const run = await runPipeline({
      client: options.client,
      temporalAddress: options.temporalAddress,
      scratch: options.scratch,
      accounts,
      seed: options.seed,
      // A million generated accounts take ~1.3 GB in the emulator process.
      emulators: { ...unlimitedEmulatorLimits, nodeOptions: ['--max-old-space-size=8192'] },
      limits: options.limits,
      input,
      incrementalShare: 0,
      timeoutMs: options.timeoutMs,
      tuning: options.tuning,
      log: options.log,
    });
    runs.push({ accounts, ...summarisePipeline(run) });
  }
  const smallest = runs[0];
  const largest = runs[runs.length - 1];
  const rssGrowth = smallest && largest ? largest.workerPeakRssMb / smallest.workerPeakRssMb : NaN;
  const rows: Row[] = runs.flatMap((run) => {
    const n = count(run.accounts);
    return [
      { metric: `${n}: accounts/s`, value: fixed(run.accountsPerSecond, 0), target: '>= 2,000', met: run.accountsPerSecond >= 2000 },
      { metric: `${n}: wall time (s)`, value: fixed(run.seconds) },
      { metric: `${n}: worker peak RSS (MB)`, value: fixed(run.workerPeakRssMb, 0), target: `<= ${RSS_TARGET_MB}`, met: run.workerPeakRssMb <= RSS_TARGET_MB },
      { metric: `${n}: worker start-up peak RSS (MB)`, value: fixed(run.workerStartupPeakRssMb, 0) },
      { metric: `${n}: worker max RSS during sync (MB)`, value: fixed(run.workerMaxRssDuringSyncMb, 0) },
      { metric: `${n}: launcher (bin/p2c.cjs) peak RSS (MB)`, value: fixed(run.launcherPeakRssMb, 0) },
      { metric: `${n}: history events per 1,000 accounts`, value: fixed(run.historyEventsPer1000Accounts, 1), target: `<= ${EVENTS_TARGET}`, met: run.historyEventsPer1000Accounts <= EVENTS_TARGET },
      {
        metric: `${n}: executions / max events per execution`,
        value: `${run.executions} / ${count(run.maxEventsPerExecution)}`,
        target: `< ${count(EVENTS_PER_EXECUTION_LIMIT)}`,
        met: run.maxEventsPerExecution < EVENTS_PER_EXECUTION_LIMIT,
      },
      { metric: `${n}: max history per execution (KB)`, value: fixed(run.maxHistoryBytesPerExecution / 1024, 0) },
      { metric: `${n}: created / failed records`, value: `${count(run.totals.created)} / ${count(run.totals.failed)}` },
      { metric: `${n}: emulator process peak RSS (MB)`, value: fixed(run.emulatorPeakRssMb, 0) },
    ];
  });
  rows.push({ metric: 'worker peak RSS, largest / smallest N', value: fixed(rssGrowth, 2), target: '~1 (bounded)', met: rssGrowth <= 1.25 });
  return {
    scenario: 'scale',
    settings: { ...input, limits: options.limits },
    runs,
    rssGrowth,
    table: formatTable(`Scale: ${options.sizes.map(count).join(' and ')} accounts, zero latency`, rows),
  };
}
