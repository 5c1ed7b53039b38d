import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layers of docs/architecture.md are ESLint rules (eslint.config.mjs). These cases lint a snippet as if it were
// a file at the given path, with the repository's configuration: a wrong-way import must be reported, a legal one
// must not. Only the import rule runs, without type information, so a snippet needs no file on disk.
const root = path.resolve(__dirname, '../../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports',
});

async function importProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

const valueImport = (specifier: string) => `import { thing } from '${specifier}';\nexport const used = thing;\n`;
const typeImport = (specifier: string) => `import type { Thing } from '${specifier}';\nexport type Used = Thing;\n`;

describe('the layer rules', () => {
  it('report an import from domain up into connectors, naming the rule and the layers page', async () => {
    const problems = await importProblems('src/domain/wrong-way.ts', valueImport('../connectors/errors'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('@typescript-eslint/no-restricted-imports');
    expect(problems[0]).toContain("'../connectors/errors'");
    expect(problems[0]).toContain('domain imports nothing of src/: see the layers in docs/architecture.md.');
  });

  it('let connectors import domain and the wire formats package', async () => {
    expect(await importProblems('src/connectors/legal.ts', valueImport('../domain/code-equality'))).toEqual([]);
    expect(await importProblems('src/connectors/legal.ts', valueImport('@p2c-sync/odata-wire'))).toEqual([]);
  });

  it.each([
    ['src/connectors/x.ts', '../activities/dependencies'],
    ['src/connectors/x.ts', '../config/sync-config'],
    ['src/activities/x.ts', '../workflows/sync-input'],
    ['src/activities/x.ts', '../temporal/client'],
    ['src/config/x.ts', '../connectors/errors'],
    ['src/codec/x.ts', '../config/worker-environment'],
    ['src/util/x.ts', '../domain/errors'],
    ['src/temporal/x.ts', '../cli/program'],
    ['src/worker.ts', './cli/program'],
    ['src/workflows/x.ts', '../activities/dependencies'],
    ['src/workflows/x.ts', '../observability/json-logger'],
  ])('report %s importing %s (a layer above, or beside)', async (file, specifier) => {
    expect(await importProblems(file, valueImport(specifier))).toHaveLength(1);
  });

  it.each([
    ['src/activities/x.ts', '../connectors/errors'],
    ['src/activities/x.ts', '../config/sync-config'],
    ['src/workflows/x.ts', '../activities/contracts'],
    ['src/workflows/x.ts', '../domain/work-unit'],
    ['src/observability/x.ts', '../connectors/connector-events'],
    ['src/temporal/x.ts', '../codec/encryption-codec'],
    ['src/worker.ts', './activities'],
    ['src/cli/sync/x.ts', '../../workflows/sync-input'],
  ])('let %s import %s (a layer below)', async (file, specifier) => {
    expect(await importProblems(file, valueImport(specifier))).toEqual([]);
  });

  it('let workflows and observability import only types from activities (contracts aside)', async () => {
    expect(await importProblems('src/workflows/x.ts', typeImport('../activities/dependencies'))).toEqual([]);
    expect(await importProblems('src/observability/x.ts', typeImport('../activities/contracts'))).toEqual([]);
    expect(await importProblems('src/observability/x.ts', valueImport('../activities/contracts'))).toHaveLength(1);
    expect(await importProblems('src/connectors/x.ts', typeImport('../activities/contracts'))).toHaveLength(1);
  });

  it('keep the emulators and the dev wiring out of the product, except the demo and emulators commands', async () => {
    expect(await importProblems('src/activities/x.ts', valueImport('@p2c-sync/emulators'))).toHaveLength(1);
    expect(await importProblems('src/cli/program.ts', valueImport('@p2c-sync/emulators'))).toHaveLength(1);
    expect(await importProblems('src/cli/sync/x.ts', valueImport('../../dev/connect-to-emulators'))).toHaveLength(1);
    expect(await importProblems('src/cli/emulators-command.ts', valueImport('../dev/connect-to-emulators'))).toHaveLength(1);
    expect(await importProblems('src/cli/emulators-command.ts', valueImport('@p2c-sync/emulators'))).toEqual([]);
    expect(await importProblems('src/cli/demo.ts', valueImport('../dev/connect-to-emulators'))).toEqual([]);
    expect(await importProblems('src/dev/x.ts', valueImport('@p2c-sync/emulators'))).toEqual([]);
  });

  it('keep scripts, tests and packages (by path) out of the product', async () => {
    expect(await importProblems('src/connectors/x.ts', valueImport('../../scripts/bench/limits-model'))).toHaveLength(1);
    expect(await importProblems('src/domain/x.ts', valueImport('../../test/support/pipeline'))).toHaveLength(1);
    expect(await importProblems('src/connectors/x.ts', valueImport('../../packages/odata-wire/src/batch'))).toHaveLength(1);
  });

  it('let the emulators import the wire formats and their own code, nothing else of the repository', async () => {
    expect(await importProblems('packages/emulators/src/fno/x.ts', valueImport('@p2c-sync/odata-wire'))).toEqual([]);
    expect(await importProblems('packages/emulators/src/fno/x.ts', valueImport('../shared'))).toEqual([]);
    expect(await importProblems('packages/emulators/test/unit/fno/x.ts', valueImport('../../../src/fno'))).toEqual([]);
    expect(await importProblems('packages/emulators/src/fno/x.ts', valueImport('../../../../src/domain/code-equality'))).toHaveLength(1);
    expect(await importProblems('packages/emulators/src/x.ts', valueImport('../../../src/connectors/errors'))).toHaveLength(1);
    expect(await importProblems('packages/emulators/test/unit/fno/x.ts', valueImport('../../../../../src/domain/code-equality'))).toHaveLength(1);
    expect(await importProblems('packages/odata-wire/src/x.ts', valueImport('@p2c-sync/emulators'))).toHaveLength(1);
    expect(await importProblems('packages/odata-wire/src/x.ts', valueImport('../../../src/domain/errors'))).toHaveLength(1);
  });
});
