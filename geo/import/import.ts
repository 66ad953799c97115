import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import type { Crs } from '../../core/crs.js';
import type { GeoLayer } from '../types.js';
import { lockLayer, swapActive } from './activate.js';
import { checkWgs84, convertToWgs84, extentOf } from './coordinates.js';
import { checkDuplicateCodes } from './duplicates.js';
import { checkGeometries } from './geometry-checks.js';
import { LAYERS } from './layers.js';
import { checkParents, dropOrphanCells } from './parent-checks.js';
import { parseLayerFile, type ParsedFeature } from './parse.js';
import { ProblemLog, type CheckState, type ImportReport } from './report.js';
import { checkGaps, checkOverlaps } from './topology-checks.js';

const queries = defineQueries(import.meta.url, {
  createStaging: 'create-staging',
  stage: 'stage-features',
  createImport: 'create-import',
  finishImport: 'finish-import',
  activeLayers: 'active-layers',
  jurisdictions: 'insert-jurisdictions',
  grids: 'insert-grid-cells',
  zones: 'insert-zones',
});
const SQL = { ...queries, insert: { jurisdictions: queries.jurisdictions, grids: queries.grids, zones: queries.zones } };

/** Features sent to PostGIS per statement: big enough to be quick, small enough to show progress. */
const STAGE_BATCH = 500;

/** Defaults: slivers below 1 m² are floating-point noise, not data problems. */
export const DEFAULT_TOLERANCES = { overlapM2: 1, gapM2: 1 };

export type ImportPhase = 'parse' | 'stage' | 'geometry' | 'parents' | 'overlaps' | 'gaps' | 'write';

export interface ImportOptions {
  layer: GeoLayer;
  /** File name or other provenance, stored with the import. */
  source: string;
  /** The file's coordinate system; GCJ-02 and BD-09 are converted to WGS84 on the way in. */
  crs?: Crs;
  createdBy?: string | null;
  tolerances?: Partial<typeof DEFAULT_TOLERANCES>;
  /** Called as work advances (the CLI draws a progress line from it). */
  onProgress?: (phase: ImportPhase, done: number, total: number) => void;
}

export interface ImportResult {
  /** The new, now active import; null when the import was rejected. */
  importId: number | null;
  /** The import it replaced as the layer's active one. */
  previousImportId: number | null;
  report: ImportReport;
}

/** A fatal problem found inside the transaction: unwinds it, carrying nothing but the signal. */
class Rejected extends Error {}

const SKIPPED_FATAL: CheckState = 'skipped: fatal problems in the file';

/**
 * Imports one layer from GeoJSON: validates (zod), checks coordinates are WGS84 (converting
 * GCJ-02/BD-09 first if told), stages the features in PostGIS, repairs and checks geometry,
 * parents, overlaps and gaps there, writes the rows under a new `geo_imports` id and makes it
 * the layer's active import — all in one transaction, so it all lands or none of it does.
 * Problems are reported, not thrown: fatal ones reject the import (`importId` null), the rest
 * land in `geo_imports.report`. The previous import stays in the table for `activateImport`.
 */
