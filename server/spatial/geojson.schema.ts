import { z } from 'zod';

/** A WGS84 position as PostGIS writes it (ST_AsGeoJSON of 2-D data): longitude, latitude. */
const position = z.tuple([z.number(), z.number()]);

/** Jurisdictions, grid cells and zones are stored as MultiPolygons (migration 001). */
export const multiPolygonSchema = z
  .object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(position))) })
  .meta({ id: 'GeoJsonMultiPolygon', description: 'A GeoJSON MultiPolygon (WGS84)' });
export type MultiPolygon = z.infer<typeof multiPolygonSchema>;

/** A GeoJSON FeatureCollection of MultiPolygons, each feature identified by its code. */
export function featureCollectionSchema<P extends z.ZodType>(properties: P) {
  return z.object({
    type: z.literal('FeatureCollection'),
    features: z.array(z.object({ type: z.literal('Feature'), id: z.string(), properties, geometry: multiPolygonSchema })),
  });
}
