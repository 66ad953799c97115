import type pg from 'pg';
import { defineRoute, type Route } from '../http/define-route.js';
import { LayerTiles } from './layer-tiles.js';
import { tileParams } from './spatial-queries.js';

/**
 * GET /api/v1/tiles/:layer/:z/:x/:y.pbf: districts, towns, communities, grid cells and zones as
 * Mapbox Vector Tiles, scoped to the caller (docs/MAP-DATA.md). `tiles` holds the cached
 * indexes; one per process.
 */
export function layerTileRoutes(pool: pg.Pool, tiles = new LayerTiles(pool)): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/tiles/:layer/:z/:x/:y.pbf',
        tag: 'map',
        summary: 'Boundary, grid and zone layers as vector tiles (MVT), within the caller’s scope',
        description:
          'application/x-protobuf, Mapbox Vector Tile 2, extent 4096, one layer named after :layer; features carry `code` and `name` (zones also `type`). ' +
          'Made in Node (geojson-vt + vt-pbf), the same on PGlite and PostGIS. Only areas in the caller’s scope: an area whose code or a parent’s is a scope code, ' +
          'a zone overlapping such an area; others do not exist for them. 204 when no feature of the caller reaches the tile (outside the scope or empty). ' +
          'ETag (changes with the active imports and the scope) and Cache-Control: private; If-None-Match answers 304.',
        allow: 'geo.read',
        params: tileParams,
        invalid: 'GW_SPATIAL_BAD_QUERY',
        response: { raw: 'application/x-protobuf' },
        otherStatuses: [204],
      },
      async ({ user, params, req, res }) => {
        const c = { z: params.z, x: params.x, y: params.y };
        res.set('Cache-Control', 'private, no-cache');
        const known = await tiles.etag(user, params.layer, c);
        res.set('ETag', known.etag);
        if (req.headers['if-none-match'] === known.etag) {
          res.status(304).end();
          return;
        }
        const tile = await tiles.tile(user, params.layer, c, known);
        if (!tile.body) res.status(204).end();
        else res.type('application/x-protobuf').send(Buffer.from(tile.body.buffer, tile.body.byteOffset, tile.body.byteLength));
      },
    ),
  ];
}
