import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { loadSql } from '../../db/sql.js';
import { importLayer, type ImportResult } from '../import/import.js';
import { DEMO_LAYER_FILES, readDemoFile } from './files.js';

const ANY_ACTIVE = loadSql(new URL('./sql/any-active-import.sql', import.meta.url));

/**
 * Seeds the demo city (Ningbo: 10 districts, 156 towns, communities, ≥10k grid cells, zones)
 * through the ordinary import pipeline, layer by layer, when the database has no active geo
 * import yet. Returns the imports made (empty when it left an existing city alone).
 */
export async function seedDemoCity(pool: pg.Pool, log?: Logger): Promise<ImportResult[]> {
  const { rows } = await pool.query<{ any: boolean }>(ANY_ACTIVE);
  if (rows[0]!.any) return [];
  const results: ImportResult[] = [];
  for (const { layer, file } of DEMO_LAYER_FILES) {
    const t0 = performance.now();
    const result = await importLayer(pool, readDemoFile(file), { layer, source: `demo:${file}`, createdBy: 'demo' });
    if (result.report.status !== 'imported') {
      throw new GwError('GW_GEO_IMPORT_REJECTED', `Seeding the demo city: importing ${file} as ${layer} was rejected`, result.report);
    }
    log?.info({ layer, features: result.report.features.imported, ms: Math.round(performance.now() - t0) }, 'demo city layer imported');
    results.push(result);
  }
  return results;
}
