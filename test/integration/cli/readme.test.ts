import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';
import { p2c } from './cli-runner';

// The README as a fresh reader uses it (a documented subset, kept cheap): every `npx p2c …` command line in its
// shell blocks names a command that exists, and the configuration file it gives for the emulators works against
// emulators started as it says (ports and the state directory moved to free ones, nothing else changed).
const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] ?? '');
}

/** `npx p2c schedule create nightly --cron …` → `['schedule', 'create']`: the words before the first argument. */
function commandPath(line: string): string[] {
  const words = line.replace(/^.*?npx p2c\s+/, '').split(/\s+/);
  const path: string[] = [];
  for (const word of words) {
    if (!/^[a-z][a-z-]*$/.test(word) || path.length >= 2) break;
    path.push(word);
  }
  return path;
}

describe('README', () => {
  let emulators: RunningEmulators;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-readme-'));
    emulators = await startEmulators({ generate: { count: 50, seed: 2 }, tenantId: 'p2c-emulated', stateDir: path.join(scratch, '.emulator-state') });
  }, 60_000);
  afterAll(async () => {
    await emulators?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('names only p2c commands that exist', async () => {
    const lines = codeBlocks('bash').flatMap((block) => block.split('\n')).filter((line) => line.includes('npx p2c '));
    expect(lines.length).toBeGreaterThan(8);
    for (const line of lines) {
      for (const part of line.split('&&').filter((piece) => piece.includes('npx p2c '))) {
        const words = commandPath(part);
        const help = await p2c([...words, '--help']);
        expect(help.code, `${part.trim()}: p2c ${words.join(' ')} --help`).toBe(0);
      }
    }
  });

  it("gives a configuration file for the emulators that passes the online check", async () => {
    const block = codeBlocks('yaml').find((text) => text.startsWith('# emulators-sync.yaml'));
    expect(block).toBeDefined();
    const port = (url: string) => new URL(url).port;
    const yaml = (block ?? '')
      .replaceAll('127.0.0.1:8701', `127.0.0.1:${port(emulators.dataverse.url)}`)
      .replaceAll('127.0.0.1:8702', `127.0.0.1:${port(emulators.fno.url)}`)
      .replaceAll('127.0.0.1:8703', `127.0.0.1:${port(emulators.entra.authority)}`)
      .replaceAll('.emulator-state/', `${path.join(scratch, '.emulator-state')}/`);
    const file = path.join(scratch, 'emulators-sync.yaml');
    writeFileSync(file, yaml);
    const env = { P2C_DATAVERSE_CLIENT_SECRET: '', P2C_FNO_CLIENT_SECRET: '' };
    const result = await p2c(['config', 'validate', '--config', file, '--online'], env);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
  });
});
