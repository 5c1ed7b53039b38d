import { heartbeat } from '@temporalio/activity';
import { tryAccountFilter } from '../connectors/account-reads';
import { readBusinessUnitIds } from '../connectors/reference-reads';
import { ConnectorError } from '../connectors/errors';
import { ConfigurationError } from '../domain/errors';
import { settledAll } from '../util/settled-all';
import type { SyncConfig } from '../config/sync-config';
import type { CompanyScope, PreflightInput, PreflightResult } from './contracts';
import type { ActivityDependencies } from './dependencies';
import { heartbeatWhile } from './heartbeat';
import { checkReferenceData } from './reference-data';

/**
 * Refuses a run before anything is written: the companies asked for must be configured, their business units must
 * exist in Sales, their filters must be valid Dataverse filters, and every code the mapping can produce (defaults and
 * value maps) must exist in the company's F&O reference data. Every problem is listed at once.
 */
export function createPreflight(deps: Pick<ActivityDependencies, 'config' | 'configVersion' | 'dataverse' | 'fno' | 'fnoMetadata'>) {
  return async function preflight(input: PreflightInput): Promise<PreflightResult> {
    // Heartbeats let Temporal notice a worker that died during the checks after one heartbeat timeout, instead of
    // waiting out the whole start-to-close timeout; the step shows where a slow preflight is.
    let step = 'starting';
    const onStep = (done: string) => {
      step = done;
      heartbeat({ step });
    };
    const result = await heartbeatWhile(() => checkConfiguration(deps, input.companies, onStep), () => ({ step }));
    if (result.problems.length) throw new ConfigurationError('Invalid configuration', result.problems);
    return {
      configVersion: deps.configVersion,
      companies: result.companies,
      ...(result.warnings.length ? { warnings: result.warnings } : {}),
      changeTracking: result.changeTracking,
      deactivation: deps.config.deactivation,
    };
  };
}

export interface ConfigurationCheck {
  companies: CompanyScope[];
  problems: string[];
  /** What could not be checked (reference sets the F&O environment does not publish); never a refusal. */
  warnings: string[];
  /** Whether the account table has Track changes on (Dataverse `EntityDefinitions`). */
  changeTracking: boolean;
}

/** The online configuration check, shared by the preflight activity and `p2c config validate --online`. */
export async function checkConfiguration(
  deps: Pick<ActivityDependencies, 'config' | 'dataverse' | 'fno' | 'fnoMetadata'>,
  requested: readonly string[] | undefined,
  /**
   * Told after each check that needed a service (business units, each filter, the F&O metadata, each company's
   * reference data).
   */
  onStep: (done: string) => void = () => undefined,
): Promise<ConfigurationCheck> {
  const { config } = deps;
  const problems: string[] = [];
  const configured = new Map(config.companies.map((company, index) => [company.dataAreaId, { company, index }]));
  for (const id of requested ?? []) {
    if (!configured.has(id)) {
      problems.push(`companies: '${id}' is not configured (configured: ${[...configured.keys()].join(', ')})`);
    }
  }
  const selected = requested ? config.companies.filter((c) => requested.includes(c.dataAreaId)) : config.companies;

  // The F&O side (its metadata, then each company's reference data) does not depend on the Dataverse side: it runs
  // beside it, every company at once, and what it finds is listed after the Dataverse side's problems, in the
  // companies' order, as when the checks ran one after another.
  const [dataverse, fno] = await settledAll([checkDataverseSide(deps, selected, configured, onStep), checkFnoSide(deps, selected, onStep)]);
  const { companies, changeTracking } = dataverse;
  problems.push(...dataverse.problems, ...fno.problems);
  const warnings = new Set<string>(fno.warnings);
  if (!changeTracking) {
    if (config.deactivation === 'block') problems.push(CHANGE_TRACKING_OFF_FOR_BLOCK);
    else warnings.add(CHANGE_TRACKING_OFF);
  }
  return { companies, problems, warnings: [...warnings], changeTracking };
}

