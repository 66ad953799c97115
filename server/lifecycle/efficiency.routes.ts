import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type Route } from '../http/define-route.js';
import { EFFICIENCY_GROUPS, efficiency, efficiencyRowSchema } from './efficiency.js';

const DAY_MS = 86_400_000;
const iso = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const query = z
  .object({
    by: z.enum(EFFICIENCY_GROUPS),
    /** Clues opened at or after (ISO 8601); default 30 days before `to`. */
    from: iso.optional(),
    /** Clues opened before (ISO 8601); default now. */
    to: iso.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['to'] });

/** GET /api/v1/efficiency: per-unit or per-town efficiency for planners, operators and admins, within scope. */
export function efficiencyRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/efficiency',
        tag: 'efficiency',
        summary: 'Efficiency per unit or town: on-time accept and close, first-dispatch precision, median times, closed at source, overdue',
        description:
          'Over the clues opened in [from, to) (default: the 30 days up to now) that the caller may see: their jurisdiction (scopes) or their unit. ' +
          'Rates are fractions (0–1) with the counts they divide; null when there is nothing to divide. Times in minutes from opening.',
        allow: 'efficiency.read',
        query,
        response: z.strictObject({ by: z.enum(EFFICIENCY_GROUPS), from: z.iso.datetime(), to: z.iso.datetime(), rows: z.array(efficiencyRowSchema) }),
      },
      async ({ user, query: q }) => {
        const to = q.to ?? new Date();
        const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS);
        return { by: q.by, from: from.toISOString(), to: to.toISOString(), rows: await efficiency(pool, user, q.by, from, to) };
      },
    ),
  ];
}
