import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflowCode, DefaultLogger, type BundleOptions, type Logger } from '@temporalio/worker';
import { failureConverterPath } from './data-converter';
import { bundleDirectoryPrefix, claimBundleDirectory, removeStaleBundleDirectories } from './stale-bundle-directories';
import { workflowsPath } from './workflows-path';

const openTelemetryWorkflowInterceptors = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
const runLogInterceptors = path.join(__dirname, '..', 'observability', 'workflow-interceptors.ts');

/** Whether a bundle carries OpenTelemetry's workflow interceptors (below). */
export interface WorkflowBundleChoice {
  tracing: boolean;
}
const WITH_TRACING: WorkflowBundleChoice = { tracing: true };

/**
 * What the workflow bundle must contain besides the workflows: the failure converter (so failure messages raised in
 * workflow code are encoded, hence encrypted), the logging interceptor and, unless left out, the SDK's OpenTelemetry
 * workflow interceptors (spans of the run and of each activity it schedules, handed to the worker's `exporter`
 * sink). A pre-built bundle (`p2c bundle-workflows`, the Docker image's) keeps them, so tracing can be turned on where
 * it runs; the worker drops their spans while tracing is off. A worker that bundles at start knows whether it exports
 * traces, and without tracing builds its bundle without them: they made spans for every activity the run schedules
 * and sent each to the main thread, only to be dropped (BENCHMARKS.md section 1). Headers are not part of a
 * workflow's commands, so histories replay the same with and without them.
 */
export function workflowBundleOptions(choice: WorkflowBundleChoice = WITH_TRACING) {
  return {
    workflowsPath,
    workflowInterceptorModules: choice.tracing ? [openTelemetryWorkflowInterceptors, runLogInterceptors] : [runLogInterceptors],
    failureConverterPath,
    webpackConfigHook: leanWorkflowBundle,
  };
}

type WebpackConfiguration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
type WebpackPlugin = NonNullable<WebpackConfiguration['plugins']>[number];
type WebpackCompiler = Parameters<Extract<WebpackPlugin, (...args: never[]) => void>>[0];

/**
 * The bundle as the workflow thread holds it for the worker's whole life, made smaller without changing what runs
 * (measured at 1,000,000 accounts, BENCHMARKS.md section 3):
 * - its inline source map without the sources' text (`inline-nosources-source-map`): the SDK maps workflow stack
 *   traces to file, line and column with the mappings alone and shows source lines only with `showStackTraceSources`,
 *   which the worker does not set. The map's JSON is parsed into a source-map consumer in the workflow thread.
 * - no character above U+00FF in it: one such character (a `—` in a message, zod's `✖`) makes V8 keep the whole
 *   bundle as a two-byte string, twice its size. Each is written as its `\uXXXX` escape instead, which JavaScript
 *   reads as the same character in strings, templates, regular expressions, identifiers and comments alike (the
 *   column mapping of the rest of such a line shifts by five per character).
 */
export function leanWorkflowBundle(config: WebpackConfiguration): WebpackConfiguration {
  return { ...config, devtool: 'inline-nosources-source-map', plugins: [...(config.plugins ?? []), escapeWideCharacters] };
}

function escapeWideCharacters(this: WebpackCompiler, compiler: WebpackCompiler): void {
  const { Compilation, sources } = compiler.webpack;
  compiler.hooks.thisCompilation.tap('p2c-escape-wide-characters', (compilation) => {
    // After the source map is appended (dev tooling): its data URL is base64, so only the code changes.
    compilation.hooks.processAssets.tap({ name: 'p2c-escape-wide-characters', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_TRANSFER }, (assets) => {
      for (const [name, asset] of Object.entries(assets)) {
        if (!name.endsWith('.js')) continue;
        const code = asset.source().toString();
        const escaped = escapeAboveLatin1(code);
        if (escaped !== code) compilation.updateAsset(name, new sources.RawSource(escaped));
      }
    });
  });
}

/** Every UTF-16 code unit above U+00FF as `\uXXXX` (a character outside the BMP becomes its two surrogate escapes). */
export function escapeAboveLatin1(code: string): string {
  return code.replace(/[\u0100-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Builds the workflow bundle in a short-lived child process (`p2c bundle-workflows`) when no pre-built bundle is
 * configured. Webpack in the worker's own process peaks at ~410 MB and leaves that much resident for the worker's
 * whole life; in a child, the memory goes back to the system when it exits, and the worker loads only the result.
 * The child runs with node's default heap limit (not the worker's bounded one: webpack needs more than the worker).
 * The file lives in a private temporary directory and is removed as soon as the worker has read it; a worker killed
 * while bundling cannot remove its directory, so each worker first removes those of workers that are gone.
 */
export async function bundleWorkflowsInChildProcess(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal,
  choice: WorkflowBundleChoice,
  temporaryRoot: string = tmpdir(),
): Promise<{ codePath: string; remove(): Promise<void> }> {
  const stale = removeStaleBundleDirectories(temporaryRoot);
  if (stale.length > 0) logger.info('removed workflow bundle directories of workers that are gone', { directories: stale });
  const directory = await mkdtemp(path.join(temporaryRoot, bundleDirectoryPrefix()));
  const release = claimBundleDirectory(directory);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await rm(directory, { recursive: true, force: true });
    release();
  };
  const codePath = path.join(directory, 'workflow-bundle.js');
  const started = performance.now();
  try {
    const args = [p2cBin, 'bundle-workflows', '--out', codePath, ...(choice.tracing ? [] : ['--without-tracing'])];
    const { stderr } = await execFileAsync(process.execPath, args, {
      // Without the worker's `--max-old-space-size`: NODE_OPTIONS, if the operator set it, still applies.
      env,
      signal,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: unknown) => {
      if (signal.aborted) throw signal.reason;
      const output = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
      throw new Error(`building the workflow bundle failed${output ? `: ${output}` : ''}`, { cause: error });
    });
    if (stderr.trim()) logger.warn('workflow bundling reported problems', { output: stderr.trim() });
    const { size } = await stat(codePath);
    logger.info('workflow bundle built', { codePath, bytes: size, ms: Math.round(performance.now() - started), tracing: choice.tracing });
    return { codePath, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

const p2cBin = path.join(__dirname, '..', '..', 'bin', 'p2c.cjs');
const execFileAsync = promisify(execFile);

/**
 * Builds the workflow bundle ahead of time, with everything a worker's own bundling would include; with
 * `tracing: false`, without the OpenTelemetry workflow interceptors (a worker running it exports no workflow spans).
 */
export async function bundleWorkflows(outFile: string, choice: WorkflowBundleChoice = WITH_TRACING): Promise<number> {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(choice), logger: new DefaultLogger('WARN') });
  await writeFile(outFile, code);
  return Buffer.byteLength(code);
}
