import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cli-error';
import { syncInputFromFlags } from '../../../src/cli/sync/input-options';

const scratch = mkdtempSync(path.join(tmpdir(), 'p2c-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const target = path.join(scratch, name);
  writeFileSync(target, content);
  return target;
}

function refusal(flags: Record<string, unknown>): string {
  try {
    syncInputFromFlags(flags);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('sync input from flags', () => {
  it('sends only what the operator gave, typed, and knows the defaults the workflow will apply', () => {
    const { input, options } = syncInputFromFlags({ pipeline: 'nightly', company: ['usmf', 'demf'], batchSize: '250', dryRun: true });
    expect(input).toEqual({ pipeline: 'nightly', companies: ['usmf', 'demf'], batchSize: 250, dryRun: true });
    expect(options).toMatchObject({ pipeline: 'nightly', mode: 'auto', pageSize: 5000, maxConcurrentBatches: 4, dryRun: true });
  });

  it('lays flags over --input-file, a --company replacing the file\'s company', () => {
    const inputFile = file('input.json', JSON.stringify({ pipeline: 'from-file', company: 'usmf', maxConcurrentBatches: 8, heartbeatTimeoutSeconds: 30 }));
    const { input } = syncInputFromFlags({ inputFile, company: ['demf'], mode: 'full' });
    expect(input).toEqual({ pipeline: 'from-file', companies: ['demf'], maxConcurrentBatches: 8, heartbeatTimeoutSeconds: 30, mode: 'full' });
  });

  it('refuses with the workflow\'s own messages, every problem in one line', () => {
    expect(refusal({ batchSize: '1.5', mode: 'sometimes', since: 'yesterday' })).toBe(
      'Invalid input: mode: Invalid option: expected one of "auto"|"full"|"incremental"; since: must be an ISO-8601 date-time with its zone (years 1900-9999), such as "2024-05-01T00:00:00Z", or a watermark "version:<n>" with n at most 9223372036854775807; batchSize: must be a whole number between 1 and 2000',
    );
    expect(refusal({ inputFile: file('typo.json', '{"pagesize": 10}') })).toBe('Invalid input: (input): Unrecognized key: "pagesize"');
    expect(refusal({ inputFile: file('both.json', '{"company": "usmf", "companies": ["demf"]}') })).toBe('Invalid input: company: give either company or companies, not both');
    expect(refusal({ inputFile: file('checkpoint.json', '{"checkpoint": {}}') })).toMatch(/^Invalid input: checkpoint: is set by the workflow itself/);
    expect(refusal({ inputFile: file('broken.json', '{') })).toMatch(/is not valid JSON/);
    expect(refusal({ inputFile: file('array.json', '[]') })).toMatch(/must hold one JSON object$/);
    expect(refusal({ inputFile: path.join(scratch, 'missing.json') })).toMatch(/^cannot read --input-file/);
  });
});
