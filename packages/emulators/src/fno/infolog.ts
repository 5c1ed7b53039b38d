import { fnoError, type FnoErrorBody } from '@p2c-sync/odata-wire';
import { customerWriteEntity } from './customer-fields';

/**
 * The Infolog lines the emulator writes, one wording per problem, so clients can parse field label and value
 * (the connector's `src/connectors/infolog.ts` reads exactly these forms):
 *   not found:  `The value '<v>' in field '<label>' is not found in the related table '<table>'.`
 *   required:   `Field '<label>' must be filled in.`
 *   too long:   `The value '<v>' in field '<label>' is too long: <n> characters, at most <max> are allowed.`
 *   invalid:    `The value '<v>' in field '<label>' is not valid.` (enum members; ISO code not matching the country;
 *               a warehouse of another site: `... is not valid for site '<site>'.`)
 *   duplicate:  `Cannot create a record in Customers (CustTable). Customer account: <v>.\nThe record already exists..`
 * Validation lines are warnings. The duplicate key is written as F&O writes it (a real answer for CustGroup, quoted
 * in docs/fidelity.md): severity Info, a line break before the last sentence and a doubled final period. Lines are
 * joined with `; ` after `Infolog: `.
 */
export interface InfologLine {
  severity: 'Info' | 'Warning' | 'Error';
  text: string;
}

export const infolog = {
  notFound: (label: string, value: string, table: string): InfologLine => ({
    severity: 'Warning',
    text: `The value '${value}' in field '${label}' is not found in the related table '${table}'.`,
  }),
  required: (label: string): InfologLine => ({ severity: 'Warning', text: `Field '${label}' must be filled in.` }),
  tooLong: (label: string, value: string, maxLength: number): InfologLine => ({
    severity: 'Warning',
    text: `The value '${value}' in field '${label}' is too long: ${value.length} characters, at most ${maxLength} are allowed.`,
  }),
  invalid: (label: string, value: string, detail = ''): InfologLine => ({
    severity: 'Warning',
    text: `The value '${value}' in field '${label}' is not valid${detail}.`,
  }),
  duplicate: (customerAccount: string): InfologLine => ({
    severity: 'Info',
    text: `Cannot create a record in Customers (CustTable). Customer account: ${customerAccount}.\nThe record already exists..`,
  }),
};

/** The 500 body of a refused write (contract §3, AxODataWriteException). */
export function writeFailedBody(lines: readonly InfologLine[]): FnoErrorBody {
  const log = lines.map((line) => `${line.severity}: ${line.text}`).join('; ');
  return fnoError('An error has occurred.', `Write failed for table row of type '${customerWriteEntity}'. Infolog: ${log}`);
}
