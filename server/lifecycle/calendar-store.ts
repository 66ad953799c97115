import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type pg from 'pg';
import { z } from 'zod';
import { readCsv } from '../../core/csv.js';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { calendarDaySchema, localDate, workingCalendar, type CalendarDay, type WorkingCalendar } from './working-calendar.js';

const sql = defineQueries(import.meta.url, {
  days: 'calendar-days',
  years: 'calendar-years',
  claimYears: 'claim-calendar-years',
  upsertYear: 'upsert-calendar-year',
  deleteYear: 'delete-calendar-year',
  insertDays: 'insert-calendar-days',
});

/** Where a listed year came from. */
export type CalendarSource = 'chinese-days' | 'json' | 'csv';

/** A listed year as the API shows it. */
export const calendarYearSchema = z.strictObject({
  year: z.number().int(),
  source: z.enum(['chinese-days', 'json', 'csv']),
  dayCount: z.number().int(),
  importedBy: z.string().nullable(),
  importedAt: z.iso.datetime(),
});
export type CalendarYear = z.infer<typeof calendarYearSchema>;

/** The days one year lists, from the `chinese-days` package's data (holidays and 调休 workdays). */
interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** The package's name field is `English,中文,days`; the calendar keeps `中文 English`. */
function holidayName(raw: string): string {
  const [en, zh] = raw.split(',');
  return zh && en ? `${zh} ${en}` : raw;
}

/** Every year the `chinese-days` package knows, as listed days by year. */
export function chineseDaysSeed(): Map<number, CalendarDay[]> {
  const data: ChineseDaysData = chineseDays;
  const byYear = new Map<number, CalendarDay[]>();
  const add = (date: string, kind: CalendarDay['kind'], name: string) => {
    const year = Number(date.slice(0, 4));
    byYear.set(year, [...(byYear.get(year) ?? []), { date, kind, name: holidayName(name) }]);
  };
  for (const [date, name] of Object.entries(data.holidays)) add(date, 'holiday', name);
  for (const [date, name] of Object.entries(data.workdays)) add(date, 'workday', name);
  for (const days of byYear.values()) days.sort((a, b) => a.date.localeCompare(b.date));
  return byYear;
}

/**
 * Lists the years of `seed` that the calendar does not list yet, in one transaction; two
 * replicas starting together each claim a year once (the year's primary key), and a year an
 * administrator imported is never overwritten. Returns the years added.
 */
export async function seedCalendar(pool: pg.Pool, seed: ReadonlyMap<number, CalendarDay[]>): Promise<number[]> {
  const years = [...seed.keys()].sort();
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ year: number }>(sql.claimYears, [years, years.map((y) => seed.get(y)!.length)]);
    const claimed = rows.map((r) => r.year).sort();
    const days = claimed.flatMap((y) => seed.get(y)!);
    if (days.length) await client.query(sql.insertDays, [JSON.stringify(days)]);
    return claimed;
  });
}

/** The listed days from `from` to `to` (local dates, inclusive). */
export async function calendarDays(db: pg.Pool | pg.PoolClient, from: string, to: string): Promise<CalendarDay[]> {
  const { rows } = await db.query<CalendarDay>(sql.days, [from, to]);
  return rows;
}

/** The working calendar around `at`: the listed days of its year and the next two (long deadlines run over the new year). */
export async function calendarAround(db: pg.Pool | pg.PoolClient, at: number): Promise<WorkingCalendar> {
  const year = Number(localDate(at).slice(0, 4));
  return workingCalendar(await calendarDays(db, `${year - 1}-12-01`, `${year + 2}-12-31`));
}

/** Every listed year. */
export async function calendarYears(pool: pg.Pool): Promise<CalendarYear[]> {
  const { rows } = await pool.query<{ year: number; source: CalendarSource; day_count: number; imported_by: string | null; imported_at: Date }>(sql.years);
  return rows.map((r) => ({ year: r.year, source: r.source, dayCount: r.day_count, importedBy: r.imported_by, importedAt: r.imported_at.toISOString() }));
}

const CSV_COLUMNS = ['date', 'kind', 'name'] as const;

/** Days from a CSV file with the header `date,kind,name`; problems name the line. */
export function parseCalendarCsv(text: string): CalendarDay[] {
  let rows: string[][];
  try {
    rows = readCsv(text);
  } catch (err) {
    throw new GwError('GW_CALENDAR_INVALID', `Reading the calendar CSV: ${(err as Error).message}`, { problems: [(err as Error).message] });
  }
  const [header, ...body] = rows;
  if (!header || header.map((h) => h.trim()).join(',') !== CSV_COLUMNS.join(','))
    throw new GwError('GW_CALENDAR_INVALID', `Reading the calendar CSV: the header must be ${CSV_COLUMNS.join(',')}`, { problems: [`header must be ${CSV_COLUMNS.join(',')}`] });
  const problems: string[] = [];
  const days: CalendarDay[] = [];
  body.forEach((cells, i) => {
    const r = calendarDaySchema.safeParse({ date: cells[0]?.trim(), kind: cells[1]?.trim(), name: cells[2]?.trim() });
    if (r.success) days.push(r.data);
    else problems.push(`line ${i + 2}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join(', ')}`);
  });
  if (problems.length) throw new GwError('GW_CALENDAR_INVALID', `Reading the calendar CSV: ${problems.join('; ')}`, { problems });
  return days;
}

/**
 * Checks a year's days as a whole: each is in `year`, none is listed twice, a holiday falls on
 * a weekday or a weekend (either is allowed: a weekend holiday is named), a make-up workday
 * falls on a weekend (a weekday is a workday anyway: listing one is a mistake).
 */
export function checkCalendarYear(year: number, days: readonly CalendarDay[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const d of days) {
    if (!d.date.startsWith(`${year}-`)) problems.push(`${d.date} is not in ${year}`);
    if (seen.has(d.date)) problems.push(`${d.date} is listed twice`);
    seen.add(d.date);
    const weekday = new Date(`${d.date}T00:00:00Z`).getUTCDay();
    if (d.kind === 'workday' && weekday !== 0 && weekday !== 6) problems.push(`${d.date} is a weekday: only a weekend day can be a make-up workday (调休)`);
  }
  if (!days.some((d) => d.kind === 'holiday')) problems.push(`${year} lists no holiday`);
  if (problems.length) throw new GwError('GW_CALENDAR_INVALID', `Importing the calendar for ${year}: ${problems.join('; ')}`, { problems });
}

/** Replaces the listed days of `year` with `days` (checked), in one transaction, and records who did it. */
export async function importCalendarYear(pool: pg.Pool, year: number, days: readonly CalendarDay[], source: Exclude<CalendarSource, 'chinese-days'>, by: string): Promise<CalendarYear> {
  checkCalendarYear(year, days);
  await withTransaction(pool, async (client) => {
    await client.query(sql.deleteYear, [year]);
    await client.query(sql.insertDays, [JSON.stringify(days)]);
    await client.query(sql.upsertYear, [year, source, days.length, by]);
  });
  return (await calendarYears(pool)).find((y) => y.year === year)!;
}
