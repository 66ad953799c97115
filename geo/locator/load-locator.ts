import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import type { JurisdictionLevel, ZoneType } from '../types.js';
import { buildLocator, type LocatorData, type LocatorOptions } from './build-locator.js';
import type { Locator } from './locator.js';
import { multiPolygonFromWkb } from './wkb.js';

const SQL = defineQueries(import.meta.url, {
  cells: 'active-grid-cells',
  jurisdictions: 'active-jurisdictions',
  zones: 'active-zones',
  imports: 'active-imports',
});

/**
 * Reads the active layers (grid cells, jurisdictions, zones) from PostGIS. Geometry comes as
 * WKB so the in-memory copy holds exactly the stored doubles. The reads run in one
 * REPEATABLE READ transaction, so an import activating meanwhile is seen whole or not at all.
 */
export async function loadLocatorData(pool: pg.Pool): Promise<LocatorData> {
  const { cells, jurisdictions, zones, imports } = await withTransaction(
    pool,
    async (client) => ({
      cells: await client.query<{ code: string; name: string; community_code: string | null; wkb: Buffer }>(SQL.cells),
      jurisdictions: await client.query<{ level: JurisdictionLevel; code: string; name: string; parent_code: string | null }>(SQL.jurisdictions),
      zones: await client.query<{ code: string; name: string; type: ZoneType; attrs: unknown; wkb: Buffer }>(SQL.zones),
      imports: await client.query<{ layer: string; id: number }>(SQL.imports),
    }),
    'read-only-snapshot',
  );
  return {
    cells: cells.rows.map((r) => ({ code: r.code, name: r.name, communityCode: r.community_code, geometry: multiPolygonFromWkb(r.wkb) })),
    jurisdictions: jurisdictions.rows.map((r) => ({ level: r.level, code: r.code, name: r.name, parentCode: r.parent_code })),
    zones: zones.rows.map((r) => ({ code: r.code, name: r.name, type: r.type, attrs: r.attrs, geometry: multiPolygonFromWkb(r.wkb) })),
    imports: Object.fromEntries(imports.rows.map((r) => [r.layer, Number(r.id)])),
  };
}

/** Loads the active layers and builds a locator over them. */
export async function loadLocator(pool: pg.Pool, options: LocatorOptions = {}): Promise<Locator> {
  return buildLocator(await loadLocatorData(pool), options);
}
