import { z } from 'zod';

/**
 * The working-day calendar (工作日历): China's public holidays and the weekend days worked in
 * exchange (调休). Pure: the days come in as data (the `work_calendar` table, seeded from the
 * `chinese-days` package and importable by administrators); times are ms since epoch and days
 * are Asia/Shanghai local dates (UTC+8 all year, no daylight saving).
 */

/** What a listed day is: a holiday (休, no work on a weekday) or a make-up workday (班, work on a weekend). */
export const CALENDAR_DAY_KINDS = ['holiday', 'workday'] as const;

/** One listed day. Days not listed follow the week: Monday to Friday work, weekends off. */
export const calendarDaySchema = z.strictObject({
  date: z.iso.date(),
  kind: z.enum(CALENDAR_DAY_KINDS),
  /** The holiday it belongs to, e.g. 春节 (Spring Festival). */
  name: z.string().trim().min(1).max(100),
});
export type CalendarDay = z.infer<typeof calendarDaySchema>;

/** The calendar as the arithmetic reads it: local dates (YYYY-MM-DD) of holidays and make-up workdays. */
export interface WorkingCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

/** Office hours on a working day, local time, for working-hour deadlines (minutes after midnight). */
export interface OfficeHours {
  startMin: number;
  endMin: number;
}

/** 09:00–17:00: eight working hours a day. */
export const DEFAULT_OFFICE_HOURS: OfficeHours = { startMin: 9 * 60, endMin: 17 * 60 };

const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The calendar from listed days. */
export function workingCalendar(days: readonly CalendarDay[]): WorkingCalendar {
  return {
    holidays: new Set(days.filter((d) => d.kind === 'holiday').map((d) => d.date)),
    workdays: new Set(days.filter((d) => d.kind === 'workday').map((d) => d.date)),
  };
}

/** The Asia/Shanghai local date (YYYY-MM-DD) of an instant. */
export function localDate(ts: number): string {
  return new Date(ts + OFFSET_MS).toISOString().slice(0, 10);
}

/** Local midnight (Asia/Shanghai) that starts `date`, ms since epoch. */
function midnightOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - OFFSET_MS;
}

/** Whether a local date is a working day: a listed make-up workday, not a listed holiday, else Monday to Friday. */
export function isWorkingDay(cal: WorkingCalendar, date: string): boolean {
  if (cal.workdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The deadline N working days after `start`: the end (24:00 local) of the N-th working day
 * after the day of `start`. The day it starts does not count (期间开始的当日不计算在内), the
 * way statutory periods are reckoned, so a clue opened on Friday afternoon with one working day
 * is due at the end of Monday, or of a 调休 Saturday worked in between.
 */
export function addWorkingDays(cal: WorkingCalendar, start: number, days: number): number {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${days}`);
  let midnight = midnightOf(localDate(start));
  let left = days;
  while (left > 0) {
    midnight += DAY_MS;
    if (isWorkingDay(cal, localDate(midnight))) left--;
  }
  return days === 0 ? start : midnight + DAY_MS;
}

/**
 * The deadline N working hours after `start`: the clock runs only in office hours on working
 * days. A start outside office hours begins at the next opening.
 */
export function addWorkingHours(cal: WorkingCalendar, start: number, hours: number, office: OfficeHours = DEFAULT_OFFICE_HOURS): number {
  if (!(hours >= 0) || !Number.isFinite(hours)) throw new RangeError(`working hours must be ≥ 0, got ${hours}`);
  let left = Math.round(hours * 60) * MINUTE_MS;
  if (left === 0) return start;
  let at = start;
  for (;;) {
    const date = localDate(at);
    const open = midnightOf(date) + office.startMin * MINUTE_MS;
    const close = midnightOf(date) + office.endMin * MINUTE_MS;
    if (isWorkingDay(cal, date) && at < close) {
      const from = Math.max(at, open);
      if (from + left <= close) return from + left;
      left -= close - from;
    }
    at = midnightOf(date) + DAY_MS;
  }
}
