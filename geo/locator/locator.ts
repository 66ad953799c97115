import { toWgs84 } from '../../core/crs.js';
import type { Crs } from '../../core/crs.js';
import type { AreaRef, LocateResult, ZoneRef } from '../types.js';
import { EMPTY, type CoverIndex } from './cover-index.js';
import type { NearestPolygon } from './nearest.js';
import { metresPerDegree } from './metric.js';
import { BOUNDARY, OUTSIDE } from './packed-polygons.js';

/** What one grid cell resolves to, interned once at build time. */
export interface CellRefs {
  grid: AreaRef;
  community: AreaRef | null;
  town: AreaRef | null;
  district: AreaRef | null;
}

/** The built indexes a {@link Locator} answers from (see `buildLocator`). */
export interface LocatorParts {
  /** Cells in ascending code order: index order is the tie rule. */
  cells: CoverIndex;
  cellRefs: readonly CellRefs[];
  nearestCell: NearestPolygon;
  /** Per cell-raster bucket, 1 if some cell may lie within `toleranceM` (see `nearMask`). */
  nearCells: Uint8Array;
  zones: CoverIndex;
  zoneRefs: readonly ZoneRef[];
  toleranceM: number;
  info: LocatorInfo;
}

/** Facts about a built locator, for logs, /healthz and benchmarks. */
export interface LocatorInfo {
  cellCount: number;
  zoneCount: number;
  /** Raster size and the share of cell-raster buckets answered with no polygon test. */
  buckets: number;
  interiorBucketShare: number;
  buildMs: number;
  /** Active import ids per layer the data came from (empty for data built in memory). */
  imports: Record<string, number>;
}

const NO_ZONES: ZoneRef[] = Object.freeze([]) as unknown as ZoneRef[];
/** Zone lists longer than this are answered with a fresh array instead of an interned one. */
const MAX_INTERNED_LIST = 24;
const LIST_KEY = 2 ** MAX_INTERNED_LIST;

/**
 * The in-memory locator: point → grid cell → community → town → district, plus zones.
 *
 * Rules (docs/DESIGN.md §5):
 * - A cell holds a point when PostGIS `ST_Covers(cell, point)` would say so; the test is the
 *   same arithmetic (see `PackedPolygons.pip`), so answers match PostGIS exactly.
 * - Tie rule: a point covered by several cells (on a shared edge or vertex, or where cells
 *   overlap) goes to the cell with the lowest code in binary (C-collation) order, and
 *   `onBoundary` is set. A point on the city's outer edge is `onBoundary` too.
 * - A point no cell covers gets the nearest cell within `toleranceM` (`fallback: 'nearest'`,
 *   `fallbackDistanceM`, and `distanceToEdgeM` the same); farther away, null areas,
 *   `fallback: 'outside'` and `distanceToEdgeM: -1` (no cell). Bad coordinates (NaN,
 *   off the globe) are 'outside' too: it never throws.
 * - An accuracy radius larger than `distanceToEdgeM` sets `onBoundary`.
 * Results share interned, frozen area and zone objects: read them, don't mutate them.
 */
export class Locator {
  readonly info: LocatorInfo;
  readonly toleranceM: number;
  private readonly parts: LocatorParts;
  private readonly zoneSingles: ZoneRef[][];
  private readonly zoneLists = new Map<number, ZoneRef[]>();

  constructor(parts: LocatorParts) {
    this.parts = parts;
    this.info = parts.info;
    this.toleranceM = parts.toleranceM;
    this.zoneSingles = parts.zoneRefs.map((z) => Object.freeze([z]) as unknown as ZoneRef[]);
  }

  /** Locates one point. `crs` is the CRS the coordinates are in; the result is always WGS84. */
  locate(lon: number, lat: number, crs: Crs = 'wgs84', accuracyM = 0): LocateResult {
    return this.locateInto(blankResult(), lon, lat, crs, accuracyM);
  }

  /** Like {@link locate}, but fills `out` and returns it: no allocation for WGS84 input. */
  locateInto(out: LocateResult, lon: number, lat: number, crs: Crs = 'wgs84', accuracyM = 0): LocateResult {
    if (crs === 'wgs84' || !Number.isFinite(lon) || !Number.isFinite(lat)) return this.locateWgs84(out, lon, lat, accuracyM);
    const [x, y] = toWgs84(lon, lat, crs);
    return this.locateWgs84(out, x, y, accuracyM);
  }

