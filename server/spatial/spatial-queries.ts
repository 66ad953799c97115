import { z } from 'zod';
import { crsSchema } from '../../core/crs.js';
import { GEO_LAYERS, ZONE_TYPES } from '../../geo/types.js';

/** `minLon,minLat,maxLon,maxLat` (WGS84). */
const bboxSchema = z
  .string()
  .transform((s) => s.split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x))))
  .pipe(
    z
      .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
      .refine(([x0, y0, x1, y1]) => x0 < x1 && y0 < y1, 'bbox must be minLon,minLat,maxLon,maxLat with min < max'),
  );

const formatSchema = z.enum(['json', 'geojson']).default('json');

/** GET /api/v1/jurisdictions. */
export const jurisdictionsQuery = z.object({
  level: z.enum(['district', 'town', 'community', 'grid']),
  format: formatSchema,
  /** Web-map zoom: geometry is simplified to about half a pixel at this zoom. */
  zoom: z.coerce.number().int().min(0).max(22).optional(),
  bbox: bboxSchema.optional(),
  /** Only the children of this code (towns of a district, cells of a community…). */
  parent: z.string().trim().min(1).max(64).optional(),
});

/** GET /api/v1/zones. */
export const zonesQuery = z.object({
  type: z.enum(ZONE_TYPES as [string, ...string[]]).optional(),
  format: formatSchema,
  bbox: bboxSchema.optional(),
});

/** POST /api/v1/geo/imports. */
export const importQuery = z.object({
  layer: z.enum(GEO_LAYERS),
  crs: crsSchema.default('wgs84'),
  /** Provenance stored with the import (e.g. the file name). */
  source: z.string().trim().min(1).max(200).optional(),
});

/** GET /api/v1/geo/imports. */
export const listImportsQuery = z.object({ layer: z.enum(GEO_LAYERS).optional() });

/** The `:id` of /api/v1/geo/imports/:id…. */
export const importIdParams = z.object({ id: z.coerce.number().int().positive() });

/** Half a 256-px tile pixel at `zoom`, in degrees: finer detail cannot show on screen. */
export function simplifyTolerance(zoom: number | undefined): number {
  return zoom === undefined ? 0 : 360 / (256 * 2 ** zoom) / 2;
}
