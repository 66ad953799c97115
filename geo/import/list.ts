import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import { loadSql } from '../../db/sql.js';
import type { GeoLayer } from '../types.js';
import type { ImportReport } from './report.js';

const LIST = loadSql(new URL('./sql/list-imports.sql', import.meta.url));
const FIND = loadSql(new URL('./sql/find-import.sql', import.meta.url));

export interface ImportSummary {
  id: number;
  layer: GeoLayer;
  source: string;
  featureCount: number;
  active: boolean;
  createdBy: string | null;
  createdAt: string;
  status: ImportReport['status'] | null;
  summary: ImportReport['summary'] | null;
}

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
export async function getImport(pool: pg.Pool, id: number): Promise<ImportSummary & { report: ImportReport }> {
  const { rows } = await pool.query<Row & { report: ImportReport }>(FIND, [id]);
  const r = rows[0];
  if (!r) throw new GwError('GW_GEO_IMPORT_NOT_FOUND', `Reading geo import ${id}: there is no such import`);
  return { ...summaryOf(r, r.report.status, r.report.summary), report: r.report };
}
