import type pg from 'pg';
import { z } from 'zod';
import { defineQueries } from '../../db/sql.js';
import { zoneRefSchema, type ZoneRef } from '../../geo/types.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { featureCollectionSchema, type MultiPolygon } from './geojson.schema.js';
import { jurisdictionsQuery, simplifyTolerance, zonesQuery } from './spatial-queries.js';

const SQL = defineQueries(import.meta.url, { jurisdictions: 'jurisdictions', grids: 'grid-cells', zones: 'zones' });

const levelSchema = jurisdictionsQuery.shape.level;
const areaSchema = z.object({ code: z.string(), name: z.string(), parentCode: z.string().nullable() });

/** GET /api/v1/jurisdictions: a plain list, or with format=geojson a FeatureCollection. */
const jurisdictionsResponse = z.union([
  z.object({ level: levelSchema, count: z.number().int(), items: z.array(areaSchema) }),
  featureCollectionSchema(areaSchema.extend({ level: levelSchema })),
]);

/** GET /api/v1/zones: likewise; a zone's attributes follow its type. */
const zonesResponse = z.union([z.object({ count: z.number().int(), items: z.array(zoneRefSchema) }), featureCollectionSchema(zoneRefSchema)]);

/** Geometry is selected only for format=geojson. */
interface Row {
  code: string;
  name: string;
  parent_code: string | null;
  geometry: MultiPolygon | null;
}
type ZoneRow = ZoneRef & { geometry: MultiPolygon | null };

const GEOJSON_NOTE = 'With format=geojson the answer is a FeatureCollection of MultiPolygons (WGS84), sent as application/geo+json.';

/** Read-only geo endpoints for any logged-in user: jurisdictions per level and zones. */
export function jurisdictionRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/jurisdictions',
        tag: 'geo',
        summary: 'Districts, towns, communities or grid cells of the active imports',
        description:
          `A list of {code, name, parentCode}. ${GEOJSON_NOTE} It is simplified to about half a pixel at \`zoom\` ` +
          '(ST_SimplifyPreserveTopology, per polygon: neighbours may show hairline gaps on screen, the stored data has none).',
        allow: 'geo.read',
        query: jurisdictionsQuery,
        response: jurisdictionsResponse,
      },
      async ({ query: q, res }) => {
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
        if (!geojson) return { level: q.level, count: rows.length, items: rows.map((x) => ({ code: x.code, name: x.name, parentCode: x.parent_code })) };
        res.type('application/geo+json');
        return {
          type: 'FeatureCollection' as const,
          features: rows.map((x) => ({
            type: 'Feature' as const,
            id: x.code,
            properties: { code: x.code, name: x.name, parentCode: x.parent_code, level: q.level },
            geometry: x.geometry!,
          })),
        };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/zones',
        tag: 'geo',
        summary: 'Zones of the active import: no-parking, disposal sites, route corridors, restricted zones, bridges',
        description: `A list of {code, type, name, attrs}. ${GEOJSON_NOTE}`,
        allow: 'geo.read',
        query: zonesQuery,
        response: zonesResponse,
      },
      async ({ query: q, res }) => {
        const geojson = q.format === 'geojson';
        const [x0, y0, x1, y1] = q.bbox ?? [null, null, null, null];
        const { rows } = await pool.query<ZoneRow>(SQL.zones, [q.type ?? null, x0, y0, x1, y1, geojson]);
        if (!geojson) return { count: rows.length, items: rows.map(({ geometry: _g, ...z }) => z) };
        res.type('application/geo+json');
        return {
          type: 'FeatureCollection' as const,
          features: rows.map(({ geometry, ...z }) => ({ type: 'Feature' as const, id: z.code, properties: z, geometry: geometry! })),
        };
      },
    ),
  ];
}
