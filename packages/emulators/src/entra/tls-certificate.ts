import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  /** The certificate clients must trust (PEM). */
  caCertPem: string;
  /** The server's certificate chain (leaf + CA) and key (PEM). */
  certPem: string;
  keyPem: string;
}

export interface TlsMaterialOptions {
  /** Subject alternative names besides 127.0.0.1, ::1 and localhost (host names or IP addresses). */
  names?: readonly string[];
  /**
   * Keeps the CA here (`entra-ca.pem`, `entra-ca.key`) and reuses it on the next start, so a client that trusts the
   * CA file keeps trusting the restarted emulator. A new CA every start when omitted.
   */
  caDirectory?: string;
}

const caFileName = 'entra-ca.pem';
const caKeyFileName = 'entra-ca.key';

/**
 * A private CA and a server certificate it signed, generated at start with `selfsigned` (EC P-256: generating
 * takes milliseconds). MSAL accepts only https authorities, so the Entra emulator must serve TLS that clients can
 * be told to trust.
 */
export async function createTlsMaterial(options: TlsMaterialOptions = {}): Promise<TlsMaterial> {
  const ca = loadCa(options.caDirectory) ?? (await generateCa(options.caDirectory));
  const names = [...new Set(['127.0.0.1', '::1', 'localhost', ...(options.names ?? [])])];
  const notBefore = new Date(Date.now() - 60_000);
  const leaf = await generate([{ name: 'commonName', value: 'p2c Entra ID emulator' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + 397 * 24 * 3600_000),
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })),
      },
    ],
  });
  return { caCertPem: ca.certPem, certPem: `${leaf.cert.trim()}\n${ca.certPem.trim()}\n`, keyPem: leaf.private };
}

export function caFilePath(directory: string): string {
  return path.join(directory, caFileName);
}

interface CaPair {
  certPem: string;
  keyPem: string;
}

function loadCa(directory: string | undefined): CaPair | undefined {
  if (!directory) return undefined;
  const certFile = path.join(directory, caFileName);
  const keyFile = path.join(directory, caKeyFileName);
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  const certPem = readFileSync(certFile, 'utf8');
  // An expired or nearly expired CA is replaced rather than served.
  if (new Date(new X509Certificate(certPem).validTo).getTime() < Date.now() + 24 * 3600_000) return undefined;
  return { certPem, keyPem: readFileSync(keyFile, 'utf8') };
}

async function generateCa(directory: string | undefined): Promise<CaPair> {
  const notBefore = new Date(Date.now() - 60_000);
  const ca = await generate([{ name: 'commonName', value: 'p2c emulator CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + 5 * 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const pair = { certPem: ca.cert, keyPem: ca.private };
  if (directory) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(path.join(directory, caKeyFileName), pair.keyPem, { mode: 0o600 });
    writeFileSync(path.join(directory, caFileName), pair.certPem);
  }
  return pair;
}
