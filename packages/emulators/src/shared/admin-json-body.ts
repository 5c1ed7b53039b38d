export type AdminJsonBody = { ok: true; value: unknown } | { ok: false; detail: string };

/**
 * The JSON body of an `/_admin` request, for emulators that keep service bodies as text (they parse those
 * themselves, in the service's own error shape). An empty body is `undefined`, so the admin routes apply their
 * defaults (`PUT /_admin/faults` with no body switches faults off, as `{}` does).
 */
export function adminJsonBody(text: string): AdminJsonBody {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, detail: `The admin request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
