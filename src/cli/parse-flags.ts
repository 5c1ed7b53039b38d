import type { z } from 'zod';
import { CliError } from './cli-error';

/**
 * Validates what commander handed over. Problems name the flag as the operator typed it (`--unit-size`), all in one
 * line, so that a script's log shows the whole refusal.
 */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${flagName(issue.path)}: ${issue.message}`);
  throw new CliError(`invalid options: ${problems.join('; ')}`);
}

function flagName(path: readonly PropertyKey[]): string {
  const first = path[0];
  if (typeof first !== 'string') return 'options';
  return `--${first.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** The same for a positional argument, named as in the command's usage (`<schedule-id>`). */
export function parseArgument<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CliError(`invalid ${name}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
}
