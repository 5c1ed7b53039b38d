// The emulator platform: what the Dataverse, F&O and Entra emulators share.
export { adminJsonBody, type AdminJsonBody } from './admin-json-body';
export { adminPrefix, isAdminUrl } from './admin-paths';
export { ConcurrencyGauge } from './concurrency-gauge';
export {
  createEmulatorHttpsServer,
  createEmulatorServer,
  defaultBodyLimitBytes,
  type EmulatorServerOptions,
} from './create-emulator-server';
export type { EmulatorAdmin } from './emulator-admin';
export { FaultInjector, type FaultCounts, type FaultStatus, type RandomFault, type ScheduledOutage } from './fault-injector';
export {
  faultSettingsSchema,
  noFaults,
  outageWindowSchema,
  type FaultSettings,
  type FaultSettingsInput,
  type OutageWindow,
} from './fault-settings';
export { installAuth, type InstallAuthOptions } from './install-auth';
export { installCounters } from './install-counters';
export { installFaults, type InstallFaultsOptions } from './install-faults';
export { accessTokenClaimsSchema, signJwt, verifyJwtSignature, type AccessTokenClaims } from './jwt';
export { listenOn, originOf } from './listen';
export { registerAdminRoutes, type AdminRouteOptions } from './register-admin-routes';
export { retryAfterSeconds } from './retry-after';
export { SeededRandom } from './seeded-random';
export { serverTimeDraw, serverTimeSettingsSchema, type ServerTimeSettings } from './server-time';
export { ServiceCounters, type CountersSnapshot } from './service-counters';
export { createSigningKeys, processSigningKeys, type SigningKeys } from './signing-keys';
export { SlidingWindowCounter, type SlidingWindowOptions } from './sliding-window-counter';
export { SnapshotFile, writeSnapshot, type Snapshot, type SnapshotFileOptions } from './snapshot-file';
export { normalizeResource, TokenVerifier, type TokenCheck, type TokenVerifierOptions } from './token-verifier';
export { requestTarget } from './request-target';
export { replyBytes } from './reply-bytes';
