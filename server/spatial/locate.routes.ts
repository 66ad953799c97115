import { z } from 'zod';
import type { LocatorHolder } from '../../geo/locator/locator-holder.js';
import { locateResultSchema } from '../../geo/types.js';
import { crsSchema } from '../../core/crs.js';
import { defineRoute, type Route } from '../http/define-route.js';

/** Query of GET /api/v1/locate: query strings are text, so numbers are coerced. */
export const locateQuery = z.object({
  lon: z.coerce.number().finite().min(-180).max(180),
  lat: z.coerce.number().finite().min(-90).max(90),
  crs: crsSchema.default('wgs84'),
  accuracyM: z.coerce.number().finite().nonnegative().max(100_000).optional(),
});

/** GET /api/v1/locate for any logged-in user, answered from the holder's current locator. */
export function locateRoutes(holder: LocatorHolder): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/locate',
        tag: 'geo',
        summary: 'Grid cell, community, town, district and zones of a point (in-memory locator)',
        description:
          'Coordinates in `crs` (wgs84, gcj02 or bd09); the answer is WGS84. A point on a shared edge goes to the cell with the ' +
          'lowest code and sets onBoundary; a point in a gap or within the tolerance outside the city gets the nearest cell ' +
          "with fallback 'nearest'; farther away, null areas with fallback 'outside'. An accuracyM larger than distanceToEdgeM sets onBoundary.",
        allow: 'geo.read',
        query: locateQuery,
        invalid: 'GW_GEO_BAD_POINT',
        response: locateResultSchema,
      },
      ({ query: { lon, lat, crs, accuracyM } }) => holder.current().locate(lon, lat, crs, accuracyM ?? 0),
    ),
  ];
}
