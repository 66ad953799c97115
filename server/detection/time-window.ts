import type { TimeWindow } from '../../geo/types.js';

/** Asia/Shanghai is UTC+8 all year (no DST), so local time is a fixed offset. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local day number counted from the epoch (a Thursday). */
function isoWeekday(localDay: number): number {
  return ((((localDay + 3) % 7) + 7) % 7) + 1;
}

/**
 * Whether epoch-ms `ts` falls inside any of the local (Asia/Shanghai) windows. A window whose
 * `to` is before `from` runs past midnight and belongs to the day it starts on (a Friday
 * 22:00–06:00 window covers Saturday 02:00); `from` equal to `to` means the whole day. An empty
 * list is never inside.
 */
export function inTimeWindows(windows: readonly TimeWindow[], ts: number): boolean {
  const local = ts + SHANGHAI_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const minute = Math.floor((local - day * DAY_MS) / 60_000);
  const today = isoWeekday(day);
  const yesterday = isoWeekday(day - 1);
  return windows.some((w) => {
    const from = minutesOf(w.from);
    const to = minutesOf(w.to);
    const on = (weekday: number) => w.days === undefined || w.days.includes(weekday);
    if (from === to) return on(today);
    if (from < to) return on(today) && minute >= from && minute < to;
    return (on(today) && minute >= from) || (on(yesterday) && minute < to);
  });
}

/** Local calendar date of epoch-ms `ts` in Asia/Shanghai as YYYYMMDD (used in clue codes). */
export function localDateCompact(ts: number): string {
  return new Date(ts + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/** Epoch ms of local midnight (Asia/Shanghai) starting the ISO date `yyyy-mm-dd`. */
export function localMidnight(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00+08:00`);
}

/** Epoch ms as local Asia/Shanghai "YYYY-MM-DD HH:MM", for reasons and summaries. */
export function formatLocal(ts: number): string {
  return new Date(ts + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
