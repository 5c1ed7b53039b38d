#!/usr/bin/env node
// First-run setup shared by `npm test` and `npm run demo`: npm dependencies when missing or stale, then the
// Temporal CLI. Fast (a few stat calls) when everything is already in place.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const installedLock = path.join(root, 'node_modules', '.package-lock.json');

function dependenciesAreStale() {
  if (!fs.existsSync(installedLock)) return true;
  return fs.statSync(lock).mtimeMs > fs.statSync(installedLock).mtimeMs;
}

if (dependenciesAreStale()) {
  process.stderr.write('[bootstrap] installing npm dependencies (npm ci) ...\n');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const { ensureTemporalCli } = require('./ensure-temporal.cjs');
try {
  const cli = ensureTemporalCli();
  process.stderr.write(`[bootstrap] temporal CLI: ${path.relative(root, cli) || cli}\n`);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
