// The OData wire formats p2c-sync and its emulators share: what goes over HTTP, not how either side uses it.
export * from './batch';
export * from './error-bodies';
export * from './quote';
