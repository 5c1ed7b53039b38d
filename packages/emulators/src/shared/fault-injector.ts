import type { Server } from 'node:net';
import { type FaultSettings, type FaultSettingsInput, faultSettingsSchema, type OutageWindow } from './fault-settings';
import { SeededRandom } from './seeded-random';

export type RandomFault = 'error' | 'reset' | 'commitThenTimeout';

export interface ScheduledOutage {
  mode: OutageWindow['mode'];
  from: number;
  until: number;
}

export interface FaultCounts {
  delayed: number;
  errors: number;
  resets: number;
  commitThenTimeouts: number;
  outageRejections: number;
}

export interface FaultStatus {
  settings: FaultSettings;
  outages: Array<{ mode: OutageWindow['mode']; from: string; until: string; active: boolean }>;
  injected: FaultCounts;
}

/**
 * The fault state of one emulator: the settings, the seeded draws and the outage schedule. The HTTP side lives in
 * `installFaults` (before handling) and in `FaultInjector.afterCommit` (called by write handlers after they
 * committed); a `refuse` outage closes and later reopens the listening socket of the attached server.
 */
export class FaultInjector {
  private settings: FaultSettings;
  private random: SeededRandom;
  private outages: ScheduledOutage[] = [];
  private timers: NodeJS.Timeout[] = [];
  private injectedRandom = 0;
  private counts: FaultCounts = emptyCounts();
  private server: Server | undefined;
  private listenAddress: { port: number; host: string } | undefined;
  private refusing = false;
  private closed = false;

  constructor(settings: FaultSettingsInput = {}) {
    this.settings = faultSettingsSchema.parse(settings);
    this.random = new SeededRandom(this.settings.seed);
    this.schedule();
  }

  /** Replaces the settings (seed, draws and outage schedule start afresh). */
  configure(settings: FaultSettingsInput): FaultSettings {
    const parsed = faultSettingsSchema.parse(settings);
    this.cancelTimers();
    this.endRefusal();
    this.settings = parsed;
    this.random = new SeededRandom(parsed.seed);
    this.injectedRandom = 0;
    this.schedule();
    return parsed;
  }

  current(): FaultSettings {
    return this.settings;
  }

  status(now = Date.now()): FaultStatus {
    return {
      settings: this.settings,
      outages: this.outages.map((outage) => ({
        mode: outage.mode,
        from: new Date(outage.from).toISOString(),
        until: new Date(outage.until).toISOString(),
        active: outage.from <= now && now < outage.until,
      })),
      injected: { ...this.counts },
    };
  }

  resetCounts(): void {
    this.counts = emptyCounts();
  }

  /** The outage in force now, if any. */
  activeOutage(now = Date.now()): ScheduledOutage | undefined {
    for (const outage of this.outages) if (outage.from <= now && now < outage.until) return outage;
    return undefined;
  }

  /** Latency to add to this request (0 when none is configured — no draw then). */
  drawLatencyMs(): number {
    const { latencyMs, jitterMs } = this.settings;
    if (latencyMs <= 0 && jitterMs <= 0) return 0;
    return latencyMs + (jitterMs > 0 ? this.random.next() * jitterMs : 0);
  }

  /** Latency to add to one `$batch` operation (0 when none is configured — no draw then). */
  drawOperationLatencyMs(): number {
    const { operationLatencyMs, operationJitterMs } = this.settings;
    if (operationLatencyMs <= 0 && operationJitterMs <= 0) return 0;
    return operationLatencyMs + (operationJitterMs > 0 ? this.random.next() * operationJitterMs : 0);
  }

  /** Whether to inject `fault` into a request with this method. */
  draw(fault: RandomFault, method: string): boolean {
    const settings = this.settings;
    const rate =
      fault === 'error' ? settings.errorRate : fault === 'reset' ? settings.resetRate : settings.commitThenTimeoutRate;
    if (rate <= 0) return false;
    if (settings.methods && !settings.methods.includes(method)) return false;
    if (settings.maxFaults !== undefined && this.injectedRandom >= settings.maxFaults) return false;
    if (!this.random.chance(rate)) return false;
    this.injectedRandom += 1;
    return true;
  }

  record(kind: keyof FaultCounts): void {
    this.counts[kind] += 1;
  }

  /**
   * Called by a write handler after its write is committed. True when the fault took the response over: the
   * handler must then return without replying (fastify: `return reply`), and the client sees a reset or a
   * response that never comes.
   */
  afterCommit(
    request: { method: string; raw: { socket: NodeJS.Socket & { destroy(): void } } },
    reply: { hijack(): void },
  ): boolean {
    if (!this.draw('commitThenTimeout', request.method)) return false;
    this.record('commitThenTimeouts');
    reply.hijack();
    const socket = request.raw.socket;
    if (this.settings.commitThenTimeoutMode === 'reset') {
      socket.destroy();
    } else {
      const timer = setTimeout(() => socket.destroy(), this.settings.hangMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
    return true;
  }

  /** Lets `refuse` outages close and reopen this server's listening socket. */
  attach(server: Server): void {
    this.server = server;
  }

  /** Stops timers; reopening a closed listener is not wanted once the emulator itself closes. */
  close(): void {
    this.closed = true;
    this.cancelTimers();
  }

  private schedule(): void {
    const now = Date.now();
    this.outages = this.settings.outages.map((window) => ({
      mode: window.mode,
      from: now + window.startInMs,
      until: now + window.startInMs + window.durationMs,
    }));
    for (const outage of this.outages) {
      if (outage.mode !== 'refuse') continue;
      this.timers.push(unrefTimer(() => this.beginRefusal(), outage.from - now));
      this.timers.push(unrefTimer(() => this.endRefusal(), outage.until - now));
    }
  }

  private beginRefusal(): void {
    const server = this.server;
    if (!server || this.refusing || this.closed) return;
    const address = server.address();
    if (!address || typeof address === 'string') return;
    this.listenAddress = { port: address.port, host: address.address };
    this.refusing = true;
    server.close(() => undefined);
    // Pooled keep-alive connections would otherwise still reach the handlers.
    (server as Server & { closeIdleConnections?: () => void }).closeIdleConnections?.();
  }

  private endRefusal(): void {
    if (!this.refusing) return;
    this.refusing = false;
    const server = this.server;
    const address = this.listenAddress;
    if (!server || !address || this.closed) return;
    server.listen(address.port, address.host);
  }

  private cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

function unrefTimer(action: () => void, delayMs: number): NodeJS.Timeout {
  const timer = setTimeout(action, Math.max(0, delayMs));
  timer.unref();
  return timer;
}

function emptyCounts(): FaultCounts {
  return { delayed: 0, errors: 0, resets: 0, commitThenTimeouts: 0, outageRejections: 0 };
}
