import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import type { GeoLayer } from '../types.js';
import { LAYERS, type LayerSpec } from './layers.js';
import { round, type ProblemLog } from './report.js';

const { OVERLAPS } = defineQueries(import.meta.url, { OVERLAPS: 'overlaps' });
const { GAPS } = defineQueries(import.meta.url, { GAPS: 'gaps' });

/** Reports pairs of features sharing more than `toleranceM2` of area (PostGIS intersection). */
export async function checkOverlaps(client: pg.PoolClient, spec: LayerSpec, toleranceM2: number, log: ProblemLog): Promise<void> {
  const { rows } = await client.query<{ a_code: string; b_code: string; area_m2: number; x: number; y: number }>(OVERLAPS, [toleranceM2]);
  for (const r of rows) {
    const at: [number, number] = [round(r.x, 5), round(r.y, 5)];
    log.add({
      kind: 'overlap',
      severity: 'warning',
      feature: r.a_code,
      message: `Checking overlaps: ${spec.noun}s ${r.a_code} and ${r.b_code} share ${round(r.area_m2)} m² around ${at[0]}, ${at[1]}`,
      details: { other: r.b_code, areaM2: round(r.area_m2), at },
    });
  }
}

/**
 * Reports, for each active polygon of `tilesLayer` that holds features of this import, the
 * area the features leave uncovered (parts above `toleranceM2`): points there fall back to the
 * nearest cell.
 */
export async function checkGaps(
  client: pg.PoolClient,
  spec: LayerSpec,
  tilesLayer: GeoLayer,
  toleranceM2: number,
  log: ProblemLog,
): Promise<void> {
  const { rows } = await client.query<{ code: string; parts: number; area_m2: number; largest_m2: number; x: number; y: number }>(GAPS, [
    tilesLayer,
    toleranceM2,
  ]);
  const parentNoun = LAYERS[tilesLayer].noun;
  for (const r of rows) {
    const at: [number, number] = [round(r.x, 5), round(r.y, 5)];
    log.add({
      kind: 'gap',
      severity: 'warning',
      feature: r.code,
      message: `Checking coverage of ${parentNoun} ${r.code}: ${r.parts} gap(s) between its ${spec.noun}s, ${round(r.area_m2)} m² in all, the largest ${round(r.largest_m2)} m² around ${at[0]}, ${at[1]}`,
      details: { parts: r.parts, areaM2: round(r.area_m2), largestM2: round(r.largest_m2), at },
    });
  }
}