  // x and y stay the caller's values, never reassigned: V8 then passes them on to the calls
  // below as they came, instead of boxing fresh heap numbers for each call.
  private locateWgs84(out: LocateResult, x: number, y: number, accuracyM: number): LocateResult {
    out.lon = x;
    out.lat = y;
    const parts = this.parts;
    const cells = parts.cells;
    const p = cells.firstCovering(x, y);
    if (p >= 0) {
      const onEdge = cells.hitResult === BOUNDARY;
      let d = 0;
      if (!onEdge) {
        cells.polys.measureEdgeDistance(p, x, y);
        d = cells.polys.edgeDistanceM;
      }
      this.setCell(out, p);
      out.distanceToEdgeM = roundCm(d);
      out.onBoundary = onEdge || cells.hits > 1 || accuracyM > d;
      out.fallback = undefined;
      out.fallbackDistanceM = undefined;
    } else {
      const q = this.mayBeNear(x, y) ? parts.nearestCell.within(x, y, parts.toleranceM) : -1;
      if (q >= 0) {
        const d = parts.nearestCell.distanceM;
        this.setCell(out, q);
        out.fallback = 'nearest';
        out.fallbackDistanceM = roundCm(d);
        out.distanceToEdgeM = roundCm(d);
        out.onBoundary = accuracyM >= d;
      } else {
        out.grid = out.community = out.town = out.district = null;
        out.fallback = 'outside';
        out.fallbackDistanceM = undefined;
        out.distanceToEdgeM = -1;
        out.onBoundary = false;
      }
    }
    out.zones = this.zonesAt(x, y);
    return out;
  }

  /** False when no cell can be within the tolerance: the point's bucket is unmarked, or it is far off the raster. */
  private mayBeNear(x: number, y: number): boolean {
    const g = this.parts.cells.grid;
    const c = Math.floor((x - g.minX) * g.invW);
    const r = Math.floor((y - g.minY) * g.invH);
    if (c >= 0 && c < g.cols && r >= 0 && r < g.rows) return this.parts.nearCells[r * g.cols + c] === 1;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    const { kx, ky } = metresPerDegree(y);
    const dx = Math.max(g.minX - x, 0, x - (g.minX + g.cols * g.w)) * kx;
    const dy = Math.max(g.minY - y, 0, y - (g.minY + g.rows * g.h)) * ky;
    return Math.hypot(dx, dy) <= this.toleranceM * 1.01 + 1;
  }

  private setCell(out: LocateResult, p: number): void {
    const refs = this.parts.cellRefs[p]!;
    out.grid = refs.grid;
    out.community = refs.community;
    out.town = refs.town;
    out.district = refs.district;
  }

  /** The zones covering (x, y), as an interned frozen array (allocates only for rare long lists). */
  private zonesAt(x: number, y: number): ZoneRef[] {
    const zones = this.parts.zones;
    const code = zones.sparseBucketCode(x, y);
    if (code === EMPTY) return NO_ZONES;
    if (code >= 0) return this.zoneSingles[code]!;
    const o = -code - 2;
    const n = zones.lists[o]!;
    if (n > MAX_INTERNED_LIST) return this.zonesUncached(o, x, y);
    let mask = 0;
    for (let k = 0; k < n; k++) if (zones.entryCovers(o + 1 + 2 * k, x, y) !== OUTSIDE) mask |= 1 << k;
    if (mask === 0) return NO_ZONES;
    const key = o * LIST_KEY + mask;
    let found = this.zoneLists.get(key);
    if (found === undefined) {
      const picked: ZoneRef[] = [];
      for (let k = 0; k < n; k++) if (mask & (1 << k)) picked.push(this.parts.zoneRefs[zones.polygonAt(o + 1 + 2 * k)]!);
      found = Object.freeze(picked) as unknown as ZoneRef[];
      this.zoneLists.set(key, found);
    }
    return found;
  }

  private zonesUncached(o: number, x: number, y: number): ZoneRef[] {
    const zones = this.parts.zones;
    const picked: ZoneRef[] = [];
    for (let k = o + 1; k < o + 1 + 2 * zones.lists[o]!; k += 2) {
      if (zones.entryCovers(k, x, y) !== OUTSIDE) picked.push(this.parts.zoneRefs[zones.polygonAt(k)]!);
    }
    return picked;
  }
}

/** A result object with every field present, so all results share one hidden class. */
export function blankResult(): LocateResult {
  return {
    lon: 0,
    lat: 0,
    grid: null,
    community: null,
    town: null,
    district: null,
    zones: NO_ZONES,
    onBoundary: false,
    distanceToEdgeM: 0,
    fallback: undefined,
    fallbackDistanceM: undefined,
  };
}

function roundCm(m: number): number {
  return Math.round(m * 100) / 100;
}
