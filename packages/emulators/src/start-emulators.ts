import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type DataverseDataset, generateAccounts } from './data/account-generator';
import { defaultBusinessUnits, defaultTransactionCurrencies } from './data/dataverse-defaults';
import { loadAccountsFile } from './data/load-accounts-file';
import { loadFnoReference } from './data/load-fno-reference';
import { createDataverseEmulator, type DataverseStore, type ServerTimeSettings, type ServiceProtectionLimits } from './dataverse';
import { caFilePath, createEntraEmulator, createTlsMaterial } from './entra';
import { type AfterFailedChangeSet, type CodeSpelling, type CustomerStore, createFnoEmulator, type FnoAdmin, type FnoLimitsInput, type FnoReferenceData } from './fno';
import { type EmulatorAdmin, type FaultSettingsInput, listenOn, originOf, processSigningKeys, TokenVerifier } from './shared';

export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Fixed ports; free ones when omitted. */
  ports?: { dataverse?: number; fno?: number; entra?: number };
  /** Seeded Dataverse accounts (see `generateAccounts`). */
  generate?: { count: number; seed?: number };
  /** Dataverse accounts (and optionally currencies and business units) from a JSON file. */
  accountsFile?: string;
  /** F&O reference data overriding the defaults (see `loadFnoReference`). */
  referenceFile?: string;
  /**
   * Keeps state across restarts: `dataverse.jsonl`, `fno-customers.jsonl`, the Entra CA (`entra-ca.pem` + key)
   * and the generated client secret (`client-secret`). Seeding happens only into an empty state.
   */
  stateDir?: string;
  /** Default `p2c-sync`. */
  clientId?: string;
  /** Default: this option, else `P2C_EMULATOR_CLIENT_SECRET`, else the one kept in `stateDir`, else random. */
  clientSecret?: string;
  tenantId?: string;
  /** Access token lifetime (default 3600 s). */
  tokenLifetimeSeconds?: number;
  /** Extra names for the Entra TLS certificate (e.g. a compose service name). */
  certificateNames?: string[];
  /** Where to write the CA certificate (default `{stateDir}/entra-ca.pem` when a state directory is given). */
  caCertFile?: string;
  dataverse?: {
    limits?: Partial<ServiceProtectionLimits>;
    faults?: FaultSettingsInput;
    seed?: number;
    changeTrackingEnabled?: boolean;
    serverTime?: Partial<ServerTimeSettings>;
  };
  fno?: {
    limits?: FnoLimitsInput;
    faults?: FaultSettingsInput;
    defaultCompany?: string;
    maxPageSize?: number;
    afterFailedChangeSet?: AfterFailedChangeSet;
    /** Reference entity sets this tenant does not publish (see `FnoEmulatorOptions.hiddenReferenceSets`). */
    hiddenReferenceSets?: readonly string[];
    codeSpelling?: CodeSpelling;
    serverTime?: Partial<ServerTimeSettings>;
  };
  entra?: { faults?: FaultSettingsInput };
}

export interface RunningEmulators {
  dataverse: { url: string; store: DataverseStore; admin: EmulatorAdmin };
  fno: { url: string; store: CustomerStore; admin: FnoAdmin; reference: FnoReferenceData };
  entra: { authority: string; tenantId: string; caCertPem: string; caCertFile?: string; admin: EmulatorAdmin };
  client: { clientId: string; clientSecret: string };
  close(): Promise<void>;
}

/**
 * Starts the Dataverse, F&O and Entra ID emulators in this process on real sockets. Tokens the Entra emulator
 * issues (client credentials for `{url}/.default`) are accepted by the other two. URLs have no trailing slash.
 */
