import type { z } from 'zod';
import { GwError, describeIssues, type ErrorCode } from './errors.js';

/**
 * Validates external input against a zod schema; on failure throws `code` (GW_VALIDATION unless
 * the endpoint has a more precise one) naming what was being validated and each field at fault.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string, code: ErrorCode = 'GW_VALIDATION'): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const problems = describeIssues(r.error.issues);
    throw new GwError(code, `Validating ${what}: ${problems.join('; ')}`, { problems });
  }
  return r.data;
}
