import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UnitCounters } from '../activities/contracts';
import { connectorChannels, type ExchangeEvent, type ResendEvent, type ThrottledEvent } from '../connectors/connector-events';
import type { RunEnd } from './run-sinks';

export const RECORD_OUTCOMES = ['created', 'updated', 'unchanged', 'failed', 'outOfScope'] as const satisfies readonly (keyof UnitCounters)[];

/** Request latency buckets (seconds): Dynamics answers reads in tens of ms, `$batch` writes in seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The sync's own metrics, in a registry of their own (the worker serves it next to the SDK's runtime metrics):
 * records by outcome and company, API requests with latency, 429s, connector resends, activity retries and
 * failures. Labels are bounded sets — service, method, status, company, activity type — never a key or a value.
 */
export class SyncMetrics {
  readonly registry = new Registry();
  private readonly records: Counter<'company' | 'outcome'>;
  private readonly apiLatency: Histogram<'service' | 'method' | 'status'>;
  private readonly throttled: Counter<'service'>;
  private readonly resends: Counter<'service' | 'reason'>;
  private readonly activityRetries: Counter<'activity_type'>;
  private readonly activityFailures: Counter<'activity_type' | 'failure_type'>;
  private readonly activityLatency: Histogram<'activity_type' | 'outcome'>;
  private readonly runs: Counter<'pipeline' | 'status' | 'dry_run'>;
  private readonly runLastEnd: Gauge<'pipeline' | 'status'>;
  private readonly runLastFailedRecords: Gauge<'pipeline'>;
  private readonly scheduledRunLastSuccess: Gauge<'pipeline'>;
  private readonly listeners: [string, (message: unknown) => void][];

  constructor() {
    const registers = [this.registry];
    this.records = new Counter({
      name: 'p2c_records_total',
      help: 'Accounts processed by real (not dry) runs, by F&O company and outcome.',
      labelNames: ['company', 'outcome'],
      registers,
    });
    this.apiLatency = new Histogram({
      name: 'p2c_api_request_duration_seconds',
      help: 'Dynamics and Entra ID requests: time to a complete answer; status "none" when there was no answer.',
      labelNames: ['service', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.throttled = new Counter({
      name: 'p2c_api_throttled_total',
      help: '429 answers (a whole request, or a $batch round with throttled parts) that made the identity wait.',
      labelNames: ['service'],
      registers,
    });
    this.resends = new Counter({
      name: 'p2c_api_resends_total',
      help: 'Requests the connectors sent again themselves: after a 429 wait, a transient failure or a renewed token.',
      labelNames: ['service', 'reason'],
      registers,
    });
    this.activityRetries = new Counter({
      name: 'p2c_activity_retries_total',
      help: 'Activity attempts after the first (Temporal retries).',
      labelNames: ['activity_type'],
      registers,
    });
    this.activityFailures = new Counter({
      name: 'p2c_activity_failures_total',
      help: 'Failed activity attempts, by activity type and failure type (Throttled, Transient, InvalidConfiguration, ...).',
      labelNames: ['activity_type', 'failure_type'],
      registers,
    });
    this.activityLatency = new Histogram({
      name: 'p2c_activity_duration_seconds',
      help: 'Activity attempts, by type and outcome.',
      labelNames: ['activity_type', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    // Runs, as the workflow's interceptor reports their end. Gauges of end times rather than counters alone: a
    // counter's first increment is invisible to increase() (the series appears at 1), and an alert must not miss
    // the first failed run of a pipeline. With several workers, each holds the runs it finished; the rules take
    // the latest per pipeline (max by pipeline).
    this.runs = new Counter({
      name: 'p2c_runs_total',
      help: 'Runs that ended (not continued as new), by pipeline, status (completed, cancelled, failed) and dry_run.',
      labelNames: ['pipeline', 'status', 'dry_run'],
      registers,
    });
    this.runLastEnd = new Gauge({
      name: 'p2c_run_last_end_timestamp_seconds',
      help: "Unix time the pipeline's last real (not dry) run with this status ended on this worker.",
      labelNames: ['pipeline', 'status'],
      registers,
    });
    this.runLastFailedRecords = new Gauge({
      name: 'p2c_run_last_failed_records',
      help: "Failure entries (records not written) of the pipeline's last real run that completed or was cancelled on this worker.",
      labelNames: ['pipeline'],
      registers,
    });
    this.scheduledRunLastSuccess = new Gauge({
      name: 'p2c_scheduled_run_last_success_timestamp_seconds',
      help: "Unix time the pipeline's last real run started by a Temporal schedule completed on this worker.",
      labelNames: ['pipeline'],
      registers,
    });
    // Zero rather than absent, so "no 429s" reads as 0 on a dashboard.
    for (const service of ['dataverse', 'fno']) this.throttled.inc({ service }, 0);
    this.listeners = [
      [connectorChannels.exchange, (message) => this.observeExchange(message as ExchangeEvent)],
      [connectorChannels.throttled, (message) => this.throttled.inc({ service: (message as ThrottledEvent).service })],
      [connectorChannels.resend, (message) => this.resends.inc({ ...(message as ResendEvent) })],
    ];
    for (const [name, listener] of this.listeners) subscribe(name, listener);
  }

  /** A work unit's counters, per company; dry runs write nothing, so they do not count. */
  observeUnit(companies: Readonly<Record<string, UnitCounters>>): void {
    for (const [company, counters] of Object.entries(companies)) {
      for (const outcome of RECORD_OUTCOMES) {
        if (counters[outcome] > 0) this.records.inc({ company, outcome }, counters[outcome]);
      }
    }
  }

  /** A run's end (the `p2cRuns` sink); `scheduled` when a Temporal schedule started it. */
  observeRunEnd(run: RunEnd & { scheduled: boolean }, endedAtSeconds = Date.now() / 1000): void {
    const { pipeline, status } = run;
    this.runs.inc({ pipeline, status, dry_run: String(run.dryRun) });
    // A dry run changes nothing: it neither proves the pipeline healthy nor leaves records behind.
    if (run.dryRun) return;
    this.runLastEnd.set({ pipeline, status }, endedAtSeconds);
    if (status === 'failed') return;
    this.runLastFailedRecords.set({ pipeline }, run.failedRecords);
    if (status === 'completed' && run.scheduled) this.scheduledRunLastSuccess.set({ pipeline }, endedAtSeconds);
  }

  observeActivity(activityType: string, attempt: number, seconds: number, failureType?: string): void {
    if (attempt > 1) this.activityRetries.inc({ activity_type: activityType });
    this.activityLatency.observe({ activity_type: activityType, outcome: failureType ? 'failed' : 'completed' }, seconds);
    if (failureType) this.activityFailures.inc({ activity_type: activityType, failure_type: failureType });
  }

  async text(): Promise<string> {
    return await this.registry.metrics();
  }

  /** Stops listening to the connectors. */
  close(): void {
    for (const [name, listener] of this.listeners) unsubscribe(name, listener);
  }

  private observeExchange(event: ExchangeEvent): void {
    const status = event.status !== undefined ? String(event.status) : 'none';
    this.apiLatency.observe({ service: event.service, method: event.method, status }, event.durationMs / 1000);
  }
}
