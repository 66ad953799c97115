import { z } from 'zod';

/** Administrative levels above the grid cell: 区/县 → 镇/街道 → 社区/村. */
export type JurisdictionLevel = 'district' | 'town' | 'community';

/** Import layers: the three jurisdiction levels, grid cells (网格) and zones. */
export const GEO_LAYERS = ['districts', 'towns', 'communities', 'grids', 'zones'] as const;
export type GeoLayer = (typeof GEO_LAYERS)[number];

/** A named area the locator returns. */
export const areaRefSchema = z.object({ code: z.string(), name: z.string() });
export type AreaRef = z.infer<typeof areaRefSchema>;

/** Local time window "HH:MM"–"HH:MM" (Asia/Shanghai); `to` < `from` wraps past midnight. */
export const timeWindowSchema = z.object({
  from: z.string().regex(/^\d{2}:\d{2}$/),
  to: z.string().regex(/^\d{2}:\d{2}$/),
  /** ISO weekdays 1 (Mon) … 7 (Sun); all days when absent. */
  days: z.array(z.number().int().min(1).max(7)).optional(),
});
export type TimeWindow = z.infer<typeof timeWindowSchema>;

const levelThresholds = z.object({ yellow: z.number(), orange: z.number(), red: z.number() });

/** Attributes per zone type (DESIGN.md section 4, issue "Geo"). */
export const zoneAttrSchemas = {
  'no-parking': z.object({
    roadKind: z.enum(['road', 'pavement']), // road → traffic police (交警); pavement → town team
    dwellLimitS: z.number().int().positive(),
  }),
  'disposal-site': z.object({
    licensed: z.boolean(), // 消纳场 licence
    openingHours: z.array(timeWindowSchema),
  }),
  'route-corridor': z.object({
    permitId: z.string(), // waste-truck transport permit (核准线路)
    bufferM: z.number().positive(),
    allowedHours: z.array(timeWindowSchema).optional(),
  }),
  restricted: z.object({
    reason: z.string(), // e.g. school zone (学校周边)
    activeHours: z.array(timeWindowSchema),
  }),
  bridge: z.object({
    custodianUnitId: z.string(), // 桥梁养护/管养单位
    /** Per-measure level thresholds (absolute values). */
    thresholds: z.object({
      strainUe: levelThresholds.optional(),
      displacementMm: levelThresholds.optional(),
      tiltDeg: levelThresholds.optional(),
      crackWidthMm: levelThresholds.optional(),
    }),
    /** A level is raised only when exceeded for this long (seconds). */
    sustainS: z.number().int().positive(),
  }),
} as const;

export type ZoneType = keyof typeof zoneAttrSchemas;
export const ZONE_TYPES = Object.keys(zoneAttrSchemas) as ZoneType[];
export type ZoneAttrs<T extends ZoneType> = z.infer<(typeof zoneAttrSchemas)[T]>;

const zoneRefOf = <T extends ZoneType>(type: T) => z.object({ code: z.string(), name: z.string(), type: z.literal(type), attrs: zoneAttrSchemas[type] });

/** A zone the point falls in, as the locator returns it. */
export const zoneRefSchema = z.discriminatedUnion('type', [
  zoneRefOf('no-parking'),
  zoneRefOf('disposal-site'),
  zoneRefOf('route-corridor'),
  zoneRefOf('restricted'),
  zoneRefOf('bridge'),
]);
export type ZoneRef = z.infer<typeof zoneRefSchema>;

/** What `locate()` answers for one point (always WGS84 in the result). */
export const locateResultSchema = z.object({
  lon: z.number(),
  lat: z.number(),
  grid: areaRefSchema.nullable(),
  community: areaRefSchema.nullable(),
  town: areaRefSchema.nullable(),
  district: areaRefSchema.nullable(),
  zones: z.array(zoneRefSchema),
  /** On a shared edge or vertex, or the accuracy circle crosses a cell boundary. */
  onBoundary: z.boolean(),
  /**
   * Distance from the point to the nearest edge of its cell, metres (0 on an edge); with
   * fallback 'nearest' the distance to that cell, and -1 with 'outside' (no cell).
   */
  distanceToEdgeM: z.number(),
  /** 'nearest': in a gap or just outside, assigned the nearest cell; 'outside': too far, no cell. */
  fallback: z.enum(['nearest', 'outside']).optional(),
  /** With fallback 'nearest', the distance to the nearest cell (metres); absent with 'outside'. */
  fallbackDistanceM: z.number().optional(),
});
export type LocateResult = z.infer<typeof locateResultSchema>;
