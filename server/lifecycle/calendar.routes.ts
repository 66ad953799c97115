import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type Route } from '../http/define-route.js';
import { calendarDays, calendarYears, calendarYearSchema, importCalendarYear, parseCalendarCsv } from './calendar-store.js';
import { calendarDaySchema } from './working-calendar.js';

const yearParam = z.object({ year: z.coerce.number().int().min(2000).max(2100) });
const tag = 'calendar';

/** The working-day calendar (工作日历): list the years and a year's days; import a year (admin). */
export function calendarRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/calendar',
        tag,
        summary: 'The years the working-day calendar lists, and where each came from',
        allow: 'calendar.read',
        response: z.strictObject({ years: z.array(calendarYearSchema) }),
      },
      async () => ({ years: await calendarYears(pool) }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/calendar/:year',
        tag,
        summary: "A year's public holidays and make-up workdays (调休); other days follow the week",
        allow: 'calendar.read',
        params: yearParam,
        response: z.strictObject({ year: z.number().int(), listed: calendarYearSchema.nullable(), days: z.array(calendarDaySchema) }),
      },
      async ({ params }) => ({
        year: params.year,
        listed: (await calendarYears(pool)).find((y) => y.year === params.year) ?? null,
        days: await calendarDays(pool, `${params.year}-01-01`, `${params.year}-12-31`),
      }),
    ),
    defineRoute(
      {
        method: 'put',
        path: '/api/v1/calendar/:year',
        tag,
        summary: "Replace a year's calendar (admin): JSON {days: [{date, kind, name}]} or text/csv with the header date,kind,name",
        description:
          'kind is holiday (a day off, 休) or workday (a weekend day worked in exchange, 调休). The whole year is checked first: every date in the year, none twice, workdays on weekends only, at least one holiday. The seed from the chinese-days package never overwrites an imported year.',
        allow: 'calendar.manage',
        params: yearParam,
        textBody: { type: 'text/csv', limit: '1mb' },
        body: z.union([z.strictObject({ days: z.array(calendarDaySchema).min(1).max(366) }), z.string().min(1)]),
        response: calendarYearSchema,
        errors: ['GW_CALENDAR_INVALID'],
      },
      async ({ params, body, user }) =>
        typeof body === 'string'
          ? importCalendarYear(pool, params.year, parseCalendarCsv(body), 'csv', user.username)
          : importCalendarYear(pool, params.year, body.days, 'json', user.username),
    ),
  ];
}