export async function startEmulators(options: EmulatorOptions = {}): Promise<RunningEmulators> {
  const host = options.host ?? '127.0.0.1';
  const stateDir = options.stateDir;
  // The state holds the emulated tenant's records: the directory is its owner's only (see writeSnapshot).
  if (stateDir) mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  if (options.generate && options.accountsFile) throw new Error('give either generated accounts or an accounts file, not both');
  const clientId = options.clientId ?? 'p2c-sync';
  const clientSecret = resolveClientSecret(options.clientSecret, stateDir);
  const reference = loadFnoReference(options.referenceFile);
  const dataset = options.accountsFile
    ? loadAccountsFile(options.accountsFile)
    : options.generate
      ? generateAccounts(options.generate)
      : undefined;

  const keys = processSigningKeys();
  const verifier = new TokenVerifier({ keys });
  const tls = await createTlsMaterial({
    ...(options.certificateNames ? { names: options.certificateNames } : {}),
    ...(stateDir ? { caDirectory: stateDir } : {}),
  });
  const entra = await createEntraEmulator({
    clients: [{ clientId, clientSecret }],
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    ...(options.tokenLifetimeSeconds ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
    ...(options.entra?.faults ? { faults: options.entra.faults } : {}),
    tls,
    keys,
  });
  const dataverse = createDataverseEmulator({
    verifier,
    ...(options.dataverse?.limits ? { limits: options.dataverse.limits } : {}),
    ...(options.dataverse?.faults ? { faults: options.dataverse.faults } : {}),
    ...(options.dataverse?.seed !== undefined ? { seed: options.dataverse.seed } : {}),
    ...(options.dataverse?.changeTrackingEnabled !== undefined ? { changeTrackingEnabled: options.dataverse.changeTrackingEnabled } : {}),
    ...(options.dataverse?.serverTime ? { serverTime: options.dataverse.serverTime } : {}),
    ...(stateDir ? { stateFile: path.join(stateDir, 'dataverse.jsonl') } : {}),
  });
  const fno = createFnoEmulator({
    reference,
    verifier,
    ...(options.fno?.limits ? { limits: options.fno.limits } : {}),
    ...(options.fno?.faults ? { faults: options.fno.faults } : {}),
    ...(options.fno?.defaultCompany ? { defaultCompany: options.fno.defaultCompany } : {}),
    ...(options.fno?.maxPageSize ? { maxPageSize: options.fno.maxPageSize } : {}),
    ...(options.fno?.afterFailedChangeSet ? { afterFailedChangeSet: options.fno.afterFailedChangeSet } : {}),
    ...(options.fno?.hiddenReferenceSets ? { hiddenReferenceSets: options.fno.hiddenReferenceSets } : {}),
    ...(options.fno?.codeSpelling ? { codeSpelling: options.fno.codeSpelling } : {}),
    ...(options.fno?.serverTime ? { serverTime: options.fno.serverTime } : {}),
    ...(stateDir ? { stateDir } : {}),
  });
  seedDataverse(dataverse.store, dataset);

  const apps = [entra.app, dataverse.app, fno.app];
  try {
    const [entraPort, dataversePort, fnoPort] = await Promise.all([
      listenOn(entra.app, host, options.ports?.entra ?? 0),
      listenOn(dataverse.app, host, options.ports?.dataverse ?? 0),
      listenOn(fno.app, host, options.ports?.fno ?? 0),
    ]);
    const caCertFile = options.caCertFile ?? (stateDir ? caFilePath(stateDir) : undefined);
    if (caCertFile) {
      mkdirSync(path.dirname(caCertFile), { recursive: true });
      writeFileSync(caCertFile, tls.caCertPem);
    }
    let closed = false;
    return {
      dataverse: { url: originOf('http', host, dataversePort), store: dataverse.store, admin: dataverse.admin },
      fno: { url: originOf('http', host, fnoPort), store: fno.store, admin: fno.admin, reference: fno.reference },
      entra: {
        authority: originOf('https', host, entraPort),
        tenantId: entra.tenantId,
        caCertPem: tls.caCertPem,
        ...(caCertFile ? { caCertFile } : {}),
        admin: entra.admin,
      },
      client: { clientId, clientSecret },
      close: async () => {
        if (closed) return;
        closed = true;
        await Promise.all(apps.map((app) => app.close()));
      },
    };
  } catch (error) {
    await Promise.all(apps.map((app) => app.close().catch(() => undefined)));
    throw error;
  }
}

/** Seeds only an empty store: after a restart with a state directory the kept data wins. */
function seedDataverse(store: DataverseStore, dataset: DataverseDataset | undefined): void {
  const empty = store.accountCount() === 0 && store.listCurrencies().length === 0;
  if (!empty) return;
  store.setCurrencies(dataset?.transactioncurrencies ?? defaultTransactionCurrencies);
  store.setBusinessUnits(dataset?.businessunits ?? defaultBusinessUnits);
  if (dataset) store.insertAccounts(dataset.accounts);
}

function resolveClientSecret(given: string | undefined, stateDir: string | undefined): string {
  const explicit = given ?? process.env.P2C_EMULATOR_CLIENT_SECRET;
  if (explicit) return explicit;
  const file = stateDir ? path.join(stateDir, 'client-secret') : undefined;
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('base64url');
  if (file) writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
