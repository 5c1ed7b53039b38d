#!/usr/bin/env node
// First-run setup shared by `npm test` and `npm run demo`: npm dependencies when missing or stale, then the
// Temporal CLI, and for tests (`--with-browser`) Debian's Chromium for the Web UI test and promtool for the alert
// rules' tests. Fast (a few stat calls) when everything is already in place.
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

const { ensureTemporalCli } = require('../src/temporal/ensure-temporal.cjs');
try {
  const cli = ensureTemporalCli();
  process.stderr.write(`[bootstrap] temporal CLI: ${path.relative(root, cli) || cli}\n`);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

if (process.argv.includes('--with-browser')) ensureTestTools();

/**
 * Tools the tests drive that npm cannot provide, from Debian packages, installed with apt-get when missing and we
 * may (root or password-less sudo); otherwise a clear message, since those tests fail rather than skip:
 * - Chromium, headless, for the Web UI test (browser builds cannot be downloaded here, Debian's package can);
 * - promtool (package `prometheus`), which checks and unit-tests the alert rules in deploy/prometheus;
 * - HAProxy, which the Temporal TLS tests put in front of the dev server (TLS and mutual TLS, ALPN h2).
 */
function ensureTestTools() {
  const browser = process.env.P2C_CHROMIUM_PATH || '/usr/bin/chromium';
  const missing = [];
  if (!fs.existsSync(browser)) missing.push({ pkg: 'chromium', what: `no Chromium at ${browser}`, hint: 'or set P2C_CHROMIUM_PATH' });
  const haproxy = process.env.P2C_HAPROXY_PATH || '/usr/sbin/haproxy';
  if (!fs.existsSync(haproxy)) missing.push({ pkg: 'haproxy', what: `no HAProxy at ${haproxy}`, hint: 'or set P2C_HAPROXY_PATH' });
  if (!process.env.P2C_PROMTOOL_PATH && !onPath('promtool')) missing.push({ pkg: 'prometheus', what: 'no promtool on PATH', hint: 'or set P2C_PROMTOOL_PATH' });
  if (process.env.P2C_PROMTOOL_PATH && !fs.existsSync(process.env.P2C_PROMTOOL_PATH)) {
    process.stderr.write(`[bootstrap] P2C_PROMTOOL_PATH=${process.env.P2C_PROMTOOL_PATH} does not exist\n`);
    process.exit(1);
  }
  if (missing.length === 0) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!root && !sudo) {
    for (const { pkg, what, hint } of missing) {
      process.stderr.write(`[bootstrap] ${what}: run \`sudo apt-get install -y ${pkg}\` ${hint}\n`);
    }
    process.exit(1);
  }
  const packages = missing.map(({ pkg }) => pkg);
  process.stderr.write(`[bootstrap] installing Debian ${packages.join(', ')} (apt-get) for the tests ...\n`);
  const apt = (args) => {
    const command = sudo ? 'sudo' : 'apt-get';
    const argv = sudo ? ['-n', 'apt-get', ...args] : args;
    const r = spawnSync(command, argv, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  };
  apt(['update', '-q']);
  // Only promtool of the prometheus package is used (where systemd runs, the package also starts a server).
  apt(['install', '-y', '-q', ...packages]);
}

function onPath(command) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, command)));
}
