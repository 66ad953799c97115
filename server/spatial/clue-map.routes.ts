import type pg from 'pg';
import { z } from 'zod';
import { clueViewSchema } from '../clues/stored-clue.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { clueClusters, clueFeed, nearbyClues } from './clue-map.js';
import { hotspots } from './hotspots.js';
import { hotspotFilter, hotspotsQuery, mapClustersQuery, mapFeedQuery, nearbyQuery } from './spatial-queries.js';

const SCOPE_NOTE = 'Only clues in the caller’s jurisdiction (scopes) or concerning the caller’s unit; others are left out as if they did not exist.';
const invalid = 'GW_SPATIAL_BAD_QUERY';

const severityCounts = z.object({ info: z.number().int(), low: z.number().int(), medium: z.number().int(), high: z.number().int(), critical: z.number().int() });

/**
 * Spatial reads over clues: nearby (KNN), hotspots for planners, and the map's clue layer (the
 * binary feed for points, clusters when zoomed out). Mount before GET /api/v1/clues/:code, which
 * would otherwise take /api/v1/clues/nearby for a clue code.
 */
export function clueMapRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/clues/nearby',
        tag: 'clues',
        summary: 'Clues nearest a point, within a radius, with distance and bearing',
        description: `KNN by distance in PostGIS (geography \`<->\` on a GiST index). distanceM on the spheroid; bearingDeg from the point to the clue, clockwise from north (null at the same spot). ${SCOPE_NOTE}`,
        allow: 'clues.read',
        query: nearbyQuery,
        invalid,
        response: z.strictObject({
          clues: z.array(z.strictObject({ clue: clueViewSchema, distanceM: z.number(), bearingDeg: z.number().nullable() })),
        }),
      },
      async ({ user, query }) => ({ clues: await nearbyClues(pool, user, query) }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/hotspots',
        tag: 'clues',
        summary: 'Counts of clues or alerts per area and per day or week (trends for planners)',
        description:
          'Aggregated in the database. level: grid, community, town, or h3 with res 0–9 (cells stored at resolution 9 when the clue is written). ' +
          'kind=clues counts clues by when they opened, kind=alerts every alert a clue took in (placed at its clue). Buckets are local dates (Asia/Shanghai), ' +
          `weeks start on Monday; [from, to) defaults to the last 30 days. Areas come busiest first, at most \`limit\`; areaCount is how many had counts. ${SCOPE_NOTE}`,
        allow: 'clues.read',
        query: hotspotsQuery,
        invalid,
        errors: [invalid],
        response: z.strictObject({
          level: z.enum(['grid', 'community', 'town', 'h3']),
          res: z.number().int().nullable(),
          kind: z.enum(['clues', 'alerts']),
          bucket: z.enum(['day', 'week']),
          from: z.iso.datetime(),
          to: z.iso.datetime(),
          areaCount: z.number().int(),
          areas: z.array(z.strictObject({ area: z.string(), total: z.number().int(), series: z.array(z.strictObject({ bucket: z.string(), count: z.number().int() })) })),
        }),
      },
      async ({ user, query }) => {
        const q = hotspotFilter(query, Date.now());
        const { areas, areaCount } = await hotspots(pool, user, q);
        return { level: q.level, res: q.res, kind: q.kind, bucket: q.bucket, from: q.from.toISOString(), to: q.to.toISOString(), areaCount, areas };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/map/clues',
        tag: 'map',
        summary: 'The clue layer as a compact binary feed (columns of positions, status, severity, item, code)',
        description:
          'application/octet-stream, little-endian: "GWCF", version, count, a JSON header {seq, statuses, severities, items, codesBytes}, then Float32 lon and lat, ' +
          'Uint16 item, Uint8 status and severity columns and the clue codes, one a line (layout: server/spatial/clue-feed-codec.ts; decoder: web/src/clue-feed-bin.ts). ' +
          `seq is the clue event (outbox) id the feed is consistent with: apply the WebSocket's clue events after it. ${SCOPE_NOTE}`,
        allow: 'clues.read',
        query: mapFeedQuery,
        invalid,
        response: { raw: 'application/octet-stream' },
      },
      async ({ user, query, res }) => {
        const body = await clueFeed(pool, user, query);
        res.type('application/octet-stream').send(body);
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/map/clusters',
        tag: 'map',
        summary: 'The clue layer zoomed out: clues counted per square of about 64 pixels at zoom z within bbox',
        description: `Squares of cellDeg degrees; each cluster at the mean position of its clues, with counts per severity, biggest first. ${SCOPE_NOTE}`,
        allow: 'clues.read',
        query: mapClustersQuery,
        invalid,
        response: z.strictObject({
          z: z.number().int(),
          cellDeg: z.number(),
          clusters: z.array(z.strictObject({ lon: z.number(), lat: z.number(), count: z.number().int(), bySeverity: severityCounts })),
        }),
      },
      async ({ user, query }) => ({ z: query.z, ...(await clueClusters(pool, user, query)) }),
    ),
  ];
}
