import { z } from 'zod';

/** A legal entity's id in F&O (dataAreaId), as the sync configuration, the run's input and the CLI accept it. */
export const dataAreaIdSchema = z
  .string({ error: 'must be a company id (dataAreaId) such as "usmf"' })
  .regex(/^[a-z0-9]{1,4}$/, {
    error: 'must be a lower-case company id (dataAreaId) of 1 to 4 letters or digits, such as "usmf"',
  });
