import type { SyncOptions } from '../workflows/sync-input';

export interface ActivityDependencies {
  /** Companies the worker's configuration knows, in configuration order. */
  configuredCompanies: readonly string[];
}

export interface PreflightResult {
  companies: string[];
}

/** Activities close over the worker's dependencies (connections, configuration); workflows import only their type. */
export function createActivities(deps: ActivityDependencies) {
  return {
    async preflight(options: Pick<SyncOptions, 'companies'>): Promise<PreflightResult> {
      const unknown = (options.companies ?? []).filter((c) => !deps.configuredCompanies.includes(c));
      if (unknown.length) {
        throw new Error(`companies not in the worker's configuration: ${unknown.join(', ')}`);
      }
      return { companies: options.companies ?? [...deps.configuredCompanies] };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
