import { z } from 'zod';
import { customerEntityType, customerFields } from './customer-fields';
import { badBody } from './fno-http-error';
import type { CustomerRow } from './customer-validation';

const decimal = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

/**
 * The JSON body of a `CustomersV2` create or update, as F&O's OData layer reads it: a strict object of the
 * entity's properties (instance annotations such as `@odata.type` ignored), strings nullable (stored as empty),
 * the decimal not nullable, enums as member-name strings (membership is validated later, as an Infolog).
 */
const customerBodySchema = z.strictObject(
  Object.fromEntries(
    customerFields.map((field) => [
      field.name,
      (field.kind === 'decimal' ? decimal : z.string().nullable().transform((value) => value ?? '')).optional(),
    ]),
  ),
);

/** `parsed`: `text` as JSON when the caller has parsed it already (a `$batch` part); parsed here otherwise. */
export function parseCustomerBody(text: string | undefined, parsed?: unknown): CustomerRow {
  let json: unknown = parsed;
  if (json === undefined) {
    if (text === undefined || text.trim() === '') throw badBody('The request body is empty; an entity of type CustomerV2 is expected.');
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw badBody(`The request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badBody(`An entity of type '${customerEntityType}' was expected, but the body is not a JSON object.`);
  }
  const row = readableRow(json as Record<string, unknown>);
  if (row !== undefined) return row;
  // Something to refuse: the schema says what (its first issue, as before).
  const properties = Object.fromEntries(Object.entries(json).filter(([name]) => !name.includes('@')));
  const checked = customerBodySchema.safeParse(properties);
  if (!checked.success) throw badBody(describeIssue(checked.error.issues[0]));
  const parsedRow: CustomerRow = {};
  for (const [name, value] of Object.entries(checked.data)) if (value !== undefined) parsedRow[name] = value as string | number;
  return parsedRow;
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * The row the schema above gives for a body it accepts, in the schema's order of fields, without building it through
 * the schema (every create and update of a run goes through here); undefined for a body it would refuse.
 */
function readableRow(json: Record<string, unknown>): CustomerRow | undefined {
  let known = 0;
  for (const name of Object.keys(json)) {
    if (name.includes('@')) continue;
    if (!customerFieldNames.has(name)) return undefined;
    known += 1;
  }
  const row: CustomerRow = {};
  let seen = 0;
  for (const field of customerFields) {
    if (seen === known) break;
    if (!Object.hasOwn(json, field.name)) continue;
    seen += 1;
    const value = json[field.name];
    if (field.kind === 'decimal') {
      if (typeof value === 'number' && Number.isFinite(value)) row[field.name] = value;
      else if (typeof value === 'string' && DECIMAL_TEXT.test(value)) row[field.name] = Number(value);
      else return undefined;
    } else if (typeof value === 'string') row[field.name] = value;
    else if (value === null) row[field.name] = '';
    else return undefined;
  }
  return row;
}

const customerFieldNames: ReadonlySet<string> = new Set(customerFields.map((field) => field.name));

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'The request body could not be read.';
  if (issue.code === 'unrecognized_keys') {
    return `The property '${issue.keys[0] ?? ''}' does not exist on type '${customerEntityType}'. Make sure to only use property names that are defined by the type or mark the type as open type.`;
  }
  const property = String(issue.path[0] ?? '');
  if (property === 'CreditLimit') {
    return "Cannot convert the value to the expected type 'Edm.Decimal[Nullable=False]' of property 'CreditLimit'.";
  }
  return `Cannot convert the value of property '${property}' to the expected type 'Edm.String'.`;
}
