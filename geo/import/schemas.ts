import { z } from 'zod';
import { zoneAttrSchemas, type GeoLayer, type ZoneType } from '../types.js';

/** Codes arrive as strings or, in DataV/GeoAtlas files (`adcode`), as numbers. */
const codeSchema = z
  .union([z.string().trim().min(1).max(64), z.number().int().nonnegative()], { error: 'must be a non-empty string (≤ 64 characters) or a whole number' })
  .transform(String);

const nameSchema = z.string().trim().min(1).max(200);

/** DataV/GeoAtlas files name the code `adcode` and the parent `parent.adcode`: accept both spellings. */
function dataVAliases(p: unknown): unknown {
  if (typeof p !== 'object' || p === null) return p;
  const o = p as Record<string, unknown>;
  return { ...o, code: o.code ?? o.adcode };
}

/** Properties of a district, town, community or grid-cell feature. */
export const areaPropsSchema = z.preprocess(
  dataVAliases,
  z.object({
    code: codeSchema,
    name: nameSchema,
    /** The parent's code; when absent the parent is the active parent-layer polygon containing the feature. */
    parentCode: codeSchema.nullish(),
    attrs: z.record(z.string(), z.unknown()).optional(),
  }),
);

const zoneBase = {
  code: codeSchema,
  name: nameSchema,
  /** Width each side (metres) for zones given as lines or points: route corridors, bridges. */
  bufferM: z.number().positive().max(5000).optional(),
};
const zoneOf = <T extends ZoneType>(type: T) => z.object({ ...zoneBase, type: z.literal(type), attrs: zoneAttrSchemas[type] });

/** Properties of a zone feature: its type decides the attribute schema (geo/types.ts). */
export const zonePropsSchema = z.discriminatedUnion('type', [
  zoneOf('no-parking'),
  zoneOf('disposal-site'),
  zoneOf('route-corridor'),
  zoneOf('restricted'),
  zoneOf('bridge'),
]);

const position = z
  .array(z.number().finite())
  .min(2, 'a position needs a longitude and a latitude')
  .max(3)
  .transform((p) => [p[0]!, p[1]!] as [number, number]);
const ring = z
  .array(position)
  .min(4, 'a polygon ring needs at least 4 positions')
  .refine((r) => r[0]![0] === r[r.length - 1]![0] && r[0]![1] === r[r.length - 1]![1], 'a polygon ring must end where it starts');
const polygonCoords = z.array(ring).min(1);

const polygonal = [
  z.object({ type: z.literal('Polygon'), coordinates: polygonCoords }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygonCoords).min(1) }),
] as const;
const linear = [
  z.object({ type: z.literal('LineString'), coordinates: z.array(position).min(2) }),
  z.object({ type: z.literal('MultiLineString'), coordinates: z.array(z.array(position).min(2)).min(1) }),
  z.object({ type: z.literal('Point'), coordinates: position }),
  z.object({ type: z.literal('MultiPoint'), coordinates: z.array(position).min(1) }),
] as const;

/** Jurisdictions and grid cells are areas. */
export const areaGeometrySchema = z.discriminatedUnion('type', [...polygonal]);
/** Zones are areas, or lines/points widened by `bufferM`. */
export const zoneGeometrySchema = z.discriminatedUnion('type', [...polygonal, ...linear]);
export type ImportGeometry = z.infer<typeof zoneGeometrySchema>;

/** The envelope: a FeatureCollection whose features are checked one by one. */
export const featureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.unknown()),
});

/** A feature's outer shape, before its properties and geometry are checked per layer. */
export const featureSchema = z.object({
  type: z.literal('Feature'),
  properties: z.unknown(),
  geometry: z.unknown(),
});

/** Which properties schema a layer uses. */
export function propsSchemaFor(layer: GeoLayer): typeof areaPropsSchema | typeof zonePropsSchema {
  return layer === 'zones' ? zonePropsSchema : areaPropsSchema;
}
