/**
 * Test plumbing for the locator: write layers straight into the geo tables (as active
 * imports) and ask PostGIS the oracle questions in batches.
 */
import type pg from 'pg';
import { loadSql } from '../../../db/sql.js';
import type { LocatorData } from '../../../geo/locator/build-locator.js';

const sql = (name: string): string => loadSql(new URL(`../sql/${name}.sql`, import.meta.url));

/** Inserts cells, jurisdictions and zones as the active imports of their layers. */
export async function insertLayers(pool: pg.Pool, data: LocatorData, bbox: [number, number, number, number]): Promise<void> {
  const importId = async (layer: string, n: number): Promise<number> =>
    (await pool.query<{ id: number }>(sql('insert-import'), [layer, 'test', n])).rows[0]!.id;
  for (const [level, layer] of [
    ['district', 'districts'],
    ['town', 'towns'],
    ['community', 'communities'],
  ] as const) {
    const js = data.jurisdictions.filter((j) => j.level === level);
    await pool.query(sql('insert-jurisdictions'), [
      await importId(layer, js.length),
      js.map((j) => j.level),
      js.map((j) => j.code),
      js.map((j) => j.name),
      js.map((j) => j.parentCode),
      ...bbox,
    ]);
  }
  const cells = data.cells;
  const gridImport = await importId('grids', cells.length);
  for (let i = 0; i < cells.length; i += 2000) {
    const chunk = cells.slice(i, i + 2000);
    await pool.query(sql('insert-grid-cells'), [
      gridImport,
      chunk.map((c) => c.code),
      chunk.map((c) => c.name),
      chunk.map((c) => c.communityCode),
      chunk.map((c) => JSON.stringify({ type: 'MultiPolygon', coordinates: c.geometry })),
    ]);
  }
  const zones = data.zones;
  await pool.query(sql('insert-zones'), [
    await importId('zones', zones.length),
    zones.map((z) => z.code),
    zones.map((z) => z.type),
    zones.map((z) => z.name),
    zones.map((z) => JSON.stringify(z.attrs)),
    zones.map((z) => JSON.stringify({ type: 'MultiPolygon', coordinates: z.geometry })),
  ]);
}

/** One covering cell of a point, per PostGIS. */
export interface CoverHit {
  code: string;
  /** ST_Contains too: false means the point is on this cell's boundary. */
  interior: boolean;
}

const CHUNK = 5000;

/** For each point, every active cell that ST_Covers it. */
export async function coveringCells(pool: pg.Pool, xs: number[], ys: number[]): Promise<CoverHit[][]> {
  const out: CoverHit[][] = xs.map(() => []);
  for (let s = 0; s < xs.length; s += CHUNK) {
    const { rows } = await pool.query<{ i: number; code: string; interior: boolean }>(sql('covering-cells'), [
      xs.slice(s, s + CHUNK),
      ys.slice(s, s + CHUNK),
    ]);
    for (const r of rows) out[s + r.i - 1]!.push({ code: r.code, interior: r.interior });
  }
  return out;
}

/** For each point, the codes of every active zone that ST_Covers it. */
export async function coveringZones(pool: pg.Pool, xs: number[], ys: number[]): Promise<string[][]> {
  const out: string[][] = xs.map(() => []);
  for (let s = 0; s < xs.length; s += CHUNK) {
    const { rows } = await pool.query<{ i: number; code: string }>(sql('covering-zones'), [xs.slice(s, s + CHUNK), ys.slice(s, s + CHUNK)]);
    for (const r of rows) out[s + r.i - 1]!.push(r.code);
  }
  return out;
}

/** For each point, geodesic distances (m) to the active cells whose boxes lie within `deg` degrees. */
export async function nearbyCells(pool: pg.Pool, xs: number[], ys: number[], deg: number): Promise<Map<string, number>[]> {
  const out: Map<string, number>[] = xs.map(() => new Map());
  for (let s = 0; s < xs.length; s += CHUNK) {
    const { rows } = await pool.query<{ i: number; code: string; d: number }>(sql('nearby-cells'), [
      xs.slice(s, s + CHUNK),
      ys.slice(s, s + CHUNK),
      deg,
    ]);
    for (const r of rows) out[s + r.i - 1]!.set(r.code, r.d);
  }
  return out;
}

/** For each (point, cell code), the geodesic distance (m) from the point to that cell's boundary. */
export async function edgeDistances(pool: pg.Pool, xs: number[], ys: number[], codes: string[]): Promise<number[]> {
  const out: number[] = xs.map(() => NaN);
  for (let s = 0; s < xs.length; s += CHUNK) {
    const { rows } = await pool.query<{ i: number; d: number }>(sql('edge-distance'), [
      xs.slice(s, s + CHUNK),
      ys.slice(s, s + CHUNK),
      codes.slice(s, s + CHUNK),
    ]);
    for (const r of rows) out[s + r.i - 1] = r.d;
  }
  return out;
}
