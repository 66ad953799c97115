import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import type { LayerSpec } from './layers.js';
import { round, type ProblemLog } from './report.js';

const { REPAIR } = defineQueries(import.meta.url, { REPAIR: 'repair-geometry' });
const { LOCATE } = defineQueries(import.meta.url, { LOCATE: 'locate-staged' });
const { REPAIRED } = defineQueries(import.meta.url, { REPAIRED: 'repaired' });

/** Splits "Self-intersection[121.5 29.8]" (ST_IsValidReason) into the reason and where. */
export function parseValidityReason(text: string): { reason: string; at: [number, number] | null } {
  const m = /^(.*?)\s*\[(\S+) (\S+)\]$/.exec(text);
  if (!m) return { reason: text, at: null };
  return { reason: m[1]!, at: [round(Number(m[2]), 6), round(Number(m[3]), 6)] };
}

/**
 * Checks every staged geometry in PostGIS and repairs invalid ones with ST_MakeValid,
 * reporting the validity reason, where, and what the repair changed (parts, area). A feature
 * with no area left is dropped. Returns how many were repaired and kept.
 */
export async function checkGeometries(client: pg.PoolClient, spec: LayerSpec, log: ProblemLog): Promise<number> {
  await client.query(REPAIR);
  await client.query(LOCATE);
  const { rows } = await client.query<{
    code: string;
    reason: string;
    area_before: number;
    area_after: number;
    parts_before: number;
    parts_after: number;
    rejected: boolean;
  }>(REPAIRED);
  let repaired = 0;
  for (const r of rows) {
    const { reason, at } = parseValidityReason(r.reason);
    const kind = /self-intersection/i.test(reason) ? 'self-intersection' : 'invalid-geometry';
    const where = at ? ` at ${at[0]}, ${at[1]}` : '';
    const details = {
      reason,
      at,
      areaBeforeM2: round(r.area_before),
      areaAfterM2: round(r.area_after),
      areaChangeM2: round(r.area_after - r.area_before),
      partsBefore: r.parts_before,
      partsAfter: r.parts_after,
    };
    if (r.rejected) {
      log.add({
        kind,
        severity: 'error',
        feature: r.code,
        message: `Repairing ${spec.noun} ${r.code} (${reason}${where}): ST_MakeValid left no area; dropped`,
        details,
      });
      continue;
    }
    repaired++;
    log.add({
      kind,
      severity: 'warning',
      feature: r.code,
      message:
        `Repairing ${spec.noun} ${r.code} (${reason}${where}) with ST_MakeValid: ` +
        `${details.partsBefore} → ${details.partsAfter} part(s), area ${details.areaBeforeM2} → ${details.areaAfterM2} m²`,
      details,
    });
  }
  return repaired;
}