export async function importLayer(pool: pg.Pool, input: string | unknown, opts: ImportOptions): Promise<ImportResult> {
  const spec = LAYERS[opts.layer];
  const crs = opts.crs ?? 'wgs84';
  const tolerances = { ...DEFAULT_TOLERANCES, ...opts.tolerances };
  const progress = opts.onProgress ?? (() => undefined);
  const log = new ProblemLog();
  const checks: ImportReport['checks'] = { geometry: SKIPPED_FATAL, parents: SKIPPED_FATAL, overlaps: SKIPPED_FATAL, gaps: SKIPPED_FATAL };
  const counts = { total: 0, imported: 0, repaired: 0 };
  let features: ParsedFeature[] = [];

  const report = (status: ImportReport['status']): ImportReport => ({
    layer: opts.layer,
    source: opts.source,
    crs,
    status,
    features: { total: counts.total, imported: counts.imported, rejected: counts.total - counts.imported, repaired: counts.repaired },
    bbox: status === 'imported' ? extentOf(features) : null,
    tolerances,
    checks,
    summary: { ...log.summary },
    problems: log.problems,
  });
  const rejected = (): ImportResult => {
    counts.imported = 0;
    counts.repaired = 0;
    return { importId: null, previousImportId: null, report: report('rejected') };
  };

  progress('parse', 0, 1);
  const parsed = parseLayerFile(input, opts.layer, log);
  if (!parsed) return rejected();
  counts.total = parsed.total;
  checkDuplicateCodes(parsed.features, log);
  checkWgs84(parsed.features, log);
  if (!log.fatal && parsed.features.length === 0) {
    log.add({ kind: 'no-features', severity: 'fatal', message: `Reading ${opts.source}: no valid ${spec.noun} features to import` });
  }
  progress('parse', 1, 1);
  if (log.fatal) return rejected();
  features = convertToWgs84(parsed.features, crs);

  try {
    const written = await withTransaction(pool, async (client) => {
      await lockLayer(client, opts.layer);
      const active = new Set((await client.query<{ layer: GeoLayer }>(SQL.activeLayers)).rows.map((r) => r.layer));
      await client.query(SQL.createStaging);
      for (let i = 0; i < features.length; i += STAGE_BATCH) {
        const batch = features.slice(i, i + STAGE_BATCH).map((f) => ({
          ord: f.index,
          code: f.code,
          name: f.name,
          parent_code: f.parentCode,
          attrs: f.attrs,
          zone_type: f.zoneType,
          buffer_m: f.bufferM,
          geometry: f.geometry,
        }));
        await client.query(SQL.stage, [JSON.stringify(batch)]);
        progress('stage', Math.min(i + STAGE_BATCH, features.length), features.length);
      }

      progress('geometry', 0, 1);
      counts.repaired = await checkGeometries(client, spec, log);
      checks.geometry = 'ran';

      progress('parents', 0, 1);
      if (!spec.parentLayer) checks.parents = `skipped: ${spec.noun}s have no parent layer`;
      else if (!active.has(spec.parentLayer)) {
        checks.parents = `skipped: no active ${spec.parentLayer} import`;
        if (opts.layer === 'grids') await dropOrphanCells(client, log);
      } else {
        await checkParents(client, opts.layer, spec, log);
        checks.parents = 'ran';
      }

      progress('overlaps', 0, 1);
      if (!spec.checkOverlaps) checks.overlaps = `skipped: ${spec.noun}s may overlap`;
      else {
        await checkOverlaps(client, spec, tolerances.overlapM2, log);
        checks.overlaps = 'ran';
      }

      progress('gaps', 0, 1);
      if (!spec.tilesLayer) checks.gaps = `skipped: ${spec.noun}s tile no other layer`;
      else if (!active.has(spec.tilesLayer)) checks.gaps = `skipped: no active ${spec.tilesLayer} import`;
      else {
        await checkGaps(client, spec, spec.tilesLayer, tolerances.gapM2, log);
        checks.gaps = 'ran';
      }

      progress('write', 0, 1);
      const { rows } = await client.query<{ id: string | number }>(SQL.createImport, [opts.layer, opts.source, opts.createdBy ?? null]);
      const importId = Number(rows[0]!.id);
      const inserted =
        opts.layer === 'grids'
          ? await client.query(SQL.insert.grids, [importId])
          : opts.layer === 'zones'
            ? await client.query(SQL.insert.zones, [importId])
            : await client.query(SQL.insert.jurisdictions, [importId, spec.level]);
      counts.imported = inserted.rowCount ?? 0;
      if (counts.imported === 0) {
        log.add({ kind: 'no-features', severity: 'fatal', message: `Importing ${opts.source}: every ${spec.noun} was dropped, nothing to import` });
        throw new Rejected();
      }
      const final = report('imported');
      await client.query(SQL.finishImport, [importId, counts.imported, JSON.stringify(final)]);
      const previousImportId = await swapActive(client, opts.layer, importId);
      return { importId, previousImportId, report: final };
    });
    progress('write', 1, 1);
    return written;
  } catch (err) {
    if (err instanceof Rejected) return rejected();
    throw err;
  }
}
