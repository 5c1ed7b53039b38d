// Shapes in which credentials travel: bearer tokens, the token endpoint's form fields and JSON answers, and JWTs
// wherever they appear. Whatever produced a message (a server echoing a request, a library's error), these never
// leave the connectors.
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi, 'Bearer [redacted]'],
  [/\b(client_secret|client_assertion|access_token|refresh_token|id_token)=[^&\s"']*/gi, '$1=[redacted]'],
  [/"(client_secret|client_assertion|access_token|refresh_token|id_token)"\s*:\s*"[^"]*"/gi, '"$1":"[redacted]"'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
];

/** Removes credentials from text meant for errors and logs; `secrets` are known values (e.g. a client secret). */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    // Short strings would blank out ordinary words; real secrets and tokens are long.
    if (secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}
