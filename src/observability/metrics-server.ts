import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

export interface MetricsServerOptions {
  host?: string;
  /** 0: a free port. */
  port?: number;
  /** Prometheus text of each source, concatenated in order; a failing source becomes a comment, not a failed scrape. */
  sources: readonly (() => Promise<string>)[];
}

export interface RunningMetricsServer {
  /** `http://host:port/metrics` */
  readonly url: string;
  close(): Promise<void>;
}

/** One scrape target per worker: `GET /metrics` in the Prometheus text format. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_request, reply) => {
    const parts = await Promise.all(
      options.sources.map((source) =>
        source().catch((error: unknown) => `# source unavailable: ${error instanceof Error ? error.message : String(error)}\n`),
      ),
    );
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(parts.map((part) => (part.endsWith('\n') ? part : `${part}\n`)).join(''));
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}/metrics`, close: () => app.close() };
}

/** The Prometheus text another exporter serves (the SDK's, on a loopback port). */
export function scrape(url: string, timeoutMs = 5_000): () => Promise<string> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return await response.text();
  };
}
