import path from 'node:path';

/** Workflow source the worker bundles (webpack + swc) at start-up. */
export const workflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');
