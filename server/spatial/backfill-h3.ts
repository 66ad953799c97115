import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import { h3CellOf } from '../../geo/h3-cell.js';

const sql = defineQueries(import.meta.url, { missing: 'clues-without-h3', set: 'set-clue-h3' });

/**
 * Fills `clues.h3_r9` for clues written before the pipeline stored it (migration 090), `batch`
 * clues a statement, until none is left; returns how many it filled. The cells are computed in
 * Node (h3-js) because the embedded PostGIS has no H3. Safe to run again or beside the pipeline:
 * it only touches rows still NULL, and new clues arrive with their cell.
 */
export async function backfillH3(pool: pg.Pool, batch = 5_000): Promise<number> {
  let filled = 0;
  for (;;) {
    const { rows } = await pool.query<{ id: string; lon: number; lat: number }>(sql.missing, [batch]);
    if (!rows.length) return filled;
    await pool.query(sql.set, [JSON.stringify(rows.map((r) => ({ id: r.id, h3_r9: h3CellOf(r.lon, r.lat) })))]);
    filled += rows.length;
  }
}
