import type { AreaRef, JurisdictionLevel, ZoneRef, ZoneType } from '../types.js';
import { CoverIndex, EMPTY } from './cover-index.js';
import { boundingBoxes, chooseGrid, type MultiPolygonCoords } from './grid-spec.js';
import { Locator, type CellRefs } from './locator.js';
import { nearMask, NearestPolygon } from './nearest.js';
import { PackedPolygons } from './packed-polygons.js';

/** One grid cell (网格) as the locator needs it. */
export interface CellInput {
  code: string;
  name: string;
  /** Code of the community (社区/村) the cell belongs to. */
  communityCode: string | null;
  geometry: MultiPolygonCoords;
}

/** One district, town or community; only codes and the parent link matter to the locator. */
export interface JurisdictionInput {
  level: JurisdictionLevel;
  code: string;
  name: string;
  parentCode: string | null;
}

/** One zone; `attrs` are trusted to match the type's schema (the import validates them). */
export interface ZoneInput {
  code: string;
  name: string;
  type: ZoneType;
  attrs: unknown;
  geometry: MultiPolygonCoords;
}

/** Everything a locator is built from: the active layers, WGS84. */
export interface LocatorData {
  cells: readonly CellInput[];
  jurisdictions: readonly JurisdictionInput[];
  zones: readonly ZoneInput[];
  /** Active import ids per layer, kept in `Locator.info` for the record. */
  imports?: Record<string, number>;
}

export interface LocatorOptions {
  /** Gap / just-outside tolerance for the nearest-cell fallback, metres (default 500). */
  toleranceM?: number;
  /** Raster caps (4 bytes a bucket): defaults 2 M each (8 MB); more buckets barely help (see docs/BENCHMARKS.md). */
  maxCellBuckets?: number;
  maxZoneBuckets?: number;
}

export const DEFAULT_TOLERANCE_M = 500;

/** Binary (code-unit) order: the tie rule's "lowest code", same as PostgreSQL's COLLATE "C". */
export function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds a locator from typed inputs. Pure: no I/O. Cells and zones are sorted by code so
 * that index order is the tie rule; area refs are interned and frozen once here.
 */
export function buildLocator(data: LocatorData, options: LocatorOptions = {}): Locator {
  const t0 = performance.now();
  const toleranceM = options.toleranceM ?? DEFAULT_TOLERANCE_M;
  const cells = [...data.cells].sort((a, b) => compareCodes(a.code, b.code));
  const zones = [...data.zones].sort((a, b) => compareCodes(a.code, b.code));

  const cellIndex = coverIndexFor(
    cells.map((c) => c.geometry),
    options.maxCellBuckets ?? 2_000_000,
  );
  const zoneIndex = coverIndexFor(
    zones.map((z) => z.geometry),
    options.maxZoneBuckets ?? 2_000_000,
  );

  const byLevel = new Map<JurisdictionLevel, Map<string, JurisdictionInput>>();
  for (const j of data.jurisdictions) {
    let m = byLevel.get(j.level);
    if (!m) byLevel.set(j.level, (m = new Map()));
    m.set(j.code, j);
  }
  const refs = new Map<string, AreaRef>();
  const refOf = (j: JurisdictionInput | undefined): AreaRef | null => {
    if (!j) return null;
    const key = `${j.level}:${j.code}`;
    let r = refs.get(key);
    if (!r) refs.set(key, (r = Object.freeze({ code: j.code, name: j.name })));
    return r;
  };
  const cellRefs: CellRefs[] = cells.map((c) => {
    const community = c.communityCode === null ? undefined : byLevel.get('community')?.get(c.communityCode);
    const town = community?.parentCode ? byLevel.get('town')?.get(community.parentCode) : undefined;
    const district = town?.parentCode ? byLevel.get('district')?.get(town.parentCode) : undefined;
    return Object.freeze({
      grid: Object.freeze({ code: c.code, name: c.name }),
      community: refOf(community),
      town: refOf(town),
      district: refOf(district),
    });
  });

  const zoneRefs = zones.map((z) => deepFreeze({ code: z.code, name: z.name, type: z.type, attrs: structuredClone(z.attrs) }) as ZoneRef);

  let interior = 0;
  for (const code of cellIndex.codes) if (code >= 0) interior++;
  let touched = 0;
  for (const code of cellIndex.codes) if (code !== -1) touched++;

  return new Locator({
    cells: cellIndex,
    cellRefs,
    nearestCell: new NearestPolygon(cellIndex.polys),
    nearCells: nearMask(cellIndex.codes, cellIndex.grid, toleranceM, EMPTY),
    zones: zoneIndex,
    zoneRefs,
    toleranceM,
    info: {
      cellCount: cells.length,
      zoneCount: zones.length,
      buckets: cellIndex.codes.length,
      interiorBucketShare: touched === 0 ? 0 : interior / touched,
      buildMs: Math.round(performance.now() - t0),
      imports: { ...(data.imports ?? {}) },
    },
  });
}

function coverIndexFor(geometries: MultiPolygonCoords[], maxBuckets: number): CoverIndex {
  const grid = chooseGrid(boundingBoxes(geometries), geometries.length, maxBuckets);
  return new CoverIndex(new PackedPolygons(geometries, grid), grid);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
