import type { Command } from 'commander';
import { z } from 'zod';
import { connectDependencies } from '../../activities/dependencies';
import { checkConfiguration } from '../../activities/preflight';
import { loadSyncConfig, resolveClientSecrets, type LoadedConfig } from '../../config/sync-config';
import { ConfigurationError } from '../../domain/errors';
import { dataAreaIdSchema } from '../../domain/data-area-id';
import { CliError } from '../cli-error';
import { writeLine, type CliIo } from '../cli-io';
import { parseFlags } from '../parse-flags';

const flagsSchema = z.object({
  config: z.string({ error: 'is required: the configuration file to check' }).min(1),
  online: z.boolean().default(false),
  company: z.array(dataAreaIdSchema).optional(),
});

/**
 * `p2c config validate`: the checks a worker and a run's preflight make, before deploying. Offline: the file parses
 * and every problem is listed with its path. Online: the services answer with the worker's credentials, and every
 * code the mapping can produce exists in each company's F&O reference data.
 */
export function registerConfigCommands(program: Command, io: CliIo): void {
  const config = program.command('config').description('check a sync configuration file');
  config
    .command('validate')
    .description('check a configuration file: offline, or with --online against Dataverse and F&O')
    .option('-c, --config <file>', 'the configuration file (YAML or JSON)')
    .option('--online', "also check against the live services (client secrets from the environment, as the worker's)")
    .option('--company <id...>', 'with --online: only these companies')
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(flagsSchema, raw);
      const loaded = loadOrReport(flags.config, io);
      const { config: parsed, configVersion } = loaded;
      writeLine(io.stdout, `${flags.config}: valid (version ${configVersion}; companies ${parsed.companies.map((c) => c.dataAreaId).join(', ')}).`);
      if (!flags.online) return;

      const secrets = resolveOrReport(loaded, io);
      const dependencies = connectDependencies(loaded, secrets);
      try {
        const check = await checkConfiguration(dependencies, flags.company);
        // Warnings first: they stand beside problems too, and are what remains when everything else passed.
        for (const warning of check.warnings) writeLine(io.stdout, `Warning: ${warning}`);
        if (check.problems.length) {
          reportProblems(io, `${flags.config}: ${check.problems.length} problem(s) against the live services`, check.problems);
        }
        const unchecked = check.warnings.length ? ` (${check.warnings.length} warning(s): some codes could not be checked)` : '';
        writeLine(io.stdout, `Online check passed${unchecked}: Dataverse and F&O answer; business units, filters and reference data of ${check.companies.map((c) => c.dataAreaId).join(', ')} are in place.`);
      } finally {
        await dependencies.close();
      }
    });
}

function loadOrReport(file: string, io: CliIo): LoadedConfig {
  try {
    return loadSyncConfig(file);
  } catch (error) {
    if (error instanceof ConfigurationError) reportProblems(io, error.message.split(':\n')[0] ?? 'Invalid configuration', error.problems);
    throw error;
  }
}

function resolveOrReport(loaded: LoadedConfig, io: CliIo) {
  try {
    return resolveClientSecrets(loaded.config, io.env);
  } catch (error) {
    if (error instanceof ConfigurationError) reportProblems(io, 'Cannot check online: missing client secrets', error.problems);
    throw error;
  }
}

/** Every problem on its own line (the path first), then a one-line refusal and exit code 1. */
function reportProblems(io: CliIo, title: string, problems: readonly string[]): never {
  writeLine(io.stdout, `${title}:`);
  for (const problem of problems) writeLine(io.stdout, `  - ${problem}`);
  throw new CliError(`${problems.length} problem(s) found`);
}
