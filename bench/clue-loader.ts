import type pg from 'pg';
import { loadSql } from '../db/sql.js';
import { h3CellOf } from '../geo/h3-cell.js';
import { prng } from '../test/helpers/prng.js';

/** A box in degrees: min lon, min lat, max lon, max lat. */
export type Box = [number, number, number, number];

/** The jurisdiction codes a bench clue is stored with (its scope). */
export interface BenchPlace {
  district: string;
  town: string | null;
  community: string | null;
  grid: string | null;
}

/** Clues per INSERT: nine arrays of this length go as parameters (a few MB of text). */
const BATCH = 100_000;
const insertSql = loadSql(new URL('./sql/bench-clues.sql', import.meta.url));

/**
 * Loads `count` bench clues (codes B-1 … B-count) into `pool` fast: positions over `box`, 70 %
 * around 40 hot spots (a grid of 8 × 5, each a fifteenth of the box wide) and 30 % uniform,
 * opened over the 90 days before `end` (ms), with their H3 cells computed here as the pipeline
 * does at write time (h3-js). `place` gives each position its jurisdiction codes, or null for a
 * position to draw again (outside the city). Deterministic for a seed. The clues go in as column
 * arrays (unnest), BATCH per INSERT. Used by the spatial bench (1M clues) and the map bench (100k
 * clues the city operator sees).
 */
export async function loadBenchClues(pool: pg.Pool, count: number, opts: { seed: number; box: Box; end: number; place: (lon: number, lat: number) => BenchPlace | null }): Promise<void> {
  const rand = prng(opts.seed);
  const [x0, y0, x1, y1] = opts.box;
  const w = x1 - x0;
  const h = y1 - y0;
  for (let start = 1; start <= count; start += BATCH) {
    const n = Math.min(BATCH, count + 1 - start);
    const cols: [number[], number[], number[], string[], string[], (string | null)[], (string | null)[], (string | null)[]] = [[], [], [], [], [], [], [], []];
    while (cols[0].length < n) {
      const hot = rand() < 0.7;
      const spot = Math.floor(rand() * 40);
      const x = hot ? x0 + w * ((1 + 1.4 * (spot % 8)) / 12 + (rand() - 0.5) / 15) : x0 + rand() * w;
      const y = hot ? y0 + h * ((1 + 1.4 * Math.floor(spot / 8)) / 8 + (rand() - 0.5) / 10) : y0 + rand() * h;
      const t = opts.end - rand() * 90 * 86_400_000;
      const at = opts.place(x, y);
      if (!at) continue;
      cols[0].push(x);
      cols[1].push(y);
      cols[2].push(t);
      cols[3].push(h3CellOf(x, y));
      cols[4].push(at.district);
      cols[5].push(at.town);
      cols[6].push(at.community);
      cols[7].push(at.grid);
    }
    await pool.query(insertSql, [start, ...cols]);
  }
}
