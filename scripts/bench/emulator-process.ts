import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { z } from 'zod';
import type { FaultSettingsInput } from '@p2c-sync/emulators';
import type { EmulatorOptions } from '@p2c-sync/emulators';
import type { ServerTimeSettings } from '@p2c-sync/emulators';
import type { HostAnswer, HostRequest } from './emulator-host';
import { readProcessMemory, type ProcessMemory } from './process-memory';

const root = path.resolve(__dirname, '..', '..');

export type EmulatedService = 'dataverse' | 'fno' | 'entra';

export interface EmulatorProcessOptions {
  /** Seeded accounts to generate (ignored when `stateDir` already holds data). */
  generate?: number;
  seed?: number;
  stateDir?: string;
  dataverseLimits?: { maxRequests?: number; maxExecutionMs?: number; maxConcurrent?: number; windowMs?: number };
  fnoLimits?: { maxConcurrent?: number; requestBudget?: number; budgetWindowMs?: number };
  dataverseFaults?: FaultSettingsInput;
  fnoFaults?: FaultSettingsInput;
  /** Server time per operation (Dataverse: charged to the execution-time limit; F&O: holding the request's slot). */
  dataverseServerTime?: ServerTimeSettings;
  fnoServerTime?: ServerTimeSettings;
  /** Dataverse accounts from a JSON file (`p2c emulators --accounts`) instead of generated ones. */
  accountsFile?: string;
  /** Extra `node` flags, e.g. a larger heap for a million accounts. */
  nodeOptions?: string[];
  readyTimeoutMs?: number;
  /**
   * `cli` (default): `p2c emulators`, admin over its HTTP routes. `ipc`: `startEmulators` in a child process whose
   * in-process admin handles are driven by messages (see emulator-host.ts).
   */
  via?: 'cli' | 'ipc';
}

/** The JSON line `p2c emulators` prints when ready (see `EmulatorsReadyLine`). */
const readyLineSchema = z.object({
  dataverseUrl: z.string(),
  fnoUrl: z.string(),
  authority: z.string(),
  tenantId: z.string(),
  clientId: z.string(),
  caCertFile: z.string(),
  clientSecretFile: z.string(),
});
export type EmulatorEndpointsReady = z.infer<typeof readyLineSchema>;

const countersSchema = z.object({
  service: z.string(),
  requests: z.object({
    total: z.number(),
    byMethod: z.record(z.string(), z.number()),
    byStatus: z.record(z.string(), z.number()),
    byMethodAndStatus: z.record(z.string(), z.number()),
  }),
  writes: z.number(),
  throttled: z.number(),
  other: z.record(z.string(), z.number()),
  faults: z.object({
    delayed: z.number(),
    errors: z.number(),
    resets: z.number(),
    commitThenTimeouts: z.number(),
    outageRejections: z.number(),
  }),
});
export type EmulatorCounters = z.infer<typeof countersSchema>;

const faultStatusSchema = z.object({
  settings: z.record(z.string(), z.unknown()),
  outages: z.array(z.object({ mode: z.string(), from: z.string(), until: z.string(), active: z.boolean() })),
});
export type EmulatorFaultStatus = z.infer<typeof faultStatusSchema>;

/**
 * `p2c emulators` in its own process, as operators run it: the emulators then have their own event loop (and core)
 * instead of sharing the caller's. Faults and counters go through the `/_admin` HTTP routes.
 */
