import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import { h3Hex } from '../../geo/h3-cell.js';
import { scopeOf, scopeSqlParams } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import type { HotspotFilter } from './spatial-queries.js';

const sql = defineQueries(import.meta.url, { raw: 'hotspots', rollup: 'hotspots-rollup' });

const DAY_MS = 86_400_000;
/** Asia/Shanghai is UTC+8 all year (no daylight saving): local midnights are fixed UTC instants. */
const LOCAL_OFFSET_MS = 8 * 3_600_000;

/** One area's counts: the total and the series per local day or week (only buckets with counts). */
export interface HotspotArea {
  area: string;
  total: number;
  series: { bucket: string; count: number }[];
}

type CountRow = { area: string; bucket: string; count: number };

/** The first local midnight at or after `t` (`up`), or at or before it. */
function localMidnight(t: Date, up: boolean): number {
  const local = t.getTime() + LOCAL_OFFSET_MS;
  const day = (up ? Math.ceil(local / DAY_MS) : Math.floor(local / DAY_MS)) * DAY_MS;
  return day - LOCAL_OFFSET_MS;
}

/** The local date (YYYY-MM-DD) that starts at the local midnight `t`. */
function localDate(t: number): string {
  return new Date(t + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The (area, bucket, count) rows of a hotspot query. Whole local days come from the rollups that
 * migration 116 keeps at write time, when they can answer for this scope (the whole city; a scope
 * of jurisdiction codes for grid, community and town); the partial first and last day, and every
 * other case (unit scopes, H3 under a code scope), from the raw rows (hotspots.sql). Both give
 * the same counts for the same rows, so the pieces add up bucket by bucket.
 */
async function hotspotCounts(pool: pg.Pool, user: User, f: HotspotFilter): Promise<CountRow[]> {
  const [wholeCity, codes, unitId] = scopeSqlParams(scopeOf(user));
  const raw = async (from: Date, to: Date) =>
    (await pool.query<CountRow>(sql.raw, [wholeCity, codes, unitId, f.level, f.res ?? 9, f.item ?? null, from, to, f.bucket, f.kind])).rows;
  // A unit clause counts clues by who handles them, which the rollups do not hold (it changes on
  // transfer); the H3 rollup holds no jurisdiction codes.
  const rollupServes = wholeCity || (unitId === null && f.level !== 'h3');
  const firstDay = localMidnight(f.from, true);
  const lastDay = localMidnight(f.to, false);
  if (!rollupServes || firstDay >= lastDay) return raw(f.from, f.to);
  const pieces = [
    (
      await pool.query<CountRow>(sql.rollup, [wholeCity, codes, f.level, f.res ?? 9, f.item ?? null, f.bucket, localDate(firstDay), localDate(lastDay), f.kind])
    ).rows,
  ];
  if (f.from.getTime() < firstDay) pieces.push(await raw(f.from, new Date(firstDay)));
  if (lastDay < f.to.getTime()) pieces.push(await raw(new Date(lastDay), f.to));
  const sums = new Map<string, CountRow>();
  for (const r of pieces.flat()) {
    const key = `${r.area}\u0000${r.bucket}`;
    const s = sums.get(key);
    if (s) s.count += r.count;
    else sums.set(key, { ...r });
  }
  return [...sums.values()];
}

/**
 * Counts of clues or alerts per area and local day or week, in `user`'s scope, aggregated by the
 * database; the busiest `limit` areas, busiest first (ties by area). H3 areas are hex cell ids.
 */
export async function hotspots(pool: pg.Pool, user: User, f: HotspotFilter): Promise<{ areas: HotspotArea[]; areaCount: number }> {
  const rows = await hotspotCounts(pool, user, f);
  rows.sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  const byArea = new Map<string, HotspotArea>();
  for (const r of rows) {
    const area = f.level === 'h3' ? h3Hex(r.area) : r.area;
    let a = byArea.get(area);
    if (!a) byArea.set(area, (a = { area, total: 0, series: [] }));
    a.total += r.count;
    a.series.push({ bucket: r.bucket, count: r.count });
  }
  const areas = [...byArea.values()].sort((a, b) => b.total - a.total || (a.area < b.area ? -1 : 1));
  return { areas: areas.slice(0, f.limit), areaCount: areas.length };
}
