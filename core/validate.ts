import type { z } from 'zod';
import { GwError, describeIssues } from './errors.js';

/**
 * Validates external input against a zod schema; on failure throws GW_VALIDATION naming what
 * was being validated and each field at fault.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const problems = describeIssues(r.error.issues);
    throw new GwError('GW_VALIDATION', `Validating ${what}: ${problems.join('; ')}`, { problems });
  }
  return r.data;
}
