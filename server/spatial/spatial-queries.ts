import { z } from 'zod';
import { crsSchema } from '../../core/crs.js';
import { GEO_LAYERS, ZONE_TYPES } from '../../geo/types.js';
import { CLUE_STATUSES } from '../clues/clue.js';
import { GwError } from '../../core/errors.js';
import { TILE_LAYERS } from './layer-tiles.js';

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

/** GET /api/v1/clues/nearby. */
export const nearbyQuery = z.object({
  lon: z.coerce.number().finite().min(-180).max(180),
  lat: z.coerce.number().finite().min(-90).max(90),
  radiusM: z.coerce.number().finite().positive().max(50_000).default(1_000),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

const DAY_MS = 86_400_000;
/** The longest hotspot period: a year and a day (a leap year's trend). */
const MAX_HOTSPOT_DAYS = 367;

/** What GET /api/v1/hotspots asks, checked and resolved by `hotspotFilter`. */
export interface HotspotFilter {
  level: 'grid' | 'community' | 'town' | 'h3';
  res: number | null;
  item?: string;
  kind: 'clues' | 'alerts';
  from: Date;
  to: Date;
  bucket: 'day' | 'week';
  limit: number;
}

/** GET /api/v1/hotspots; `hotspotFilter` checks the fields together. */
export const hotspotsQuery = z.object({
  level: z.enum(['grid', 'community', 'town', 'h3']),
  /** H3 resolution (level h3 only): 0–9, from the stored resolution-9 cells. */
  res: z.coerce.number().int().min(0).max(9).optional(),
  item: z.string().trim().min(1).max(64).optional(),
  /** What is counted: clues (when they opened) or alerts (each alert a clue took in). */
  kind: z.enum(['clues', 'alerts']).default('clues'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  bucket: z.enum(['day', 'week']).default('day'),
  /** The busiest areas kept, by total. */
  limit: z.coerce.number().int().min(1).max(20_000).default(200),
});

/**
 * The hotspot query with its period resolved ([from, to), by default the last 30 days before
 * `now`) and res set for level h3 (default 9); a res without h3, an empty or too long period is
 * refused with GW_SPATIAL_BAD_QUERY.
 */
export function hotspotFilter(q: z.infer<typeof hotspotsQuery>, now: number): HotspotFilter {
  const to = q.to ? new Date(q.to) : new Date(now);
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
  const refuse = (why: string) => new GwError('GW_SPATIAL_BAD_QUERY', `GET /api/v1/hotspots: ${why}`);
  if (q.res !== undefined && q.level !== 'h3') throw refuse(`res goes with level=h3 only (level is ${q.level})`);
  if (from >= to) throw refuse(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  if (to.getTime() - from.getTime() > MAX_HOTSPOT_DAYS * DAY_MS) throw refuse(`at most ${MAX_HOTSPOT_DAYS} days from from to to`);
  return { ...q, res: q.level === 'h3' ? (q.res ?? 9) : null, from, to };
}

/** Statuses as in GET /api/v1/clues: one or several, comma-separated. */
const statusListSchema = z
  .string()
  .transform((s) => s.split(','))
  .pipe(z.array(z.enum(CLUE_STATUSES)));

/** GET /api/v1/map/clues. */
export const mapFeedQuery = z.object({ format: z.enum(['bin']).default('bin'), bbox: bboxSchema.optional(), status: statusListSchema.optional() });

/** GET /api/v1/map/clusters. */
export const mapClustersQuery = z.object({ z: z.coerce.number().int().min(0).max(22), bbox: bboxSchema, status: statusListSchema.optional() });

/** The side of a cluster square at `zoom`, in degrees: a quarter of a 256-px tile, about 64 pixels. */
export function clusterCellDeg(zoom: number): number {
  return 360 / 2 ** zoom / 4;
}

/** A tile coordinate in the path: plain decimal digits (no sign, exponent or spaces). */
const tileNumber = z.string().regex(/^\d{1,8}$/, 'a whole number').transform(Number);

/** GET /api/v1/tiles/:layer/:z/:x/:y.pbf: x and y within 0..2^z−1. */
export const tileParams = z
  .object({
    layer: z.enum(TILE_LAYERS),
    z: tileNumber.pipe(z.number().int().min(0).max(22)),
    x: tileNumber,
    y: tileNumber,
  })
  .refine((p) => p.x < 2 ** p.z && p.y < 2 ** p.z, { message: 'x and y must be within 0..2^z−1', path: ['x'] });
