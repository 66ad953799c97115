import Flatbush from 'flatbush';
import { metresPerDegree } from './metric.js';
import type { PackedPolygons } from './packed-polygons.js';

/**
 * Nearest polygon to a point that no polygon covers (a gap, or just outside the city):
 * a flatbush index over the polygons' bounding boxes narrows the candidates, then the
 * distance to each candidate's edges decides. Distances are metres in the local plane at
 * the point's latitude (see `metresPerDegree`). Ties go to the lower polygon index.
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

  /** The nearest polygon at any distance (widening the search until it is exact), or -1 if there are none. */
  anywhere(px: number, py: number, startM: number): number {
    if (!this.index || !Number.isFinite(px) || !Number.isFinite(py)) {
      this.distanceM = Infinity;
      return -1;
    }
    let r = Math.max(startM, 1);
    for (let round = 0; round < 64; round++) {
      const p = this.nearestInBox(px, py, r);
      // Every polygon closer than r has its box in the search box, so a hit within r is exact.
      if (p >= 0 && this.distanceM <= r) return p;
      r = p >= 0 ? this.distanceM : r * 4;
    }
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
      const d = this.polys.distanceToEdges(p, px, py, kx, ky);
      if (d < this.distanceM || (d === this.distanceM && p < best)) {
        this.distanceM = d;
        best = p;
      }
    }
    return best;
  }
}
