import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerBase } from 'fastify';
import { isAdminUrl } from './admin-paths';
import type { TokenVerifier } from './token-verifier';

declare module 'fastify' {
  interface FastifyRequest {
    /** The `appid` of the verified access token (set by `installAuth`). */
    clientId?: string;
  }
}

export interface InstallAuthOptions {
  verifier: TokenVerifier;
  /**
   * The resource URLs tokens must be issued for. Defaults to the request's own origin (`http://{Host}`), the URL
   * clients use as resource and base URL.
   */
  audiences?: readonly string[];
  /** Answers a refused request in the service's own shape (status 401). */
  unauthorized: (reply: FastifyReply, reason: string, request: FastifyRequest) => FastifyReply;
  /** Paths that need no token besides `/_admin` (e.g. `$metadata`). */
  isPublic?: (url: string) => boolean;
}

export function installAuth<S extends RawServerBase>(app: FastifyInstance<S>, options: InstallAuthOptions): void {
  app.decorateRequest('clientId', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isAdminUrl(request.url) || options.isPublic?.(request.url)) return;
    const audiences = options.audiences ?? [`${request.protocol}://${request.headers.host ?? ''}`];
    const check = options.verifier.verify(request.headers.authorization, audiences);
    if (!check.ok) return options.unauthorized(reply, check.reason, request);
    request.clientId = check.clientId;
  });
}