export class EmulatorProcess {
  private readonly admin: Agent;
  private readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  private nextRequestId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly endpoints: EmulatorEndpointsReady,
    readonly clientSecret: string,
    private readonly via: 'cli' | 'ipc',
    /** The Dataverse service protection limits it enforces (the emulator's defaults, Microsoft's, when absent). */
    readonly dataverseLimits: EmulatorProcessOptions['dataverseLimits'] = undefined,
  ) {
    child.on('message', (message: unknown) => {
      const answer = message as HostAnswer;
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (answer.ok) waiting.resolve(answer.value);
      else waiting.reject(new Error(answer.error));
    });
    this.admin = new Agent({ connect: { ca: readFileSync(endpoints.caCertFile, 'utf8') } });
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk.toString('utf8')));
  }

  static async start(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
    const via = options.via ?? 'cli';
    const child =
      via === 'cli'
        ? spawn(process.execPath, [...(options.nodeOptions ?? []), path.join(root, 'bin', 'p2c.cjs'), 'emulators', ...flagsOf(options)], {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn(process.execPath, [...(options.nodeOptions ?? []), '--require', 'tsx/cjs', path.join(__dirname, 'emulator-host.ts'), JSON.stringify(emulatorOptionsOf(options))], {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          });
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the emulators did not get ready in time')), options.readyTimeoutMs ?? 180_000);
        lines.once('line', (text) => {
          clearTimeout(timer);
          resolve(text);
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the emulators exited with code ${code} before they were ready:\n${stderr.join('').slice(-2000)}`));
        });
      });
      const endpoints = readyLineSchema.parse(JSON.parse(line));
      const secret = readFileSync(endpoints.clientSecretFile, 'utf8').trim();
      // Later lines (there should be none) must not fill the pipe.
      lines.on('line', () => undefined);
      return new EmulatorProcess(child, endpoints, secret, via, options.dataverseLimits);
    } catch (error) {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  memory(): ProcessMemory | undefined {
    return readProcessMemory(this.pid);
  }

  urlOf(service: EmulatedService): string {
    if (service === 'dataverse') return this.endpoints.dataverseUrl;
    if (service === 'fno') return this.endpoints.fnoUrl;
    return this.endpoints.authority;
  }

  /** Replaces one emulator's fault settings (`PUT /_admin/faults`); `{}` switches every fault off. */
  async setFaults(service: EmulatedService, settings: FaultSettingsInput): Promise<EmulatorFaultStatus> {
    return faultStatusSchema.parse(await this.adminCall(service, 'PUT', '/_admin/faults', settings));
  }

  async faults(service: EmulatedService): Promise<EmulatorFaultStatus> {
    return faultStatusSchema.parse(await this.adminCall(service, 'GET', '/_admin/faults'));
  }

  async counters(service: EmulatedService): Promise<EmulatorCounters> {
    return countersSchema.parse(await this.adminCall(service, 'GET', '/_admin/counters'));
  }

  async resetCounters(service: EmulatedService): Promise<void> {
    await this.adminCall(service, 'POST', '/_admin/reset-counters');
  }

  /** What the emulators printed on stderr lately, for an error message. */
  get log(): string {
    return this.output.join('');
  }

  /** SIGTERM (a clean stop that writes the state directory), SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.admin.close();
  }

  private async adminCall(service: EmulatedService, method: 'GET' | 'PUT' | 'POST', pathname: string, body?: unknown): Promise<unknown> {
    if (this.via === 'ipc') return await this.hostCall({ op: hostOperation(method, pathname), service, settings: body });
    const response = await request(`${this.urlOf(service)}${pathname}`, {
      method,
      dispatcher: this.admin,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${service} ${pathname} answered ${response.statusCode}: ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private hostCall(request: Omit<HostRequest, 'id'>): Promise<unknown> {
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, ...request }, (error) => {
        if (!error) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  private keep(text: string): void {
    this.output.push(text);
    if (this.output.length > 100) this.output.shift();
  }
}

function flagsOf(options: EmulatorProcessOptions): string[] {
  const flags: string[] = [];
  const add = (name: string, value: number | string | undefined) => {
    if (value !== undefined) flags.push(`--${name}`, String(value));
  };
  add('generate', options.generate);
  add('seed', options.seed);
  add('state-dir', options.stateDir);
  add('dataverse-max-requests', options.dataverseLimits?.maxRequests);
  add('dataverse-max-execution-ms', options.dataverseLimits?.maxExecutionMs);
  add('dataverse-max-concurrent', options.dataverseLimits?.maxConcurrent);
  add('dataverse-window-ms', options.dataverseLimits?.windowMs);
  add('fno-max-concurrent', options.fnoLimits?.maxConcurrent);
  add('fno-request-budget', options.fnoLimits?.requestBudget);
  add('fno-budget-window-ms', options.fnoLimits?.budgetWindowMs);
  if (options.dataverseFaults) add('dataverse-faults', JSON.stringify(options.dataverseFaults));
  if (options.fnoFaults) add('fno-faults', JSON.stringify(options.fnoFaults));
  if (options.dataverseServerTime) add('dataverse-server-time', JSON.stringify(options.dataverseServerTime));
  if (options.fnoServerTime) add('fno-server-time', JSON.stringify(options.fnoServerTime));
  add('accounts', options.accountsFile);
  return flags;
}

function hostOperation(method: string, pathname: string): HostRequest['op'] {
  if (pathname.endsWith('/reset-counters')) return 'resetCounters';
  if (pathname.endsWith('/counters')) return 'counters';
  return method === 'PUT' ? 'setFaults' : 'faults';
}

function emulatorOptionsOf(options: EmulatorProcessOptions): EmulatorOptions {
  const fnoLimits = options.fnoLimits;
  return {
    ...(options.generate !== undefined ? { generate: { count: options.generate, ...(options.seed !== undefined ? { seed: options.seed } : {}) } } : {}),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(options.accountsFile ? { accountsFile: options.accountsFile } : {}),
    dataverse: {
      ...(options.dataverseLimits ? { limits: options.dataverseLimits } : {}),
      ...(options.dataverseFaults ? { faults: options.dataverseFaults } : {}),
      ...(options.dataverseServerTime ? { serverTime: options.dataverseServerTime } : {}),
    },
    fno: {
      ...(fnoLimits
        ? {
            limits: {
              ...(fnoLimits.maxConcurrent !== undefined ? { maxConcurrentRequests: fnoLimits.maxConcurrent } : {}),
              ...(fnoLimits.requestBudget !== undefined ? { requestBudget: fnoLimits.requestBudget } : {}),
              ...(fnoLimits.budgetWindowMs !== undefined ? { budgetWindowMs: fnoLimits.budgetWindowMs } : {}),
            },
          }
        : {}),
      ...(options.fnoFaults ? { faults: options.fnoFaults } : {}),
      ...(options.fnoServerTime ? { serverTime: options.fnoServerTime } : {}),
    },
  };
}

/** Service protection and F&O throttling out of the way: for measuring the pipeline itself, not the limits. */
export const unlimitedEmulatorLimits: Pick<EmulatorProcessOptions, 'dataverseLimits' | 'fnoLimits'> = {
  dataverseLimits: { maxRequests: 1_000_000_000, maxExecutionMs: 1_000_000_000_000, maxConcurrent: 100_000 },
  fnoLimits: { maxConcurrent: 100_000, requestBudget: 1_000_000_000 },
};
