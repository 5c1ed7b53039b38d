import type { z } from 'zod';

/**
 * One line per problem, each naming the field path: `pageSize: must be between 1 and 5000`.
 * Used wherever untrusted input is validated (workflow input, configuration, environment, HTTP bodies) so that
 * every refusal reads the same way.
 */
export function describeIssues(error: z.ZodError, root = '(input)'): string[] {
  return error.issues.map((issue) => `${issue.path.length ? formatPath(issue.path) : root}: ${issue.message}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
