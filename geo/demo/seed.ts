import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { defineQueries } from '../../db/sql.js';
import { importLayer, type ImportResult } from '../import/import.js';
import { DEMO_LAYER_FILES, readDemoFile } from './files.js';

const { ACTIVE } = defineQueries(import.meta.url, { ACTIVE: 'active-imports' });

/** `created_by` of the demo's imports. */
const DEMO_AUTHOR = 'demo';

/**
 * Seeds the demo city (Ningbo: 10 districts, 156 towns, communities, ≥10k grid cells, zones)
 * through the ordinary import pipeline, layer by layer, when the database has no active geo
 * import yet. Each layer is its own transaction, so a seed interrupted half-way is completed
 * on the next start (layers still missing are imported); once anyone else's import is active,
 * the demo leaves the boundaries alone.
 * Returns the imports made (empty when it left the city alone).
 */
export async function seedDemoCity(pool: pg.Pool, log?: Logger): Promise<ImportResult[]> {
  const { rows } = await pool.query<{ layer: string; created_by: string | null }>(ACTIVE);
  if (rows.some((r) => r.created_by !== DEMO_AUTHOR)) return [];
  const done = new Set(rows.map((r) => r.layer));
  const results: ImportResult[] = [];
  for (const { layer, file } of DEMO_LAYER_FILES.filter((l) => !done.has(l.layer))) {
    const t0 = performance.now();
    const result = await importLayer(pool, readDemoFile(file), { layer, source: `demo:${file}`, createdBy: DEMO_AUTHOR });
    if (result.report.status !== 'imported') {
      throw new GwError('GW_GEO_IMPORT_REJECTED', `Seeding the demo city: importing ${file} as ${layer} was rejected`, result.report);
    }
    log?.info({ layer, features: result.report.features.imported, ms: Math.round(performance.now() - t0) }, 'demo city layer imported');
    results.push(result);
  }
  return results;
}
