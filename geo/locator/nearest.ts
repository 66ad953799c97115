import Flatbush from 'flatbush';
import type { GridSpec } from './grid-spec.js';
import { metresPerDegree } from './metric.js';
import type { PackedPolygons } from './packed-polygons.js';

/**
 * Nearest polygon to a point that no polygon covers (a gap, or just outside the city):
 * a flatbush index over the polygons' bounding boxes narrows the candidates, then the
 * distance to each candidate's edges decides. Distances are metres in the local plane at
 * the point (see `PackedPolygons.measureEdgeDistance`). Ties go to the lower polygon index.
 * Not on the hot path: covered points never come here.
 */
export class NearestPolygon {
  /** Distance (metres) to the polygon the last call returned; Infinity when it returned -1. */
  distanceM = Infinity;
  private readonly index: Flatbush | null;
  private readonly ids: Int32Array;

  constructor(private readonly polys: PackedPolygons) {
    const ids: number[] = [];
    for (let p = 0; p < polys.count; p++) if (!Number.isNaN(polys.boxes[4 * p]!)) ids.push(p);
    this.ids = Int32Array.from(ids);
    if (ids.length === 0) {
      this.index = null;
      return;
    }
    const index = new Flatbush(ids.length);
    for (const p of ids) index.add(polys.boxes[4 * p]!, polys.boxes[4 * p + 1]!, polys.boxes[4 * p + 2]!, polys.boxes[4 * p + 3]!);
    index.finish();
    this.index = index;
  }

  /** The nearest polygon within `maxM` metres of (px, py), or -1. */
  within(px: number, py: number, maxM: number): number {
    const p = this.nearestInBox(px, py, maxM);
    if (p >= 0 && this.distanceM <= maxM) return p;
    this.distanceM = Infinity;
    return -1;
  }

  private nearestInBox(px: number, py: number, radiusM: number): number {
    this.distanceM = Infinity;
    if (!this.index || !Number.isFinite(px) || !Number.isFinite(py)) return -1;
    const { kx, ky } = metresPerDegree(py);
    const rx = radiusM / kx;
    const ry = radiusM / ky;
    let best = -1;
    for (const k of this.index.search(px - rx, py - ry, px + rx, py + ry)) {
      const p = this.ids[k]!;
      this.polys.measureEdgeDistance(p, px, py);
      const d = this.polys.edgeDistanceM;
      if (d < this.distanceM || (d === this.distanceM && p < best)) {
        this.distanceM = d;
        best = p;
      }
    }
    return best;
  }
}

/**
 * Which raster buckets lie within `toleranceM` of any bucket a polygon touches: a point in an
 * unmarked bucket is 'outside' without a search (the sea around a coastal city is most of them).
 * Conservative: dilation by whole buckets, using the smallest metres-per-degree in the raster.
 */
export function nearMask(codes: Int32Array, grid: GridSpec, toleranceM: number, empty: number): Uint8Array {
  const { cols, rows } = grid;
  const lats = [grid.minY, grid.minY + rows * grid.h];
  const kx = Math.min(...lats.map((lat) => metresPerDegree(lat).kx));
  const ky = Math.min(...lats.map((lat) => metresPerDegree(lat).ky));
  const rx = Math.ceil(toleranceM / (kx * grid.w)) + 1;
  const ry = Math.ceil(toleranceM / (ky * grid.h)) + 1;
  const horizontal = new Uint8Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let c = 0; c < cols + rx; c++) {
      if (c < cols && codes[r * cols + c] !== empty) count++;
      const gone = c - 2 * rx - 1;
      if (gone >= 0 && gone < cols && codes[r * cols + gone] !== empty) count--;
      const at = c - rx;
      if (at >= 0 && at < cols && count > 0) horizontal[r * cols + at] = 1;
    }
  }
  const mask = new Uint8Array(cols * rows);
  for (let c = 0; c < cols; c++) {
    let count = 0;
    for (let r = 0; r < rows + ry; r++) {
      if (r < rows) count += horizontal[r * cols + c]!;
      const gone = r - 2 * ry - 1;
      if (gone >= 0 && gone < rows) count -= horizontal[gone * cols + c]!;
      const at = r - ry;
      if (at >= 0 && at < rows && count > 0) mask[at * cols + c] = 1;
    }
  }
  return mask;
}
