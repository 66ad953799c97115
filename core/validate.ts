import type { z } from 'zod';
import { GwError, describeIssues, type ErrorCode } from './errors.js';

/** Deepest nesting of objects and arrays taken from outside; real inputs (GeoJSON, catalogue imports) stay under 10. */
export const MAX_INPUT_DEPTH = 32;

const LONE_SURROGATE = /\p{Surrogate}/u;
const UNPRINTABLE = /\u0000|\p{Surrogate}/gu;

/** A key or string as a message can show it: NUL and lone surrogates written as \uXXXX. */
const printable = (s: string) => s.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The first part of `input` that no schema should let through, as `path: problem`: a string or
 * key holding a NUL (PostgreSQL text cannot store one) or a lone surrogate (not Unicode; jsonb
 * refuses it), or nesting deeper than MAX_INPUT_DEPTH (JSON.stringify and jsonb would overflow
 * their stacks on it). Walks with its own stack, so the check itself cannot overflow.
 */
export function unsafeInput(input: unknown): string | null {
  const todo: [unknown, string[]][] = [[input, []]];
  const at = (path: string[]) => (path.length ? path.join('.') : '(root)');
  while (todo.length) {
    const [value, path] = todo.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return `${at(path)}: contains a NUL character (\\u0000)`;
      if (LONE_SURROGATE.test(value)) return `${at(path)}: is not valid Unicode (a lone surrogate)`;
    } else if (value !== null && typeof value === 'object') {
      if (path.length >= MAX_INPUT_DEPTH) return `${at(path)}: nested deeper than ${MAX_INPUT_DEPTH} levels`;
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000') || LONE_SURROGATE.test(key)) return `${at([...path, printable(key)])}: the name contains a NUL character or a lone surrogate`;
        todo.push([item, [...path, key]]);
      }
    }
  }
  return null;
}

/**
 * Validates external input against a zod schema; on failure throws `code` (GW_VALIDATION unless
 * the endpoint has a more precise one) naming what was being validated and each field at fault.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string, code: ErrorCode = 'GW_VALIDATION'): z.infer<S> {
  const unsafe = unsafeInput(input);
  if (unsafe) throw new GwError('GW_VALIDATION', `Validating ${what}: ${unsafe}`, { problems: [unsafe] });
  const r = schema.safeParse(input);
  if (!r.success) {
    const problems = describeIssues(r.error.issues);
    throw new GwError(code, `Validating ${what}: ${problems.join('; ')}`, { problems });
  }
  return r.data;
}

/**
 * `parseInput` for a query string: a parameter the schema does not name is refused with
 * GW_VALIDATION naming it, rather than ignored (a misspelt filter would otherwise return
 * everything).
 */
export function parseQuery<S extends z.ZodObject>(schema: S, query: unknown, what: string, code: ErrorCode = 'GW_VALIDATION'): z.infer<S> {
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(query ?? {}).filter((k) => !known.includes(k));
  if (unknown.length) {
    const problems = unknown.map((k) => `${printable(k)}: unknown parameter (${known.length ? `known: ${known.join(', ')}` : 'this endpoint takes none'})`);
    throw new GwError(code, `Validating ${what}: ${problems.join('; ')}`, { problems });
  }
  return parseInput(schema, query, what, code);
}
