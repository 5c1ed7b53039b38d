import type { AddressInfo } from 'node:net';
import type { FastifyInstance, RawServerBase } from 'fastify';

/** Starts listening (port 0: a free port) and returns the port actually bound. */
export async function listenOn<S extends RawServerBase>(
  app: FastifyInstance<S>,
  host: string,
  port = 0,
): Promise<number> {
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo | string | null;
  if (!address || typeof address === 'string') throw new Error('the emulator is not listening on a TCP port');
  return address.port;
}

/** `http://127.0.0.1:PORT`; IPv6 hosts in brackets. */
export function originOf(protocol: 'http' | 'https', host: string, port: number): string {
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `${protocol}://${shownHost}:${port}`;
}
