import { z } from 'zod';

/**
 * The two error shapes of contract §2 and §3. Connectors parse received bodies with the schemas; emulators build
 * them with the builders, so both sides agree on one definition. Schemas are loose: real services add fields
 * (e.g. Dataverse's `@Microsoft.PowerApps.CDS.ErrorDetails.*`) that must not make a body unreadable.
 */
export const dataverseErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
  }),
});
export type DataverseErrorBody = z.infer<typeof dataverseErrorBodySchema>;

export const fnoInnerErrorSchema = z.looseObject({
  message: z.string(),
  type: z.string(),
  // Present in every body seen in practice, but nothing depends on it: a body without it must still yield its Infolog.
  stacktrace: z.string().optional(),
});

export const fnoErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    innererror: fnoInnerErrorSchema.optional(),
  }),
});
export type FnoErrorBody = z.infer<typeof fnoErrorBodySchema>;

/** The exception type F&O names when a write is refused (validation, duplicate key, unknown reference value). */
export const FNO_WRITE_EXCEPTION_TYPE = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';

export function dataverseError(code: string, message: string): DataverseErrorBody {
  return { error: { code, message } };
}

/**
 * F&O answers with a generic outer message; the useful text (the Infolog) is in `innererror.message`.
 * The code is empty in what the service sends.
 */
export function fnoError(message: string, innerMessage: string, type: string = FNO_WRITE_EXCEPTION_TYPE): FnoErrorBody {
  return { error: { code: '', message, innererror: { message: innerMessage, type, stacktrace: '' } } };
}
