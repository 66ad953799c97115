import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chineseDaysSeed } from '../../server/lifecycle/calendar-store.js';
import { addWorkingDays, addWorkingHours, isWorkingDay, localDate, workingCalendar } from '../../server/lifecycle/working-calendar.js';

/** 2026 as the chinese-days package lists it (the seed the service starts with). */
const cal2026 = workingCalendar(chineseDaysSeed().get(2026)!);
const at = (local: string) => Date.parse(`${local}+08:00`);

test('2026 from chinese-days: Spring Festival days off, the 调休 Saturdays worked, ordinary weekends off', () => {
  assert.equal(isWorkingDay(cal2026, '2026-02-17'), false, 'Spring Festival (a Tuesday) is a holiday');
  assert.equal(isWorkingDay(cal2026, '2026-02-14'), true, 'Saturday 14 February is worked in exchange (调休)');
  assert.equal(isWorkingDay(cal2026, '2026-02-28'), true, 'Saturday 28 February is worked in exchange (调休)');
  assert.equal(isWorkingDay(cal2026, '2026-03-07'), false, 'an ordinary Saturday is off');
  assert.equal(isWorkingDay(cal2026, '2026-03-09'), true, 'an ordinary Monday is worked');
  assert.equal(isWorkingDay(cal2026, '2026-10-01'), false, 'National Day');
  assert.equal(isWorkingDay(workingCalendar([]), '2026-10-01'), true, 'without the calendar 1 October 2026 (a Thursday) would be a working day');
});

test('working days: the start day does not count, a holiday is skipped, a 调休 Saturday counts', () => {
  // Friday 27 Feb 2026, 15:00 + 1 working day: Saturday 28 Feb is a make-up workday, so the end of that day.
  assert.equal(addWorkingDays(cal2026, at('2026-02-27T15:00:00'), 1), at('2026-03-01T00:00:00'));
  // The same without the calendar: the end of Monday 2 March.
  assert.equal(addWorkingDays(workingCalendar([]), at('2026-02-27T15:00:00'), 1), at('2026-03-03T00:00:00'));
  // Friday 13 Feb + 2 working days: Sat 14 (调休) and then, past the Spring Festival (15–23 Feb), Tue 24 Feb.
  assert.equal(addWorkingDays(cal2026, at('2026-02-13T10:00:00'), 2), at('2026-02-25T00:00:00'));
  // Wednesday 30 Sep + 1: the National Day week (1–7 Oct) is off: the end of Thursday 8 October;
  // + 3: Friday 9, then Saturday 10 October, worked in exchange.
  assert.equal(addWorkingDays(cal2026, at('2026-09-30T09:00:00'), 1), at('2026-10-09T00:00:00'));
  assert.equal(addWorkingDays(cal2026, at('2026-09-30T09:00:00'), 3), at('2026-10-11T00:00:00'));
  assert.equal(addWorkingDays(cal2026, at('2026-09-30T09:00:00'), 0), at('2026-09-30T09:00:00'));
  assert.throws(() => addWorkingDays(cal2026, 0, -1), RangeError);
});

test('working hours run 09:00–17:00 on working days only', () => {
  // Friday 16:00 + 2 h: one hour on Friday, one on Saturday 28 Feb (调休) from 09:00.
  assert.equal(addWorkingHours(cal2026, at('2026-02-27T16:00:00'), 2), at('2026-02-28T10:00:00'));
  // Without the calendar Saturday is off: Monday 2 March 10:00.
  assert.equal(addWorkingHours(workingCalendar([]), at('2026-02-27T16:00:00'), 2), at('2026-03-02T10:00:00'));
  // Before opening: starts at 09:00. After closing: the next working day.
  assert.equal(addWorkingHours(cal2026, at('2026-03-09T06:00:00'), 1), at('2026-03-09T10:00:00'));
  assert.equal(addWorkingHours(cal2026, at('2026-03-09T18:00:00'), 8), at('2026-03-10T17:00:00'));
  // On a holiday (Labour Day 1 May 2026, a Friday) the clock waits for the next working day (6 May).
  assert.equal(addWorkingHours(cal2026, at('2026-05-01T10:00:00'), 1), at('2026-05-06T10:00:00'));
});

test('local dates are Asia/Shanghai', () => {
  assert.equal(localDate(Date.parse('2026-02-27T16:30:00Z')), '2026-02-28');
  assert.equal(localDate(Date.parse('2026-02-27T15:59:59Z')), '2026-02-27');
});
