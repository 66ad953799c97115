import { clampedCol, clampedRow, type GridSpec } from './grid-spec.js';
import { BOUNDARY, INSIDE, OUTSIDE, type PackedPolygons, type PipResult } from './packed-polygons.js';

/** Bucket code: no polygon touches the bucket. */
export const EMPTY = -1;

/**
 * The cell-cover pre-index: a raster over a set of polygons where each bucket knows which
 * polygons may cover it. A bucket wholly inside exactly one polygon (no edge within the
 * margin) stores that polygon's index, so a point there needs no polygon test at all.
 * Any other bucket stores a list of entries: `p` for a polygon that covers the whole bucket,
 * `-(p + 1)` for one whose edges cross it (tested exactly, over one slab of edges). Each entry
 * carries the slab to test when the polygon is a single ring (most cells), so the test goes
 * straight to its 2–4 edges. Entries are in ascending polygon order.
 */
export class CoverIndex {
  readonly polys: PackedPolygons;
  readonly grid: GridSpec;
  /** Per bucket: EMPTY, a polygon index (≥ 0), or -(offset + 2) of a list in `lists`. */
  readonly codes: Int32Array;
  /** Lists: [n, entry₁, slab₁, …, entryₙ, slabₙ] (slab -1: use the general test). */
  readonly lists: Int32Array;
  /**
   * One bit per bucket, set when it is not EMPTY: 1/32 the size of `codes`, so for a sparse
   * layer (zones) the common "nothing here" answer stays in cache.
   */
  readonly occupied: Uint8Array;
  /** Set by {@link firstCovering}: how many polygons cover the point. */
  hits = 0;
  /** Set by {@link firstCovering}: the PostGIS answer for the polygon returned. */
  hitResult: PipResult = OUTSIDE;

  constructor(polys: PackedPolygons, grid: GridSpec) {
    this.polys = polys;
    this.grid = grid;
    const { cols, rows, w, h, minX, minY, margin } = grid;
    const nb = cols * rows;
    const stamp = new Int32Array(nb);
    let pairs = new Int32Array(1 << 16);
    let nPairs = 0;
    const push = (bucket: number, entry: number): void => {
      if (2 * nPairs + 2 > pairs.length) {
        const bigger = new Int32Array(pairs.length * 2);
        bigger.set(pairs);
        pairs = bigger;
      }
      pairs[2 * nPairs] = bucket;
      pairs[2 * nPairs + 1] = entry;
      nPairs++;
    };
    for (let p = 0; p < polys.count; p++) {
      const bx0 = polys.boxes[4 * p]!;
      if (Number.isNaN(bx0)) continue;
      const tag = p + 1;
      polys.forEachEdge(p, (x1, y1, x2, y2) => {
        const c0 = clampedCol(grid, Math.min(x1, x2) - margin);
        const c1 = clampedCol(grid, Math.max(x1, x2) + margin);
        const r0 = clampedRow(grid, Math.min(y1, y2) - margin);
        const r1 = clampedRow(grid, Math.max(y1, y2) + margin);
        for (let r = r0; r <= r1; r++) {
          const ry0 = minY + r * h - margin;
          const ry1 = minY + (r + 1) * h + margin;
          for (let c = c0; c <= c1; c++) {
            const b = r * cols + c;
            if (stamp[b] === tag) continue;
            if (!edgeTouchesRect(x1, y1, x2, y2, minX + c * w - margin, ry0, minX + (c + 1) * w + margin, ry1)) continue;
            stamp[b] = tag;
            push(b, -tag);
          }
        }
      });
      // Buckets of the box that no edge touches are wholly inside or wholly outside:
      // their centre decides, robustly, since every edge is at least `margin` away.
      const c0 = clampedCol(grid, bx0);
      const c1 = clampedCol(grid, polys.boxes[4 * p + 2]!);
      const r0 = clampedRow(grid, polys.boxes[4 * p + 1]!);
      const r1 = clampedRow(grid, polys.boxes[4 * p + 3]!);
      for (let r = r0; r <= r1; r++) {
        const cy = minY + (r + 0.5) * h;
        for (let c = c0; c <= c1; c++) {
          const b = r * cols + c;
          if (stamp[b] === tag) continue;
          const res = polys.pip(p, minX + (c + 0.5) * w, cy);
          if (res === INSIDE) push(b, p);
          else if (res === BOUNDARY) push(b, -tag);
        }
      }
    }
    // Group the (bucket, entry) pairs by bucket; a stable counting sort keeps polygon order.
    const start = new Int32Array(nb + 1);
    for (let i = 0; i < nPairs; i++) start[pairs[2 * i]! + 1]!++;
    for (let b = 0; b < nb; b++) start[b + 1]! += start[b]!;
    const sorted = new Int32Array(nPairs);
    const cursor = start.slice(0, nb);
    for (let i = 0; i < nPairs; i++) sorted[cursor[pairs[2 * i]!]!++] = pairs[2 * i + 1]!;
    this.codes = new Int32Array(nb);
    let listLen = 0;
    for (let b = 0; b < nb; b++) {
      const n = start[b + 1]! - start[b]!;
      if (n > 1 || (n === 1 && sorted[start[b]!]! < 0)) listLen += 2 * n + 1;
    }
    this.lists = new Int32Array(listLen);
    this.occupied = new Uint8Array((nb >> 3) + 1);
    let o = 0;
    for (let b = 0; b < nb; b++) {
      const s = start[b]!;
      const n = start[b + 1]! - s;
      if (n > 0) this.occupied[b >> 3]! |= 1 << (b & 7);
      if (n === 0) this.codes[b] = EMPTY;
      else if (n === 1 && sorted[s]! >= 0) this.codes[b] = sorted[s]!;
      else {
        this.codes[b] = -(o + 2);
        this.lists[o++] = n;
        const row = Math.floor(b / cols);
        for (let k = 0; k < n; k++) {
          const e = sorted[s + k]!;
          this.lists[o++] = e;
          this.lists[o++] = e >= 0 ? -1 : polys.singleRingSlab(-e - 1, row);
        }
      }
    }
  }

