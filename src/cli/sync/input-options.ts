import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { describeIssues } from '../../domain/describe-issues';
import { syncInputSchema, type SyncInput, type SyncOptions } from '../../workflows/sync-input';
import { CliError } from '../cli-error';
import { parseFlags } from '../parse-flags';

/** The run's input options, shared by `sync start`, `sync plan` and `schedule create`. */
export function addSyncInputOptions(command: Command, defaults: { mode: string } = { mode: 'auto' }): Command {
  return command
    .option('--pipeline <name>', 'pipeline name; one run per pipeline at a time (default: default)')
    .option('--company <id...>', 'companies (dataAreaId) to sync; all configured companies when omitted')
    .option('--mode <mode>', `auto | full | incremental (default: ${defaults.mode}; auto is incremental from the last completed run when there is one)`)
    .option('--since <watermark>', 'start of an incremental run: version:<n> from an earlier result, or an ISO-8601 time')
    .option('--dry-run', 'compute what would change and write nothing')
    .option('--unit-size <n>', 'accounts per work unit, one syncWorkUnit activity (default 1000; not the F&O $batch size)')
    .option('--max-concurrent-units <n>', 'work units in flight at once (default 4)')
    .option('--batch-size <n>', 'old name of --unit-size')
    .option('--max-concurrent-batches <n>', 'old name of --max-concurrent-units')
    .option('--input-file <file>', 'the whole input as a JSON object; flags given as well replace its fields');
}

const flagsSchema = z.object({
  pipeline: z.string().optional(),
  company: z.array(z.string()).optional(),
  mode: z.string().optional(),
  since: z.string().optional(),
  dryRun: z.boolean().optional(),
  unitSize: z.string().optional(),
  maxConcurrentUnits: z.string().optional(),
  batchSize: z.string().optional(),
  maxConcurrentBatches: z.string().optional(),
  inputFile: z.string().optional(),
});

export interface ValidatedInput {
  /** What is sent: the operator's fields only, so the workflow's defaults apply and history stays small. */
  input: SyncInput;
  /** The same input with defaults, as the workflow will see it. */
  options: SyncOptions;
}

/** Builds the run's input from `--input-file` and the flags, and checks it exactly as the workflow will. */
export function syncInputFromFlags(raw: Record<string, unknown>): ValidatedInput {
  const flags = parseFlags(flagsSchema, raw);
  const input: Record<string, unknown> = flags.inputFile ? readInputFile(flags.inputFile) : {};
  if (flags.pipeline !== undefined) input.pipeline = flags.pipeline;
  if (flags.company !== undefined) {
    delete input.company;
    input.companies = flags.company;
  }
  if (flags.mode !== undefined) input.mode = flags.mode;
  if (flags.since !== undefined) input.since = flags.since;
  if (flags.dryRun) input.dryRun = true;
  layKnob(input, 'unitSize', flags.unitSize, 'batchSize', flags.batchSize);
  layKnob(input, 'maxConcurrentUnits', flags.maxConcurrentUnits, 'maxConcurrentBatches', flags.maxConcurrentBatches);
  return validateSyncInput(input);
}

/** The workflow's own checks, client-side, with the same messages: a bad input never becomes a failed run. */
export function validateSyncInput(input: Record<string, unknown>): ValidatedInput {
  if ('checkpoint' in input) throw new CliError('Invalid input: checkpoint: is set by the workflow itself when it continues as new');
  const parsed = syncInputSchema.safeParse(input);
  if (!parsed.success) throw new CliError(`Invalid input: ${describeIssues(parsed.error).join('; ')}`);
  return { input: input as SyncInput, options: parsed.data };
}

/**
 * A flag replaces the input file's value under either name. The old flag sets the old name, so that both flags with
 * different values are refused by the schema, naming both.
 */
function layKnob(input: Record<string, unknown>, name: string, value: string | undefined, oldName: string, oldValue: string | undefined): void {
  if (value === undefined && oldValue === undefined) return;
  delete input[name];
  delete input[oldName];
  if (value !== undefined) input[name] = toNumber(value);
  if (oldValue !== undefined) input[oldName] = toNumber(oldValue);
}

function readInputFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --input-file ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--input-file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CliError(`--input-file ${file} must hold one JSON object`);
  return value as Record<string, unknown>;
}

/** Whole decimal numbers only; anything else goes on as text so the schema names the field and the rule. */
function toNumber(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
}
