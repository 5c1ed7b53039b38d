#!/usr/bin/env node
// The `p2c` command. Runs the TypeScript sources directly through tsx: no build step between a change and a run.
'use strict';

const { spawn } = require('node:child_process');
const os = require('node:os');

// Global options that take a value (src/cli/global-options.ts): their value is not the command's name.
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--address', '--namespace', '--task-queue']);
// Measured (`npm run bench`, 100k accounts, units of 1,000, 8 in flight): worker peak RSS 353 MB at 256 and 344 MB at
// 192, with at most 115 MB of heap in use; 256 keeps room for bigger units or windows for ~10 MB of RSS.
const DEFAULT_WORKER_MAX_HEAP_MB = 256;
// Kept in step with P2C_WORKER_MAX_HEAP_MB in src/config/worker-environment.ts (checked here without zod: this
// process stays alive next to the worker, so it loads nothing it does not need).
const MIN_WORKER_HEAP_MB = 128;
const MAX_WORKER_HEAP_MB = 65536;
// The SDK runtime's shutdown signals (a worker drains on them), plus SIGHUP so a closed terminal still ends the worker.
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2', 'SIGHUP'];
const LAUNCHED_MARK = 'P2C_LAUNCHED_WORKER';
// glibc's malloc gives each thread that contends for it an arena of its own (up to 8 per core), and memory freed in
// one arena stays there. At 1,000,000 accounts the worker's threads (the SDK's Rust runtime, libuv's pool, V8's
// helpers) kept ~80 MB resident outside V8's heaps and mapped files, mostly in such arenas; with two arenas ~20 MB,
// at the same throughput (BENCHMARKS.md section 3). Read by glibc when the process starts, so it is set here; an operator's value wins.
const DEFAULT_WORKER_MALLOC_ARENA_MAX = '2';
// After each full collection V8 lets the heap grow by a factor it picks from the heap limit: at 256 MB, 1.3, so the
// worker (~60-80 MB alive at 100,000 accounts, units of 1,000, 8 in flight) marked its whole heap every ~30 MB
// promoted, 35 times per 100,000 accounts, on V8's helper threads, beside the activities on two cores. 1.7 halved
// that (BENCHMARKS.md section 1, 2026-12-05 20:30); 2.2, with the smaller young generations below, cut the helper
// threads' CPU from 4.6-4.7 s to 3.9-4.2 s per 100,000 accounts (2026-12-06 04:15, back to back). What the larger
// factor costs in RSS, the young generations' smaller bound pays back.
// NODE_OPTIONS="--heap-growing-percent=N" (or the node command line) wins.
const DEFAULT_WORKER_HEAP_GROWING_PERCENT = 120;
// V8 lets each isolate's young generation grow to 2 x 16 MB, and the worker has two: the main thread's and the
// workflow thread's (which used at most ~15 MB of its 32 at 1,000,000 accounts). Both were at their bound. With 8 MB
// semi-spaces a unit's data is still promoted (it lives ~1 s, across many scavenges either way) and the short-lived
// garbage still dies young; at 1,000,000 accounts the worker peaked at 360-366 MB with growing factor 2.2, against
// 382-393 MB with 1.7 and 16 MB semi-spaces (2026-12-06). `--max-semi-space-size=N` given to node wins.
const DEFAULT_WORKER_MAX_SEMI_SPACE_MB = 8;

function commandName(args) {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

function nodeFlagGiven(flag) {
  return process.execArgv.some((arg) => flag.test(arg)) || flag.test(process.env.NODE_OPTIONS ?? '');
}

function heapLimitGiven() {
  return nodeFlagGiven(/(^|\s)--max[-_]old[-_]space[-_]size\b/);
}

/** `--<name>=<value>` unless the operator gave that V8 flag (spelt with `-` or `_`) on the node command line or in NODE_OPTIONS. */
function defaultV8Flag(name, value) {
  const given = new RegExp(`(^|\\s)--${name.replace(/-/g, '[-_]')}\\b`);
  return nodeFlagGiven(given) ? [] : [`--${name}=${value}`];
}

function workerMaxHeapMb() {
  const raw = process.env.P2C_WORKER_MAX_HEAP_MB;
  if (raw === undefined || raw === '') return DEFAULT_WORKER_MAX_HEAP_MB;
  const mb = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(mb >= MIN_WORKER_HEAP_MB && mb <= MAX_WORKER_HEAP_MB)) {
    process.stderr.write(`p2c: P2C_WORKER_MAX_HEAP_MB must be a whole number of MB from ${MIN_WORKER_HEAP_MB} to ${MAX_WORKER_HEAP_MB}, got "${raw}"\n`);
    process.exit(2);
  }
  return mb;
}

/**
 * `p2c worker` runs with a bounded V8 heap: with the default limit (a share of the machine's memory) V8 lets the
 * main heap grow to several times what survives a collection, and the worker's RSS with it (BENCHMARKS.md, B2). The
 * limit can only be set when V8 starts (and glibc's arena count, MALLOC_ARENA_MAX, when the process starts), so this
 * process starts the worker again with `--max-old-space-size` (and `--heap-growing-percent` and `--max-semi-space-size`, above) and
 * stays in front of it: signals are passed on once (the worker is in its own process group, so a terminal's Ctrl-C
 * does not reach it twice — a second signal would end the SDK's graceful shutdown), and its exit is this process's.
 */
function launchWorker() {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${workerMaxHeapMb()}`, ...defaultV8Flag('heap-growing-percent', DEFAULT_WORKER_HEAP_GROWING_PERCENT), ...defaultV8Flag('max-semi-space-size', DEFAULT_WORKER_MAX_SEMI_SPACE_MB), ...process.execArgv, __filename, ...process.argv.slice(2)],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { MALLOC_ARENA_MAX: DEFAULT_WORKER_MALLOC_ARENA_MAX, ...process.env, [LAUNCHED_MARK]: '1' },
      detached: true,
    },
  );
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.once('error', (error) => {
    process.stderr.write(`p2c: cannot start the worker: ${error.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    for (const s of FORWARDED_SIGNALS) process.off(s, forward);
    if (!signal) process.exit(code ?? 1);
    // Ended by a signal: end the same way, so a supervisor sees what the worker saw. As a container's PID 1 the
    // kernel ignores a signal with no handler, hence the shell's convention for the code as a fallback.
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128 + (os.constants.signals[signal] ?? 0)), 100);
  });
}

/**
 * In the worker started by `launchWorker`: a launcher that disappears without passing a signal on (SIGKILLed, like
 * a crashed host) takes the worker with it, as it would have without the extra process. The IPC channel closes
 * when the launcher dies, whatever the reason.
 */
function followLauncher() {
  delete process.env[LAUNCHED_MARK];
  if (!process.channel) return;
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  process.channel.unref();
}

if (process.env[LAUNCHED_MARK] !== '1' && commandName(process.argv.slice(2)) === 'worker' && !heapLimitGiven()) {
  launchWorker();
} else {
  if (process.env[LAUNCHED_MARK] === '1') followLauncher();
  require('tsx/cjs');
  require('../src/cli/main.ts');
}
