// The emulators' settings schemas alone, for a command line that defines its options before it starts anything:
// `@p2c-sync/emulators` itself loads the servers (fastify, the generator and its data), ~16 MB of heap that every
// `p2c` process, the worker too, would otherwise carry.
export { afterFailedChangeSetModes, type AfterFailedChangeSet } from './fno/after-failed-change-set';
export { faultSettingsSchema } from './shared/fault-settings';
export { serverTimeSettingsSchema } from './shared/server-time';
