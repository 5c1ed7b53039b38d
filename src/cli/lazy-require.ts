import { createRequire } from 'node:module';

const requireHere = createRequire(__filename);

/**
 * Loads a module of the CLI (or a package) when a command runs rather than when the command line is defined: `p2c`
 * defines every command in each process, the worker's too, and the demo and the emulators bring fastify, the data
 * generator and its data (~16 MB of heap, ~440 modules) that only they use. A CommonJS `require` on purpose: `p2c`
 * runs its TypeScript through tsx's require hook (bin/p2c.cjs), which a dynamic `import()` of a .ts file would not go
 * through. `specifier` is relative to src/cli/.
 */
export function lazyRequire<T>(specifier: string): T {
  return requireHere(specifier) as T;
}
