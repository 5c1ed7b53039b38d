// Type-aware lint. The workflow rules are Temporal's recommended guard: workflow code is bundled into a
// deterministic sandbox, so it must not import Node built-ins (beyond assert/url/util), I/O code or the
// activity/client/worker SDK packages, and no promise may float.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'worker_threads',
  'zlib',
];

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
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
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
              group: ['**/connectors/**', '**/emulators/**', '**/cli/**', '**/config/**'],
              allowTypeImports: true,
              message: 'Workflows import only types from I/O modules; the code runs in activities.',
            },
            {
              // activities/contracts is the exception: the schemas of what travels through history (zod, no I/O).
              regex: '(^|/)activities(/(?!contracts$).*)?$',
              allowTypeImports: true,
              message: 'Workflows import only types from I/O modules; the code runs in activities.',
            },
          ],
        },
      ],
    },
  },
);
