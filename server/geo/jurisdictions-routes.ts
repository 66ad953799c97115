import { Router } from 'express';
import type pg from 'pg';
import { loadSql } from '../../db/sql.js';
import { requireRole } from '../auth/middleware.js';
import { parseInput, parseQuery } from '../http/validate.js';
import { registerPath } from '../openapi.js';
import { jurisdictionsQuery, simplifyTolerance, zonesQuery } from './queries.js';

const SQL = {
  jurisdictions: loadSql(new URL('./sql/jurisdictions.sql', import.meta.url)),
  grids: loadSql(new URL('./sql/grid-cells.sql', import.meta.url)),
  zones: loadSql(new URL('./sql/zones.sql', import.meta.url)),
};

registerPath({
  method: 'get',
  path: '/api/v1/jurisdictions',
  tag: 'geo',
  summary: 'Districts, towns, communities or grid cells of the active imports',
  description:
    'A list of {code, name, parentCode}; with format=geojson a FeatureCollection, simplified to about half a pixel at `zoom` ' +
    '(ST_SimplifyPreserveTopology, per polygon: neighbours may show hairline gaps on screen, the stored data has none).',
  query: jurisdictionsQuery,
});
registerPath({
  method: 'get',
  path: '/api/v1/zones',
  tag: 'geo',
  summary: 'Zones of the active import: no-parking, disposal sites, route corridors, restricted zones, bridges',
  query: zonesQuery,
});

interface Row {
  code: string;
  name: string;
  parent_code: string | null;
  geometry: unknown;
}
interface ZoneRow {
  code: string;
  type: string;
  name: string;
  attrs: Record<string, unknown>;
  geometry: unknown;
}

/** Read-only geo endpoints for any logged-in user: jurisdictions per level and zones. */
export function jurisdictionRoutes(pool: pg.Pool): Router {
  const r = Router();
  r.get('/api/v1/jurisdictions', requireRole(), async (req, res) => {
    const q = parseQuery(jurisdictionsQuery, req.query, 'the jurisdictions query');
    const geojson = q.format === 'geojson';
    const [x0, y0, x1, y1] = q.bbox ?? [null, null, null, null];
    const { rows } = await pool.query<Row>(q.level === 'grid' ? SQL.grids : SQL.jurisdictions, [
      q.level,
      q.parent ?? null,
      x0,
      y0,
      x1,
      y1,
      simplifyTolerance(q.zoom),
      geojson,
    ]);
    if (!geojson) {
      res.json({ level: q.level, count: rows.length, items: rows.map((x) => ({ code: x.code, name: x.name, parentCode: x.parent_code })) });
      return;
    }
    res.type('application/geo+json').json({
      type: 'FeatureCollection',
      features: rows.map((x) => ({
        type: 'Feature',
        id: x.code,
        properties: { code: x.code, name: x.name, parentCode: x.parent_code, level: q.level },
        geometry: x.geometry,
      })),
    });
  });

  r.get('/api/v1/zones', requireRole(), async (req, res) => {
    const q = parseQuery(zonesQuery, req.query, 'the zones query');
    const geojson = q.format === 'geojson';
    const [x0, y0, x1, y1] = q.bbox ?? [null, null, null, null];
    const { rows } = await pool.query<ZoneRow>(SQL.zones, [q.type ?? null, x0, y0, x1, y1, geojson]);
    if (!geojson) {
      res.json({ count: rows.length, items: rows.map(({ geometry: _g, ...z }) => z) });
      return;
    }
    res.type('application/geo+json').json({
      type: 'FeatureCollection',
      features: rows.map(({ geometry, ...z }) => ({ type: 'Feature', id: z.code, properties: z, geometry })),
    });
  });
  return r;
}
