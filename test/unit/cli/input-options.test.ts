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
    const { input, options } = syncInputFromFlags({ pipeline: 'nightly', company: ['usmf', 'demf'], unitSize: '250', dryRun: true });
    expect(input).toEqual({ pipeline: 'nightly', companies: ['usmf', 'demf'], unitSize: 250, dryRun: true });
    expect(options).toMatchObject({ pipeline: 'nightly', mode: 'auto', pageSize: 5000, unitSize: 250, maxConcurrentUnits: 4, dryRun: true });
  });

  it('takes the old flags --batch-size and --max-concurrent-batches as the unit knobs, and refuses both names disagreeing', () => {
    const { input, options } = syncInputFromFlags({ batchSize: '300', maxConcurrentBatches: '6' });
    expect(input).toEqual({ batchSize: 300, maxConcurrentBatches: 6 });
    expect(options).toMatchObject({ unitSize: 300, maxConcurrentUnits: 6 });
    expect(options).not.toHaveProperty('batchSize');
    expect(options).not.toHaveProperty('maxConcurrentBatches');
    expect(syncInputFromFlags({ batchSize: '300', unitSize: '300' }).options.unitSize).toBe(300);
    expect(refusal({ batchSize: '300', unitSize: '200' })).toBe(
      'Invalid input: batchSize: is the old name of unitSize, given as well with another value (300 and 200): give unitSize only',
    );
    // A flag under either name replaces the file's value under either name.
    const inputFile = file('old-names.json', JSON.stringify({ batchSize: 500, maxConcurrentUnits: 2 }));
    expect(syncInputFromFlags({ inputFile, unitSize: '100', maxConcurrentBatches: '3' }).input).toEqual({ unitSize: 100, maxConcurrentBatches: 3 });
  });

  it('lays flags over --input-file, a --company replacing the file\'s company', () => {
    const inputFile = file('input.json', JSON.stringify({ pipeline: 'from-file', company: 'usmf', maxConcurrentBatches: 8, heartbeatTimeoutSeconds: 30 }));
    const { input } = syncInputFromFlags({ inputFile, company: ['demf'], mode: 'full' });
    expect(input).toEqual({ pipeline: 'from-file', companies: ['demf'], maxConcurrentBatches: 8, heartbeatTimeoutSeconds: 30, mode: 'full' });
  });

  it('refuses with the workflow\'s own messages, every problem in one line', () => {
    expect(refusal({ unitSize: '1.5', mode: 'sometimes', since: 'yesterday' })).toBe(
      'Invalid input: mode: Invalid option: expected one of "auto"|"full"|"incremental"; since: must be an ISO-8601 date-time with its zone (years 1900-9999), such as "2024-05-01T00:00:00Z", a watermark "version:<n>" with n at most 9223372036854775807, or a delta link "delta:<url>" from an earlier result; unitSize: must be a whole number between 1 and 2000',
    );
    expect(refusal({ inputFile: file('typo.json', '{"pagesize": 10}') })).toBe('Invalid input: (input): Unrecognized key: "pagesize"');
    expect(refusal({ inputFile: file('both.json', '{"company": "usmf", "companies": ["demf"]}') })).toBe('Invalid input: company: give either company or companies, not both');
    expect(refusal({ inputFile: file('checkpoint.json', '{"checkpoint": {}}') })).toMatch(/^Invalid input: checkpoint: is set by the workflow itself/);
    expect(refusal({ inputFile: file('broken.json', '{') })).toMatch(/is not valid JSON/);
    expect(refusal({ inputFile: file('array.json', '[]') })).toMatch(/must hold one JSON object$/);
    expect(refusal({ inputFile: path.join(scratch, 'missing.json') })).toMatch(/^cannot read --input-file/);
  });
});
