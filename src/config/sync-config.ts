import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../domain/describe-issues';
import { mappingConfigSchema } from '../domain/mapping-config';
import { dataAreaIdSchema } from '../domain/data-area-id';
import { notificationsConfigSchema } from './notifications-config';
import { ConfigurationError } from '../domain/errors';

// The sync configuration file (YAML or JSON) a worker is started with: where the services are, which companies take
// which accounts, how accounts map to customers, and how hard to push the APIs. It holds no secrets: client secrets
// come from the worker's environment or from files (Docker/Kubernetes secrets) named here or by convention.

const baseUrl = (what: string, protocols: readonly string[]) =>
  z
    .string({ error: `must be the ${what} URL` })
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { error: `must be an absolute ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL` },
    )
    .transform((value) => value.replace(/\/+$/, ''));

const serviceConnectionSchema = (what: string) =>
  z.strictObject({
    /**
     * Dataverse: the organisation URL (https://org.crm.dynamics.com); F&O: the environment URL. No API path. http://
     * only with `connections.allowInsecureHttp` (a local emulator): every request carries a bearer token.
     */
    url: baseUrl(what, ['https:', 'http:']),
    /** Entra ID authority host, e.g. https://login.microsoftonline.com (https only, as MSAL requires). */
    authority: baseUrl('Entra ID authority', ['https:']).default('https://login.microsoftonline.com'),
    tenantId: z.string().min(1, { error: 'must name the Entra ID tenant (id or domain)' }),
    clientId: z.string().min(1, { error: 'must name the app registration (client id)' }),
    /** Environment variable holding the client secret; P2C_<SERVICE>_CLIENT_SECRET by default. */
    clientSecretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' })
      .optional(),
    /** File holding the client secret (e.g. a mounted secret); P2C_<SERVICE>_CLIENT_SECRET_FILE by default. */
    clientSecretFile: z.string().min(1).optional(),
  });

/**
 * Dataverse's service protection limits for one application user (Microsoft's "Service protection API limits":
 * per user and web server, 6,000 requests and 1,200 s of combined execution time per 5-minute sliding window). With
 * `pace: true` (the default) the worker paces its requests to them (execution-pacer.ts) instead of finding them with 429s, each a
 * wait of whole seconds; the service's 429s stay the authority. Each worker takes its share (`limits.workers`).
 * Change the figures only if Microsoft changes them, for a test environment, or to leave room for other clients.
 */
const dataverseServiceProtectionSchema = z.strictObject({
  /** Sliding window of both budgets, in seconds (fractions for a scaled test). */
  windowSeconds: z.number().positive().max(3600).default(300),
  /** Requests per window (a `$batch` or a bulk message counts once). */
  maxRequests: z.number().int().min(1).max(1_000_000_000).default(6000),
  /** Combined execution time per window, in seconds. */
  maxExecutionSeconds: z.number().positive().max(1_000_000_000).default(1200),
  /**
   * On by default since 2026-12-05 (BENCHMARKS.md section 2): the Dataverse-bound bench, where the sync runs beside
   * the upgrade script, reaches 90 % of its bound paced against 84–87 % without. The upgrade script alone is not paced
   * (execution-pacer.ts `sharedWithOthers`): paced alone, 190,000 accounts took 1.10 x the bound against 1.00 x, because
   * the pacer charges the duration the client measures, which bursts of large `$batch`es stretch on a busy machine.
   * `false`: only the service's 429s hold requests back.
   */
  pace: z.boolean().default(true),
});

const companySchema = z
  .strictObject({
    dataAreaId: dataAreaIdSchema,
    /** Accounts owned by these Sales business units (by name), like the Data Integrator's organization mapping. */
    businessUnits: z.array(z.string().min(1)).min(1).optional(),
    /** Accounts matching this Dataverse OData filter. */
    filter: z.string().min(1).optional(),
  })
  .refine((company) => !(company.businessUnits && company.filter), {
    error: 'give either businessUnits or filter, not both',
  });

const limitsSchema = z.strictObject({
  /**
   * Requests in flight to Dataverse from all workers together (service protection allows 52 per user, and every
   * worker uses the same application user); each worker takes its share (`workers`).
   */
  dataverseConcurrency: z.number().int().min(1).max(52).default(8),
  /** Requests in flight to F&O from all workers together; each worker takes its share (`workers`). */
  fnoConcurrency: z.number().int().min(1).max(64).default(8),
  /**
   * Worker processes running with this configuration (compose `--scale worker=N`, a Deployment's `replicas`);
   * `P2C_WORKER_COUNT` overrides it. Dynamics limits are per application user, not per worker: each worker allows
   * itself `floor(concurrency / workers)` requests, so N workers together stay within the limits above.
   */
  workers: z.number().int().min(1).max(52).default(1),
  /**
   * Numbering `$batch` requests in flight at once (the upgrade script), never more than this worker's share of
   * `dataverseConcurrency`. Default: 6 (the execution-time limit's average of 4, plus 2); while the pacer
   * (`connections.dataverse.serviceProtection.pace`) paces numbering beside a sync, that whole share, the pacer holding
   * each until the window has room.
   */
  numberingConcurrency: z.number().int().min(1).max(52).optional(),
  /** Account updates per numbering `$batch` (default 500; Dataverse takes up to 1,000 operations, a batch counts once). */
  numberingBatchSize: z.number().int().min(1).max(1000).optional(),
  /** Customer writes per F&O $batch request (one HTTP request); not a work unit, whose size is the run input's unitSize. */
  fnoWriteBatchSize: z.number().int().min(1).max(5000).default(200),
  /** Longest a request waits in-process on Retry-After before the activity hands the wait to Temporal's retry. */
  maxThrottleWaitSeconds: z.number().int().min(1).max(3600).default(60),
  requestTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
});

