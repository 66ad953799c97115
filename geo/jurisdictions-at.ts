import type pg from 'pg';
import { defineQueries } from '../db/sql.js';
import type { JurisdictionLevel } from './types.js';

const { SQL } = defineQueries(import.meta.url, { SQL: 'jurisdictions-at' });

/** A jurisdiction polygon that contains a point, as PostGIS answers it. */
export interface JurisdictionHit {
  level: JurisdictionLevel;
  code: string;
  name: string;
  parentCode: string | null;
}

/**
 * Asks PostGIS which active jurisdictions contain a WGS84 point (ST_Contains). This is the
 * database's answer, used for analysis and as an oracle; the hot path uses the in-memory locator.
 */
export async function jurisdictionsAt(pool: pg.Pool, lon: number, lat: number): Promise<JurisdictionHit[]> {
  const { rows } = await pool.query<{ level: JurisdictionLevel; code: string; name: string; parent_code: string | null }>(
    SQL, [lon, lat],
  );
  return rows.map((r) => ({ level: r.level, code: r.code, name: r.name, parentCode: r.parent_code }));
}