/** Business units, each company's filter and Track changes: Dataverse's part of the check, in order. */
async function checkDataverseSide(
  deps: Pick<ActivityDependencies, 'dataverse'>,
  selected: readonly SyncConfig['companies'][number][],
  configured: ReadonlyMap<string, { index: number }>,
  onStep: (done: string) => void,
): Promise<{ companies: CompanyScope[]; problems: string[]; changeTracking: boolean }> {
  const problems: string[] = [];
  let businessUnits = new Map<string, string>();
  if (selected.some((c) => c.businessUnits)) {
    businessUnits = await readBusinessUnitIds(deps.dataverse);
    onStep('business units');
  }
  const companies: CompanyScope[] = [];
  for (const company of selected) {
    const index = configured.get(company.dataAreaId)?.index ?? 0;
    if (company.businessUnits) {
      const ids: string[] = [];
      for (const name of company.businessUnits) {
        const id = businessUnits.get(name.toLowerCase());
        if (id) ids.push(id);
        else problems.push(`companies[${index}].businessUnits: business unit '${name}' does not exist in Dataverse (known: ${[...businessUnits.keys()].slice(0, 20).join(', ')})`);
      }
      companies.push({ dataAreaId: company.dataAreaId, kind: 'businessUnits', businessUnitIds: ids });
    } else if (company.filter) {
      const problem = await tryFilter(deps, company.filter);
      if (problem) problems.push(`companies[${index}].filter: ${problem}`);
      onStep(`filter of ${company.dataAreaId}`);
      companies.push({ dataAreaId: company.dataAreaId, kind: 'filter', filter: company.filter });
    } else {
      companies.push({ dataAreaId: company.dataAreaId, kind: 'all' });
    }
  }
  const changeTracking = await deps.dataverse.tracksChanges('account');
  onStep('change tracking');
  return { companies, problems, changeTracking };
}

/** The F&O metadata, then every company's reference data side by side: F&O's part of the check. */
async function checkFnoSide(
  deps: Pick<ActivityDependencies, 'config' | 'fno' | 'fnoMetadata'>,
  selected: readonly SyncConfig['companies'][number][],
  onStep: (done: string) => void,
): Promise<{ problems: string[]; warnings: Set<string> }> {
  const problems: string[] = [];
  const warnings = new Set<string>();
  if (selected.length === 0) return { problems, warnings };
  const exposedSets = await deps.fnoMetadata.entitySetNames();
  onStep('F&O metadata');
  const checks = await settledAll(
    selected.map(async (company) => {
      const check = await checkReferenceData(deps, company.dataAreaId, exposedSets);
      onStep(`reference data of ${company.dataAreaId}`);
      return check;
    }),
  );
  for (const check of checks) {
    problems.push(...check.problems);
    // The same set is missing for every company: say it once.
    for (const warning of check.warnings) warnings.add(warning);
  }
  return { problems, warnings };
}

const TURN_ON_TRACK_CHANGES =
  'turn on Track changes for the Account table (Power Apps: Tables > Account > Properties > Advanced options > Track changes, ' +
  'or ChangeTrackingEnabled in its EntityDefinitions)';

export const CHANGE_TRACKING_OFF =
  'Track changes is off for the Dataverse account table: incremental runs read accounts by versionnumber instead of ' +
  `delta links, and can miss a change whose transaction commits after the run started; ${TURN_ON_TRACK_CHANGES}`;

export const CHANGE_TRACKING_OFF_FOR_BLOCK =
  'deactivation: block needs Track changes on the Dataverse account table (deactivations and deletions are read from ' +
  `its delta): ${TURN_ON_TRACK_CHANGES}, or set deactivation: ignore`;

/** Asks Dataverse itself whether the filter is valid: the sync uses it with exactly these semantics. */
async function tryFilter(deps: Pick<ActivityDependencies, 'dataverse'>, filter: string): Promise<string | undefined> {
  try {
    await tryAccountFilter(deps.dataverse, filter);
    return undefined;
  } catch (error) {
    if (error instanceof ConnectorError && (error.kind === 'configuration' || error.kind === 'invalid-record')) {
      return `Dataverse refused the filter: ${error.message}`;
    }
    throw error;
  }
}
