import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type Route } from '../http/define-route.js';
import { listWarnings, WARNING_CATEGORIES, warningsSchema } from './warnings.js';

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(values)))
    .optional();

const warningsQuery = z.object({
  /** due-soon, overdue, escalated; comma-separated. */
  category: list(WARNING_CATEGORIES),
  /** clue, instruction; comma-separated. */
  kind: list(['clue', 'instruction'] as const),
  district: z.string().min(1).max(32).optional(),
  town: z.string().min(1).max(32).optional(),
  unit: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** The warnings list (预警单), GET /api/v1/warnings. */
export function warningRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/warnings',
        tag: 'warnings',
        summary: 'Clues due soon, overdue or escalated, and instructions due soon or overdue, with counts per category',
        description:
          'Only what lies in the caller’s jurisdiction or concerns the caller’s unit. Filters: category, kind, district, town, unit; counts follow every filter but category, limit and offset.',
        allow: 'warnings.read',
        query: warningsQuery,
        response: warningsSchema,
      },
      ({ user, query }) => listWarnings(pool, user, query),
    ),
  ];
}
