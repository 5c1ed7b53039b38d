// Diagnostic preload for a worker process (`--worker-node-options "--require tsx/cjs --require <this file>"`):
// prints the process's memory split every few seconds on stderr, so a high RSS can be attributed. Not used by the
// benchmark's figures (the preload itself costs the worker ~10-20 MB: tsx is loaded twice).
//
// Node runs `--require` preloads in every thread, and the SDK runs workflows in a worker thread with its own V8
// isolate: each thread prints its own line (`thread` 0 is the main thread), with its own isolate's heap. The
// process's RSS is shared, so its non-heap part is RSS minus the heaps of all threads minus external memory: sum the
// lines of one moment. The main thread adds the kernel's split of the RSS (anonymous memory vs mapped files such as
// the node binary and the SDK's native library) and the number of threads.
//
// P2C_MEMORY_PROBE_SNAPSHOT_SECONDS=<s>[,<s>...] (with P2C_MEMORY_PROBE_DIR) also writes heap snapshots of each thread
// of a process above 150 MB of RSS (the worker, not the launcher), <s> seconds after the thread started, or later once the
// thread's own heap in use reaches P2C_MEMORY_PROBE_SNAPSHOT_HEAP_MB (if set): the moment the heap is largest;
// P2C_MEMORY_PROBE_SNAPSHOT_THREAD=<id> limits that to one thread (writing a snapshot leaves the RSS hundreds of MB
// higher: the figures after it are not the worker's own).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { threadId } from 'node:worker_threads';

const everyMs = Number(process.env.P2C_MEMORY_PROBE_MS ?? 2000);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function kernelSplit(): Record<string, number> {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssAnonMb: Math.round(field('RssAnon') / 1024), rssFileMb: Math.round(field('RssFile') / 1024), hwmMb: Math.round(field('VmHWM') / 1024), threads: field('Threads') };
  } catch {
    return {};
  }
}

const snapshotTimes = (process.env.P2C_MEMORY_PROBE_SNAPSHOT_SECONDS ?? '').split(',').filter(Boolean).map(Number);
const snapshotHeapBytes = Number(process.env.P2C_MEMORY_PROBE_SNAPSHOT_HEAP_MB ?? 0) * 1024 * 1024;
const snapshotDir = process.env.P2C_MEMORY_PROBE_DIR ?? process.cwd();
const startedMs = Date.now();
const snapshotThread = process.env.P2C_MEMORY_PROBE_SNAPSHOT_THREAD;
if (snapshotThread !== undefined && snapshotThread !== String(threadId)) snapshotTimes.length = 0;

const timer = setInterval(() => {
  const due = snapshotTimes[0];
  if (due !== undefined && Date.now() - startedMs >= due * 1000 && process.memoryUsage().rss > 150 * 1024 * 1024 && process.memoryUsage().heapUsed >= snapshotHeapBytes) {
    snapshotTimes.shift();
    const file = writeHeapSnapshot(path.join(snapshotDir, `probe-${process.pid}-thread${threadId}-${due}s.heapsnapshot`));
    process.stderr.write(`${JSON.stringify({ probe: 'snapshot', pid: process.pid, thread: threadId, file })}\n`);
  }
  const usage = process.memoryUsage();
  const line = {
    probe: 'memory',
    pid: process.pid,
    thread: threadId,
    t: Math.round(Date.now() / 1000),
    rssMb: mb(usage.rss),
    heapTotalMb: mb(usage.heapTotal),
    heapUsedMb: mb(usage.heapUsed),
    externalMb: mb(usage.external),
    arrayBuffersMb: mb(usage.arrayBuffers),
    // Size (committed) / used per V8 space: new, old, code, large objects.
    spaces: Object.fromEntries(
      getHeapSpaceStatistics()
        .filter((space) => space.space_size > 0)
        .map((space) => [space.space_name.replace(/_space$/, ''), `${mb(space.space_size)}/${mb(space.space_used_size)}`]),
    ),
    ...(threadId === 0 ? kernelSplit() : {}),
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}, everyMs);
timer.unref();
