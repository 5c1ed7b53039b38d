// Diagnostic preload for a worker process (`--worker-node-options "--require tsx/cjs --require <this file>"`):
// prints the process's memory split (V8 heap, external, array buffers, the rest) every few seconds on stderr, so a
// high RSS can be attributed. Not used by the benchmark's figures.
const everyMs = Number(process.env.P2C_MEMORY_PROBE_MS ?? 2000);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const timer = setInterval(() => {
  const usage = process.memoryUsage();
  const line = {
    probe: 'memory',
    rssMb: mb(usage.rss),
    heapTotalMb: mb(usage.heapTotal),
    heapUsedMb: mb(usage.heapUsed),
    externalMb: mb(usage.external),
    arrayBuffersMb: mb(usage.arrayBuffers),
    otherMb: mb(usage.rss - usage.heapTotal - usage.external),
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}, everyMs);
timer.unref();
