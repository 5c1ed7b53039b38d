import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import type { TLSConfig } from '@temporalio/client';

export type TlsProbeResult =
  | { kind: 'handshake-ok' }
  /** Nothing answered: a network problem worth another attempt. */
  | { kind: 'unreachable'; reason: string }
  /** The TLS settings and the server disagree: the same on every attempt. */
  | { kind: 'refused'; reason: string };

const CA_HINT = 'set server_ca_cert_path in the Temporal profile (or TEMPORAL_TLS_SERVER_CA_CERT_PATH) to the CA that signed it';
const CLIENT_CERT_HINT = 'set client_cert_path and client_key_path in the Temporal profile (or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)';

const untrustedCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * Repeats the TLS handshake with Node's own TLS stack and the same CA, client certificate and server name, to say in
 * words why a connection failed. The gRPC client reports a TLS refusal only as "Failed to connect before the
 * deadline", and the worker's as a Rust error chain; an operator needs to read "the server's certificate is not
 * signed by a trusted CA" and which setting to change.
 */
export async function probeTls(address: string, tls: TLSConfig | true, timeoutMs = 3_000): Promise<TlsProbeResult> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  const settings = tls === true ? {} : tls;
  const serverName = settings.serverNameOverride ?? (isIP(host) ? undefined : host);
  const options: ConnectionOptions = {
    host,
    port,
    ALPNProtocols: ['h2'],
    ...(serverName ? { servername: serverName } : {}),
    ...(settings.serverRootCACertificate ? { ca: Buffer.from(settings.serverRootCACertificate) } : {}),
    ...(settings.clientCertPair ? { cert: Buffer.from(settings.clientCertPair.crt), key: Buffer.from(settings.clientCertPair.key) } : {}),
  };
  return await new Promise<TlsProbeResult>((resolve) => {
    let handshakeDone = false;
    const finish = (result: TlsProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish(handshakeDone ? { kind: 'handshake-ok' } : { kind: 'unreachable', reason: `no TLS answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const socket = connect(options);
    socket.on('secureConnect', () => {
      handshakeDone = true;
      // With TLS 1.3 a server that wants a client certificate says so only after the handshake, with an alert: give
      // it a moment to arrive before calling the handshake good.
      clearTimeout(timer);
      setTimeout(() => finish({ kind: 'handshake-ok' }), 500);
    });
    socket.on('data', () => undefined);
    socket.on('error', (error: NodeJS.ErrnoException) => finish(classify(error, handshakeDone, host)));
    socket.on('close', () => {
      if (handshakeDone) finish({ kind: 'refused', reason: `the server closed the connection after the TLS handshake (does it require a client certificate? ${CLIENT_CERT_HINT})` });
    });
  });
}

function classify(error: NodeJS.ErrnoException, handshakeDone: boolean, host: string): TlsProbeResult {
  const code = error.code ?? '';
  if (['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
    return { kind: 'unreachable', reason: `${code} (${error.message})` };
  }
  if (code === 'ECONNRESET' && !handshakeDone) return { kind: 'unreachable', reason: `${code} (${error.message})` };
  if (untrustedCodes.has(code)) return { kind: 'refused', reason: `the server's certificate is not signed by a trusted CA (${code}): ${CA_HINT}` };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return { kind: 'refused', reason: `the server's certificate is not valid now (${code})` };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { kind: 'refused', reason: `the server's certificate is not issued for ${host}: set server_name in the Temporal profile (or TEMPORAL_TLS_SERVER_NAME) to a name it carries` };
  }
  if (/CERTIFICATE_REQUIRED/.test(code) || /certificate required/i.test(error.message)) {
    return { kind: 'refused', reason: `the server requires a client certificate (mutual TLS): ${CLIENT_CERT_HINT}` };
  }
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)/.test(code)) {
    return { kind: 'refused', reason: `the server refused the client certificate (${code}): use a certificate signed by a CA the server trusts` };
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/.test(code)) {
    return { kind: 'refused', reason: `the server does not speak TLS (${code}): set tls.disabled = true in the Temporal profile (or TEMPORAL_TLS=false) if it is meant to be plain` };
  }
  if (handshakeDone && code === 'ECONNRESET') {
    return { kind: 'refused', reason: `the server closed the connection after the TLS handshake (does it require a client certificate? ${CLIENT_CERT_HINT})` };
  }
  return { kind: 'refused', reason: `TLS handshake failed (${code || error.message})` };
}
