import { boundingBoxes, clampedRow, type GridSpec, type MultiPolygonCoords } from './grid-spec.js';
import { metresPerDegree } from './metric.js';

/** Point-in-polygon answers, as PostGIS returns them internally. */
export const OUTSIDE = -1;
export const BOUNDARY = 0;
export const INSIDE = 1;
export type PipResult = -1 | 0 | 1;

/**
 * Multipolygons packed into typed arrays, with every ring's edges pre-sorted into the
 * horizontal slabs (rows) of a {@link GridSpec}.
 *
 * `pip` reproduces PostGIS's point-in-polygon test bit for bit (liblwgeom `intervaltree.c`,
 * used by ST_Covers / ST_Contains / ST_Intersects for point-vs-polygon since 3.5, and the same
 * winding-number arithmetic as `point_in_multipolygon_rtree` before): the same side formula
 * evaluated in IEEE doubles, `side == 0` plus an inclusive segment box for "on the boundary",
 * half-open winding conditions, zero-length edges skipped, rings with < 4 points skipped.
 * Only edges whose y-range holds the point can change that answer, and a slab lists exactly
 * those (plus a few more), so the answer is identical while visiting 2–4 edges per ring.
 */
export class PackedPolygons {
  readonly count: number;
  /** All ring vertices, [x0, y0, x1, y1, …]; the rings of one multipolygon are contiguous. */
  readonly xy: Float64Array;
  /** Per multipolygon p, 4 ints: first ring, end ring, first vertex, end vertex. */
  readonly polyMeta: Int32Array;
  /** Bounding boxes, [minX, minY, maxX, maxY] per multipolygon (NaN for an empty one). */
  readonly boxes: Float64Array;
  private readonly grid: GridSpec;
  /**
   * Per ring, 6 ints: first vertex, end vertex, first slab row, slab row count, offset of its
   * slabs in `slabStart`, 1 for a shell (the first ring of a polygon part) or 0 for a hole.
   * Interleaved so one lookup touches one cache line, not six arrays.
   */
  private readonly ringMeta: Int32Array;
  private readonly slabStart: Int32Array;
  /**
   * The edges of each slab as [x1, y1, x2, y2] copies, slab after slab: the edges a test reads
   * sit in one or two cache lines instead of scattered over the vertex array.
   */
  private readonly slabXY: Float64Array;
  /** Metres per degree east / north at each raster row's centre latitude. */
  private readonly rowKx: Float64Array;
  private readonly rowKy: Float64Array;
  /** Set by {@link measureEdgeDistance}. */
  edgeDistanceM = 0;

