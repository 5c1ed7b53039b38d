// Everything the worker's workflow bundle contains. Only deterministic code may be imported from here.
export * from './sync-accounts';
export { pipelineLock } from './pipeline-lock';
export { liveSync } from './live-sync';
