#!/usr/bin/env node
// First-run setup shared by `npm test` and `npm run demo`: npm dependencies when missing or stale, then the
// Temporal CLI, and for tests (`--with-browser`) Debian's Chromium for the Web UI test. Fast (a few stat calls)
// when everything is already in place.
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

if (process.argv.includes('--with-browser')) ensureChromium();

/**
 * The Web UI test drives Debian's Chromium headless (browser builds cannot be downloaded here, Debian's package
 * can). Installed with apt-get when we may; otherwise a clear message, since that test fails rather than skips.
 */
function ensureChromium() {
  const browser = process.env.P2C_CHROMIUM_PATH || '/usr/bin/chromium';
  if (fs.existsSync(browser)) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!root && !sudo) {
    process.stderr.write(`[bootstrap] no Chromium at ${browser}: run \`sudo apt-get install -y chromium\` or set P2C_CHROMIUM_PATH\n`);
    process.exit(1);
  }
  process.stderr.write('[bootstrap] installing Debian chromium (apt-get) for the Web UI test ...\n');
  const apt = (args) => {
    const command = sudo ? 'sudo' : 'apt-get';
    const argv = sudo ? ['-n', 'apt-get', ...args] : args;
    const r = spawnSync(command, argv, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  };
  apt(['update', '-q']);
  apt(['install', '-y', '-q', 'chromium']);
}