  constructor(polygons: readonly MultiPolygonCoords[], grid: GridSpec) {
    this.grid = grid;
    this.count = polygons.length;
    let nV = 0;
    let nR = 0;
    for (const mp of polygons) {
      for (const poly of mp) {
        if (!usableRing(poly[0])) continue;
        for (const ring of poly) {
          if (!usableRing(ring)) continue;
          nR++;
          nV += ring.length;
        }
      }
    }
    this.xy = new Float64Array(2 * nV);
    this.polyMeta = new Int32Array(4 * this.count);
    this.ringMeta = new Int32Array(6 * nR);
    this.boxes = boundingBoxes(polygons);
    this.rowKx = new Float64Array(grid.rows);
    this.rowKy = new Float64Array(grid.rows);
    for (let row = 0; row < grid.rows; row++) {
      const { kx, ky } = metresPerDegree(grid.minY + (row + 0.5) * grid.h);
      this.rowKx[row] = kx;
      this.rowKy[row] = ky;
    }
    const meta = this.ringMeta;
    let v = 0;
    let r = 0;
    polygons.forEach((mp, p) => {
      this.polyMeta[4 * p] = r;
      this.polyMeta[4 * p + 2] = v;
      for (const poly of mp) {
        if (!usableRing(poly[0])) continue;
        let shell = 1;
        for (const ring of poly) {
          if (!usableRing(ring)) continue;
          meta[6 * r] = v;
          meta[6 * r + 5] = shell;
          shell = 0;
          for (const pt of ring) {
            this.xy[2 * v] = pt[0]!;
            this.xy[2 * v + 1] = pt[1]!;
            v++;
          }
          meta[6 * r + 1] = v;
          r++;
        }
      }
      this.polyMeta[4 * p + 1] = r;
      this.polyMeta[4 * p + 3] = v;
    });

    // Slabs: rows each ring spans, then count the edges per (ring, row), then fill.
    let slabs = 0;
    for (let ring = 0; ring < nR; ring++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = meta[6 * ring]!; i < meta[6 * ring + 1]!; i++) {
        const y = this.xy[2 * i + 1]!;
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      }
      const r0 = clampedRow(grid, lo - grid.margin);
      const r1 = clampedRow(grid, hi + grid.margin);
      meta[6 * ring + 2] = r0;
      meta[6 * ring + 3] = r1 - r0 + 1;
      meta[6 * ring + 4] = slabs;
      slabs += r1 - r0 + 2;
    }
    const slabOf = (ring: number, row: number): number => meta[6 * ring + 4]! + row - meta[6 * ring + 2]!;
    const counts = new Int32Array(slabs);
    this.forEachEdgeRow(nR, (ring, row) => {
      counts[slabOf(ring, row)]!++;
    });
    this.slabStart = new Int32Array(slabs);
    let total = 0;
    for (let ring = 0; ring < nR; ring++) {
      const base = meta[6 * ring + 4]!;
      const n = meta[6 * ring + 3]!;
      for (let k = 0; k <= n; k++) {
        this.slabStart[base + k] = total;
        if (k < n) total += counts[base + k]!;
      }
    }
    this.slabXY = new Float64Array(4 * total);
    const fill = new Int32Array(slabs);
    this.forEachEdgeRow(nR, (ring, row, i) => {
      const s = slabOf(ring, row);
      this.slabXY.set(this.xy.subarray(2 * i, 2 * i + 4), 4 * (this.slabStart[s]! + fill[s]!++));
    });
  }

  /** Calls `fn(ring, row, i)` for every usable edge i → i+1 and every slab row it may touch. */
  private forEachEdgeRow(nR: number, fn: (ring: number, row: number, i: number) => void): void {
    const { xy, grid, ringMeta } = this;
    for (let ring = 0; ring < nR; ring++) {
      for (let i = ringMeta[6 * ring]!; i < ringMeta[6 * ring + 1]! - 1; i++) {
        if (!usableEdge(xy, i)) continue;
        const ya = xy[2 * i + 1]!;
        const yb = xy[2 * i + 3]!;
        const r0 = clampedRow(grid, Math.min(ya, yb) - grid.margin);
        const r1 = clampedRow(grid, Math.max(ya, yb) + grid.margin);
        for (let row = r0; row <= r1; row++) fn(ring, row, i);
      }
    }
  }

  /** PostGIS's answer for point (px, py) against multipolygon p: -1 outside, 0 boundary, 1 inside. */
  pip(p: number, px: number, py: number): PipResult {
    const row = Math.floor((py - this.grid.minY) * this.grid.invH);
    if (!(row >= 0 && row < this.grid.rows)) return OUTSIDE;
    const meta = this.ringMeta;
    const end = this.polyMeta[4 * p + 1]!;
    let ring = this.polyMeta[4 * p]!;
    while (ring < end) {
      // `ring` is a shell; its holes follow it until the next shell.
      const outer = this.ringPip(ring, row, px, py);
      if (outer === BOUNDARY) return BOUNDARY;
      ring++;
      if (outer === INSIDE) {
        let inHole = false;
        for (; ring < end && meta[6 * ring + 5] === 0; ring++) {
          const h = this.ringPip(ring, row, px, py);
          if (h === BOUNDARY) return BOUNDARY;
          if (h === INSIDE) {
            inHole = true;
            break;
          }
        }
        if (!inHole) return INSIDE;
      }
      while (ring < end && meta[6 * ring + 5] === 0) ring++;
    }
    return OUTSIDE;
  }

  /** Winding-number test of one ring, over the edges of one slab only. */
  private ringPip(ring: number, row: number, px: number, py: number): PipResult {
    const meta = this.ringMeta;
    const k = row - meta[6 * ring + 2]!;
    if (k < 0 || k >= meta[6 * ring + 3]!) return OUTSIDE;
    return this.slabPip(meta[6 * ring + 4]! + k, px, py);
  }

  /**
   * The slab of multipolygon p's only ring at raster row `row`, or -1 when p has holes or
   * several parts, or no edge in that row. For a one-ring polygon `slabPip` on it is `pip`.
   */
  singleRingSlab(p: number, row: number): number {
    const ring = this.polyMeta[4 * p]!;
    if (this.polyMeta[4 * p + 1]! - ring !== 1) return -1;
    const k = row - this.ringMeta[6 * ring + 2]!;
    return k < 0 || k >= this.ringMeta[6 * ring + 3]! ? -1 : this.ringMeta[6 * ring + 4]! + k;
  }

  /** PostGIS's winding-number test of one ring against (px, py), over the edges of slab `s`. */
  slabPip(s: number, px: number, py: number): PipResult {
    const end = 4 * this.slabStart[s + 1]!;
    const e4 = this.slabXY;
    let wn = 0;
    for (let e = 4 * this.slabStart[s]!; e < end; e += 4) {
      const x1 = e4[e]!;
      const y1 = e4[e + 1]!;
      const x2 = e4[e + 2]!;
      const y2 = e4[e + 3]!;
      // Same expression, same evaluation order as liblwgeom's itree_segment_side.
      const side = (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1);
      if (
        side === 0 &&
        px >= (x1 < x2 ? x1 : x2) &&
        px <= (x1 > x2 ? x1 : x2) &&
        py >= (y1 < y2 ? y1 : y2) &&
        py <= (y1 > y2 ? y1 : y2)
      ) {
        return BOUNDARY;
      }
      if (y1 <= py && py < y2 && side > 0) wn++;
      else if (y2 <= py && py < y1 && side < 0) wn--;
    }
    return wn === 0 ? OUTSIDE : INSIDE;
  }

  /**
   * Metres from (px, py) to the nearest edge of multipolygon p, in the local plane at the
   * point's latitude (metres per degree from the raster row's table). The answer is left in
   * `edgeDistanceM` rather than returned: a returned double is boxed on the heap when V8 does
   * not inline the call, and this runs on every lookup.
   */
  measureEdgeDistance(p: number, px: number, py: number): void {
    const row = clampedRow(this.grid, py);
    const kx = this.rowKx[row]!;
    const ky = this.rowKy[row]!;
    const xy = this.xy;
    const r0 = this.polyMeta[4 * p]!;
    const r1 = this.polyMeta[4 * p + 1]!;
    const single = r1 - r0 === 1;
    let best = Infinity;
    for (let ring = r0; ring < r1; ring++) {
      // A one-ring polygon's vertex range is in polyMeta: no ring-table read.
      const v0 = single ? this.polyMeta[4 * p + 2]! : this.ringMeta[6 * ring]!;
      const v1 = single ? this.polyMeta[4 * p + 3]! : this.ringMeta[6 * ring + 1]!;
      let bx = (xy[2 * v0]! - px) * kx;
      let by = (xy[2 * v0 + 1]! - py) * ky;
      for (let i = v0 + 1; i < v1; i++) {
        const ax = bx;
        const ay = by;
        bx = (xy[2 * i]! - px) * kx;
        by = (xy[2 * i + 1]! - py) * ky;
        const dx = bx - ax;
        const dy = by - ay;
        const len2 = dx * dx + dy * dy;
        let t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const cx = ax + t * dx;
        const cy = ay + t * dy;
        const d2 = cx * cx + cy * cy;
        if (d2 < best) best = d2;
      }
    }
    this.edgeDistanceM = Math.sqrt(best);
  }

  /** Calls `fn(x1, y1, x2, y2)` for every usable edge of multipolygon p (for building indexes). */
  forEachEdge(p: number, fn: (x1: number, y1: number, x2: number, y2: number) => void): void {
    const xy = this.xy;
    for (let ring = this.polyMeta[4 * p]!; ring < this.polyMeta[4 * p + 1]!; ring++) {
      for (let i = this.ringMeta[6 * ring]!; i < this.ringMeta[6 * ring + 1]! - 1; i++) {
        if (usableEdge(xy, i)) fn(xy[2 * i]!, xy[2 * i + 1]!, xy[2 * i + 2]!, xy[2 * i + 3]!);
      }
    }
  }
}

/** PostGIS skips rings of fewer than 4 points (not a closed area). */
function usableRing(ring: number[][] | undefined): ring is number[][] {
  return ring !== undefined && ring.length >= 4;
}

/** PostGIS skips zero-length and non-finite edges. */
function usableEdge(xy: Float64Array, i: number): boolean {
  const x1 = xy[2 * i]!;
  const y1 = xy[2 * i + 1]!;
  const x2 = xy[2 * i + 2]!;
  const y2 = xy[2 * i + 3]!;
  if (x1 === x2 && y1 === y2) return false;
  return Number.isFinite(x1) && Number.isFinite(y1) && Number.isFinite(x2) && Number.isFinite(y2);
}
