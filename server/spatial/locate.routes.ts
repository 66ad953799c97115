import { Router } from 'express';
import { z } from 'zod';
import { describeIssues, GwError } from '../../core/errors.js';
import type { LocatorHolder } from '../../geo/locator/locator-holder.js';
import { crsSchema } from '../../core/crs.js';
import { requireRole } from '../auth/middleware.js';
import { registerPath } from '../openapi.js';

/** Query of GET /api/v1/locate: query strings are text, so numbers are coerced. */
export const locateQuery = z.object({
  lon: z.coerce.number().finite().min(-180).max(180),
  lat: z.coerce.number().finite().min(-90).max(90),
  crs: crsSchema.default('wgs84'),
  accuracyM: z.coerce.number().finite().nonnegative().max(100_000).optional(),
});

registerPath({
  method: 'get',
  path: '/api/v1/locate',
  tag: 'geo',
  summary: 'Grid cell, community, town, district and zones of a point (in-memory locator)',
  description:
    'Coordinates in `crs` (wgs84, gcj02 or bd09); the answer is WGS84. A point on a shared edge goes to the cell with the ' +
    'lowest code and sets onBoundary; a point in a gap or within the tolerance outside the city gets the nearest cell ' +
    "with fallback 'nearest'; farther away, null areas with fallback 'outside'. An accuracyM larger than distanceToEdgeM sets onBoundary.",
  query: locateQuery,
});

/** GET /api/v1/locate for any logged-in user, answered from the holder's current locator. */
export function locateRoutes(holder: LocatorHolder): Router {
  const r = Router();
  r.get('/api/v1/locate', requireRole(), (req, res) => {
    const q = locateQuery.strict().safeParse(req.query);
    if (!q.success) {
      const problems = describeIssues(q.error.issues);
      throw new GwError('GW_GEO_BAD_POINT', `Validating the locate query: ${problems.join('; ')}`, { problems });
    }
    const { lon, lat, crs, accuracyM } = q.data;
    res.json(holder.current().locate(lon, lat, crs, accuracyM ?? 0));
  });
  return r;
}
