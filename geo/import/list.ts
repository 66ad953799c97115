import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { GEO_LAYERS, type GeoLayer } from '../types.js';
import { importReportSchema, type ImportReport } from './report.js';

const { LIST, FIND } = defineQueries(import.meta.url, { LIST: 'list-imports', FIND: 'find-import' });

/** A geo import as listed: provenance, whether it is its layer's active one, and its report's outcome. */
export const importSummarySchema = z.object({
  id: z.number().int(),
  layer: z.enum(GEO_LAYERS),
  source: z.string(),
  featureCount: z.number().int(),
  active: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  status: importReportSchema.shape.status.nullable(),
  summary: importReportSchema.shape.summary.nullable(),
});
export type ImportSummary = z.infer<typeof importSummarySchema>;

/** One import with its full report. */
export const importDetailSchema = importSummarySchema.extend({ report: importReportSchema });

interface Row {
  id: number | string;
  layer: GeoLayer;
  source: string;
  feature_count: number;
  active: boolean;
  created_by: string | null;
  created_at: Date;
}

const summaryOf = (r: Row, status: ImportSummary['status'], summary: ImportSummary['summary']): ImportSummary => ({
  id: Number(r.id), // bigint: text unless db/database.ts's int8 parser is installed
  layer: r.layer,
  source: r.source,
  featureCount: r.feature_count,
  active: r.active,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  status,
  summary,
});

/** Every import (of one layer, or all), newest first, with the report's summary. */
export async function listImports(pool: pg.Pool, layer: GeoLayer | null): Promise<ImportSummary[]> {
  const { rows } = await pool.query<Row & { status: ImportSummary['status']; summary: ImportSummary['summary'] }>(LIST, [layer]);
  return rows.map((r) => summaryOf(r, r.status, r.summary));
}

/** One import with its full report; GW_GEO_IMPORT_NOT_FOUND if there is none. */
export async function getImport(pool: pg.Pool, id: number): Promise<z.infer<typeof importDetailSchema>> {
  const { rows } = await pool.query<Row & { report: ImportReport }>(FIND, [id]);
  const r = rows[0];
  if (!r) throw new GwError('GW_GEO_IMPORT_NOT_FOUND', `Reading geo import ${id}: there is no such import`);
  return { ...summaryOf(r, r.report.status, r.report.summary), report: r.report };
}
