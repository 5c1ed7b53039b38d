import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { freePort } from '../../src/util/free-port';

/** PEM files a test hands to p2c through a profile: two unrelated CAs, the proxy's server pair and a client pair. */
export interface TlsFiles {
  directory: string;
  /** The CA that signed the proxy's server certificate and the client certificate. */
  caCert: string;
  /** A CA that signed nothing here: trusting it instead of `caCert` must be refused. */
  otherCaCert: string;
  clientCert: string;
  clientKey: string;
  serverCert: string;
  serverKey: string;
}

interface CaPair {
  cert: string;
  key: string;
}

const day = 24 * 3600_000;

async function makeCa(name: string): Promise<CaPair> {
  const ca = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + day),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

async function makeLeaf(ca: CaPair, name: string, usage: 'server' | 'client'): Promise<CaPair> {
  const leaf = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + day),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      ...(usage === 'server'
        ? [{ name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip: '127.0.0.1' }, { type: 2 as const, value: 'localhost' }] }]
        : []),
    ],
  });
  return { cert: leaf.cert, key: leaf.private };
}

/** Certificates made for one test file (EC P-256: milliseconds), written to a scratch directory. */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const directory = mkdtempSync(path.join(tmpdir(), 'p2c-tls-'));
  const ca = await makeCa('p2c test CA');
  const otherCa = await makeCa('p2c unrelated CA');
  const server = await makeLeaf(ca, 'temporal.test', 'server');
  const client = await makeLeaf(ca, 'p2c worker', 'client');
  const write = (name: string, pem: string) => {
    const file = path.join(directory, name);
    writeFileSync(file, pem, { mode: 0o600 });
    return file;
  };
  return {
    directory,
    caCert: write('ca.pem', ca.cert),
    otherCaCert: write('other-ca.pem', otherCa.cert),
    clientCert: write('client.pem', client.cert),
    clientKey: write('client.key', client.key),
    serverCert: write('server.pem', server.cert),
    serverKey: write('server.key', server.key),
  };
}

export interface TlsProxy {
  /** `127.0.0.1:<port>` where the proxy accepts TLS. */
  address: string;
  stop(): Promise<void>;
}

const haproxyBinary = process.env.P2C_HAPROXY_PATH ?? '/usr/sbin/haproxy';

/**
 * Debian's HAProxy terminating TLS in front of the plain-gRPC dev server, as a TLS-terminating load balancer or
 * Temporal Cloud's front end would. With `requireClientCert` it verifies client certificates against the test CA
 * (mutual TLS) and refuses handshakes that bring none.
 *
 * Not stunnel: Debian's stunnel (5.68) cannot negotiate ALPN, and the worker's gRPC stack (the SDK's Rust core,
 * tonic) refuses a TLS server that does not agree on `h2` (`H2NotNegotiated`). HAProxy offers `alpn h2`.
 */
export async function startTlsProxy(files: TlsFiles, upstream: string, options: { requireClientCert: boolean }): Promise<TlsProxy> {
  const port = await freePort();
  const bundle = path.join(files.directory, 'server-bundle.pem');
  writeFileSync(bundle, `${readFileSync(files.serverCert, 'utf8').trim()}\n${readFileSync(files.serverKey, 'utf8').trim()}\n`, { mode: 0o600 });
  const configFile = path.join(files.directory, `haproxy-${port}.cfg`);
  const verify = options.requireClientCert ? ` ca-file ${files.caCert} verify required` : '';
  writeFileSync(
    configFile,
    [
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 120s',
      '  timeout server 120s',
      'frontend temporal',
      `  bind 127.0.0.1:${port} ssl crt ${bundle} alpn h2${verify}`,
      '  default_backend dev_server',
      'backend dev_server',
      `  server dev ${upstream}`,
      '',
    ].join('\n'),
  );
  // -db: stay in the foreground, so killing the child stops the proxy.
  const child = spawn(haproxyBinary, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => output.push(String(error)));
  await waitForPort(port, child, output);
  return {
    address: `127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`haproxy (${haproxyBinary}) exited: ${output.join('')}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`haproxy did not listen on ${port} within 10 s: ${output.join('')}`);
}

export function removeTlsFiles(files: TlsFiles | undefined): void {
  if (files) rmSync(files.directory, { recursive: true, force: true });
}