  /** The bucket code for a point (EMPTY outside the raster, and for NaN). */
  bucketCode(px: number, py: number): number {
    const g = this.grid;
    const c = Math.floor((px - g.minX) * g.invW);
    const r = Math.floor((py - g.minY) * g.invH);
    if (!(c >= 0 && c < g.cols && r >= 0 && r < g.rows)) return EMPTY;
    return this.codes[r * g.cols + c]!;
  }

  /** Like {@link bucketCode}, but reads the occupancy bits first: faster where most buckets are empty. */
  sparseBucketCode(px: number, py: number): number {
    const g = this.grid;
    const c = Math.floor((px - g.minX) * g.invW);
    const r = Math.floor((py - g.minY) * g.invH);
    if (!(c >= 0 && c < g.cols && r >= 0 && r < g.rows)) return EMPTY;
    const b = r * g.cols + c;
    if ((this.occupied[b >> 3]! & (1 << (b & 7))) === 0) return EMPTY;
    return this.codes[b]!;
  }

  /**
   * The lowest-index polygon covering (px, py) in the ST_Covers sense, or -1. Also sets
   * `hits` (how many polygons cover it) and `hitResult` (boundary or inside, for the one returned).
   */
  firstCovering(px: number, py: number): number {
    const code = this.bucketCode(px, py);
    if (code >= 0) {
      this.hits = 1;
      this.hitResult = INSIDE;
      return code;
    }
    this.hits = 0;
    this.hitResult = OUTSIDE;
    if (code === EMPTY) return -1;
    const o = -code - 2;
    const end = o + 1 + 2 * this.lists[o]!;
    let first = -1;
    for (let k = o + 1; k < end; k += 2) {
      const res = this.entryCovers(k, px, py);
      if (res === OUTSIDE) continue;
      if (++this.hits === 1) {
        first = this.polygonAt(k);
        this.hitResult = res;
      }
    }
    return first;
  }

  /** The polygon of the list entry at `lists[k]`. */
  polygonAt(k: number): number {
    const e = this.lists[k]!;
    return e >= 0 ? e : -e - 1;
  }

  /** PostGIS's answer for (px, py) against the list entry at `lists[k]`. */
  entryCovers(k: number, px: number, py: number): PipResult {
    const e = this.lists[k]!;
    if (e >= 0) return INSIDE;
    const slab = this.lists[k + 1]!;
    return slab >= 0 ? this.polys.slabPip(slab, px, py) : this.polys.pip(-e - 1, px, py);
  }
}

/**
 * Whether edge (x1, y1)–(x2, y2) may touch the rectangle: their boxes overlap and the four
 * corners are not all strictly on one side of the edge's line. Conservative by design: a
 * false "yes" only costs an exact test later, and the rectangle is already widened by a margin.
 */
function edgeTouchesRect(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  rx0: number,
  ry0: number,
  rx1: number,
  ry1: number,
): boolean {
  if (Math.max(x1, x2) < rx0 || Math.min(x1, x2) > rx1 || Math.max(y1, y2) < ry0 || Math.min(y1, y2) > ry1) return false;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const s1 = dx * (ry0 - y1) - (rx0 - x1) * dy;
  const s2 = dx * (ry0 - y1) - (rx1 - x1) * dy;
  const s3 = dx * (ry1 - y1) - (rx0 - x1) * dy;
  const s4 = dx * (ry1 - y1) - (rx1 - x1) * dy;
  if (s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0) return false;
  if (s1 < 0 && s2 < 0 && s3 < 0 && s4 < 0) return false;
  return true;
}
