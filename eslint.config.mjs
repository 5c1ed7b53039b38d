// Type-aware lint, and the layers of docs/architecture.md as import rules.
// - The workflow rules are Temporal's recommended guard: workflow code is bundled into a deterministic sandbox, so it
//   must not import Node built-ins (beyond assert/url/util), I/O code or the activity/client/worker SDK packages, and
//   no promise may float.
// - Every folder of src/ imports only from the folders below it (the table `layers`); product code never imports the
//   emulators, the dev wiring, scripts or tests; the workspace packages import nothing of the repository but the
//   wire formats. `npx vitest run test/unit/lint/layers.test.ts` shows a wrong-way import failing.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'worker_threads',
  'zlib',
];


// The product's folders under src/, bottom to top. `imports`: the folders a folder's code may import (its own is
// implied); `types`: folders it may import types from only. `worker` is src/worker.ts. Anything not listed is refused.
const layers = {
  util: { imports: [] },
  domain: { imports: [] },
  connectors: { imports: ['domain', 'util'] },
  config: { imports: ['domain', 'util'] },
  codec: { imports: ['domain', 'util'] },
  activities: { imports: ['domain', 'util', 'connectors', 'config'] },
  // Workflows: plus the sandbox rules below, which also let them import activities/contracts (the schemas of what
  // travels through history) and only types from the rest of activities.
  workflows: { imports: ['domain', 'util', 'codec', 'temporal'], types: ['connectors', 'config'], sandbox: ['activities'] },
  observability: { imports: ['domain', 'util', 'connectors', 'config', 'codec'], types: ['activities', 'workflows'] },
  temporal: { imports: ['domain', 'util', 'config', 'codec'], types: ['activities', 'workflows'] },
  worker: { imports: ['domain', 'util', 'connectors', 'config', 'codec', 'activities', 'workflows', 'observability', 'temporal'] },
  cli: { imports: ['domain', 'util', 'connectors', 'config', 'codec', 'activities', 'workflows', 'observability', 'temporal', 'worker'] },
  // Demo and test wiring: may use all of the product and the emulators; only the CLI's demo command imports it.
  dev: { imports: ['domain', 'util', 'connectors', 'config', 'codec', 'activities', 'workflows', 'observability', 'temporal', 'worker'] },
};
const folders = Object.keys(layers);
const EMULATORS = '@p2c-sync/emulators';
const WIRE = '@p2c-sync/odata-wire';

/** A relative import of src/<folder> (from src/<x>/…: `../folder/…`; from src/worker.ts: `./folder/…`). */
const relativeTo = (names) => `^\\.{1,2}/(\\.\\./)*(${names.join('|')})(/|$)`;

const outsideProduct = {
  regex: '^(\\.\\./)+(scripts|test|packages|bin)(/|$)',
  message: 'Product code does not import scripts, tests or workspace packages by path (packages by name only).',
};

/** The no-restricted-imports options for code of `layer`; `allow` lifts the emulators/dev bans for a few CLI files. */
function layerRule(layer, { allow = [] } = {}) {
  const { imports, types = [], sandbox = [] } = layers[layer];
  const lifted = [layer, ...imports, ...types, ...sandbox, ...allow];
  const refused = folders.filter((f) => !lifted.includes(f));
  const allowed = imports.length ? `may import only ${imports.join(', ')}${types.length ? ` (types also from ${types.join(', ')})` : ''}` : 'imports nothing of src/';
  const message = `${layer} ${allowed}: see the layers in docs/architecture.md.`;
  const patterns = [outsideProduct];
  if (refused.length) patterns.push({ regex: relativeTo(refused), message });
  if (types.length) patterns.push({ regex: relativeTo(types), allowTypeImports: true, message });
  const paths = allow.includes('emulators')
    ? []
    : [{ name: EMULATORS, message: 'The emulators are not product code: only src/dev/ and the CLI\'s demo and emulators commands start them.' }];
  return { paths, patterns };
}

const workflowSandbox = {
  paths: [
    ...nodeBuiltins.flatMap((name) => [name, `node:${name}`]).map((name) => ({
      name,
      message: 'Workflow code runs in a deterministic sandbox: no Node built-ins beyond assert, url, util.',
    })),
    ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker'].map((name) => ({
      name,
      message: 'Workflows may import only @temporalio/workflow and @temporalio/common.',
    })),
  ],
  patterns: [
    {
      // activities/contracts is the exception: the schemas of what travels through history (zod, no I/O).
      regex: '(^|/)activities(/(?!contracts$).*)?$',
      allowTypeImports: true,
      message: 'Workflows import only types from I/O modules; the code runs in activities.',
    },
  ],
};

const restrict = (files, options) => ({ files, rules: { '@typescript-eslint/no-restricted-imports': ['error', options] } });
const merge = (a, b) => ({ paths: [...a.paths, ...b.paths], patterns: [...a.patterns, ...b.patterns] });

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'dist/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
  },
  ...folders
    .filter((layer) => layer !== 'worker' && layer !== 'workflows')
    .map((layer) => restrict([`src/${layer}/**/*.ts`], layerRule(layer, layer === 'dev' ? { allow: ['emulators'] } : {}))),
  restrict(['src/worker.ts'], layerRule('worker')),
  restrict(['src/workflows/**/*.ts'], merge(workflowSandbox, layerRule('workflows'))),
  // Observability code bundled into the workflow sandbox too (workflowInterceptorModules, src/temporal/workflow-bundle.ts).
  restrict(
    ['src/observability/workflow-interceptors.ts', 'src/observability/result-counts.ts', 'src/observability/run-sinks.ts'],
    merge(workflowSandbox, layerRule('observability')),
  ),
  // The CLI's demo starts the emulators through the dev wiring; `p2c emulators` starts them.
  restrict(['src/cli/demo.ts'], layerRule('cli', { allow: ['emulators', 'dev'] })),
  restrict(['src/cli/emulators-command.ts'], layerRule('cli', { allow: ['emulators'] })),
  // The workspace packages: the wire formats import nothing of the repository; the emulators only the wire formats.
  restrict(['packages/odata-wire/**/*.ts'], {
    paths: [{ name: EMULATORS, message: 'The wire formats import nothing of the repository.' }],
    patterns: [{ regex: '^\\.\\./\\.\\./', message: 'The wire formats import nothing outside packages/odata-wire.' }],
  }),
  ...[
    ['packages/emulators/src/*.ts', '^\\.\\./'],
    ['packages/emulators/src/*/**/*.ts', '^\\.\\./\\.\\./'],
    ['packages/emulators/test/*/*/**/*.ts', '^(\\.\\./){4}'],
  ].map(([files, regex]) =>
    restrict([files], {
      paths: [],
      patterns: [{ regex, message: `The emulators share only the wire formats with the product (${WIRE}): nothing else outside packages/emulators.` }],
    }),
  ),
);