export const syncConfigSchema = z
  .strictObject({
    /** Shown in every run's memo and result, so a report says which configuration produced it. */
    version: z.string().min(1).default('1'),
    connections: z.strictObject({
      dataverse: serviceConnectionSchema('Dataverse organisation').extend({
        serviceProtection: dataverseServiceProtectionSchema.default(dataverseServiceProtectionSchema.parse({})),
      }),
      fno: serviceConnectionSchema('F&O environment'),
      /** Extra CA certificate(s) to trust (PEM), e.g. a TLS-inspecting proxy or the emulated authority. */
      caFile: z.string().min(1).optional(),
      /**
       * Allows http:// service URLs. Only for a local emulator: over http the bearer token of every request, and
       * the account data, cross the network in clear.
       */
      allowInsecureHttp: z.boolean().default(false),
    }),
    companies: z.array(companySchema).min(1, { error: 'must configure at least one company' }),
    mapping: mappingConfigSchema.default(mappingConfigSchema.parse({})),
    limits: limitsSchema.default(limitsSchema.parse({})),
    /**
     * Whether the sync may take over an existing F&O customer that is not maintained from Sales
     * (IsExternallyMaintained = No) when an account has its key: off by default, and such customers are reported
     * (CUSTOMER_NOT_EXTERNALLY_MAINTAINED) and left untouched.
     */
    adoptExistingCustomers: z.boolean().default(false),
    /**
     * What an account deactivated or deleted in Sales does to its F&O customers: `ignore` (the template's behaviour:
     * nothing) or `block` (externally maintained customers are put on hold, `OnHoldStatus = All`, and taken off hold,
     * `No`, when the account is active again). `block` needs Track changes on the account table.
     */
    deactivation: z.enum(['ignore', 'block']).default('ignore'),
    /** Optional end-of-run notification (notifications-config.ts). */
    notifications: notificationsConfigSchema.optional(),
  })
  .superRefine((config, context) => {
    for (const service of ['dataverse', 'fno'] as const) {
      if (!config.connections.allowInsecureHttp && config.connections[service].url.startsWith('http:')) {
        context.addIssue({
          code: 'custom',
          path: ['connections', service, 'url'],
          message: 'is http://, which would send the bearer token and the account data in clear: use https://, or set connections.allowInsecureHttp: true for a local emulator',
        });
      }
    }
    const seen = new Set<string>();
    config.companies.forEach((company, index) => {
      if (seen.has(company.dataAreaId)) {
        context.addIssue({ code: 'custom', path: ['companies', index, 'dataAreaId'], message: `company '${company.dataAreaId}' is configured twice` });
      }
      seen.add(company.dataAreaId);
    });
  });

export type SyncConfig = z.output<typeof syncConfigSchema>;
export type ServiceName = 'dataverse' | 'fno';

export interface LoadedConfig {
  config: SyncConfig;
  /** `<version>+<content hash>`: changes whenever the file does. */
  configVersion: string;
}

/** Validates a configuration object; refuses with every problem and its path. */
export function parseSyncConfig(raw: unknown, source = 'configuration'): LoadedConfig {
  const parsed = syncConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`Invalid ${source}`, describeIssues(parsed.error, '(root)'));
  const hash = createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 12);
  return { config: parsed.data, configVersion: `${parsed.data.version}+${hash}` };
}

/** Reads a YAML or JSON configuration file. */
export function loadSyncConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`Cannot read configuration file ${path}`, [(error as Error).message]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigurationError(`Configuration file ${path} is not valid YAML or JSON`, [(error as Error).message]);
  }
  const loaded = parseSyncConfig(raw, `configuration file ${path}`);
  const problems = fileProblems(loaded.config);
  if (problems.length) throw new ConfigurationError(`Invalid configuration file ${path}`, problems);
  return loaded;
}

/**
 * The files a configuration names, checked where it is used (the worker's and `config validate`'s host): caught
 * here, a missing CA file is a configuration problem with its path, not a raw ENOENT when the worker connects.
 */
export function fileProblems(config: SyncConfig, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): string[] {
  const { caFile } = config.connections;
  if (caFile === undefined) return [];
  let pem: string;
  try {
    pem = readFile(caFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : 'unreadable';
    return [`connections.caFile: cannot read ${caFile}: ${reason}${code ? ` (${code})` : ''}`];
  }
  return pem.includes('-----BEGIN CERTIFICATE-----') ? [] : [`connections.caFile: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`];
}

/** Client secrets, resolved from the worker's environment or secret files; never part of the configuration. */
export type ClientSecrets = Record<ServiceName, string>;

export function resolveClientSecrets(
  config: SyncConfig,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ClientSecrets {
  const problems: string[] = [];
  const resolve = (service: ServiceName): string => {
    const connection = config.connections[service];
    const prefix = `P2C_${service.toUpperCase()}_CLIENT_SECRET`;
    const envName = connection.clientSecretEnv ?? prefix;
    const fromEnv = env[envName];
    if (fromEnv) return fromEnv;
    const file = connection.clientSecretFile ?? env[`${prefix}_FILE`];
    if (file) {
      try {
        const secret = readFile(file).trim();
        if (secret) return secret;
        problems.push(`connections.${service}: the client secret file ${file} is empty`);
      } catch (error) {
        problems.push(`connections.${service}: cannot read the client secret file ${file}: ${(error as Error).message}`);
      }
      return '';
    }
    problems.push(`connections.${service}: no client secret; set ${envName} or ${prefix}_FILE in the worker's environment`);
    return '';
  };
  const secrets = { dataverse: resolve('dataverse'), fno: resolve('fno') };
  if (problems.length) throw new ConfigurationError('Missing client secrets', problems);
  return secrets;
}
