/** Where a Dynamics service is and which app registration talks to it. */
export interface ServiceConnection {
  /** Dataverse: the organisation URL (`https://org.crm.dynamics.com`); F&O: the environment URL. No API path. */
  url: string;
  /** Entra ID authority host without the tenant, e.g. `https://login.microsoftonline.com`. */
  authority: string;
  tenantId: string;
  clientId: string;
  /** From the worker's environment or secret file only. */
  clientSecret: string;
}

/** The token audience of a service: its origin, as Entra ID app registrations name the resource. */
export function resourceOf(connection: ServiceConnection): string {
  return new URL(connection.url).origin;
}
