/** MultiPolygon coordinates as GeoJSON nests them. */
export type MultiPolygonCoords = number[][][][];

/**
 * A uniform raster over a set of polygons (WGS84 degrees). Its rows also slice every ring
 * into horizontal slabs, so a point-in-polygon test only visits the edges of one slab.
 */
export interface GridSpec {
  minX: number;
  minY: number;
  cols: number;
  rows: number;
  /** Bucket width and height, degrees. */
  w: number;
  h: number;
  invW: number;
  invH: number;
  /**
   * Degrees every bucket and slab is widened by when edges are assigned to it. It must exceed
   * the rounding error of `(x - minX) * invW` (≈1e-13° here) so a point that rounds into a
   * neighbouring bucket still finds every edge that could touch it. 1e-9° is ≈0.1 mm.
   */
  margin: number;
}

const MARGIN_DEG = 1e-9;

/**
 * Chooses the raster for a set of bounding boxes (flat [minX, minY, maxX, maxY] × n):
 * buckets an eighth of the median box side, so most buckets fall wholly inside one
 * polygon, capped at `maxBuckets` to bound memory (4 bytes a bucket).
 */
export function chooseGrid(boxes: Float64Array, count: number, maxBuckets: number): GridSpec {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const sides: number[] = [];
  for (let i = 0; i < count; i++) {
    const x0 = boxes[4 * i]!;
    const y0 = boxes[4 * i + 1]!;
    const x1 = boxes[4 * i + 2]!;
    const y1 = boxes[4 * i + 3]!;
    if (!(x0 <= x1 && y0 <= y1)) continue; // an empty polygon has NaN bounds
    if (x0 < minX) minX = x0;
    if (y0 < minY) minY = y0;
    if (x1 > maxX) maxX = x1;
    if (y1 > maxY) maxY = y1;
    sides.push(Math.sqrt(Math.max(x1 - x0, 1e-9) * Math.max(y1 - y0, 1e-9)));
  }
  if (sides.length === 0) return { minX: 0, minY: 0, cols: 1, rows: 1, w: 1, h: 1, invW: 1, invH: 1, margin: MARGIN_DEG };
  sides.sort((a, b) => a - b);
  const median = sides[sides.length >> 1]!;
  // Pad the extent so points on the outermost edges still fall inside the raster.
  minX -= 2 * MARGIN_DEG;
  minY -= 2 * MARGIN_DEG;
  maxX += 2 * MARGIN_DEG;
  maxY += 2 * MARGIN_DEG;
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  let side = median / 8;
  const needed = (spanX / side) * (spanY / side);
  if (needed > maxBuckets) side *= Math.sqrt(needed / maxBuckets);
  const cols = Math.max(1, Math.ceil(spanX / side));
  const rows = Math.max(1, Math.ceil(spanY / side));
  const w = spanX / cols;
  const h = spanY / rows;
  return { minX, minY, cols, rows, w, h, invW: 1 / w, invH: 1 / h, margin: MARGIN_DEG };
}

/** Row of the raster holding latitude `y`, clamped to the raster (for building, not lookups). */
export function clampedRow(grid: GridSpec, y: number): number {
  const r = Math.floor((y - grid.minY) * grid.invH);
  return r < 0 ? 0 : r >= grid.rows ? grid.rows - 1 : r;
}

/** Column of the raster holding longitude `x`, clamped to the raster (for building, not lookups). */
export function clampedCol(grid: GridSpec, x: number): number {
  const c = Math.floor((x - grid.minX) * grid.invW);
  return c < 0 ? 0 : c >= grid.cols ? grid.cols - 1 : c;
}

/** Bounding boxes of multipolygons, flat [minX, minY, maxX, maxY] × n (NaN for an empty one). */
export function boundingBoxes(geometries: readonly MultiPolygonCoords[]): Float64Array {
  const boxes = new Float64Array(4 * geometries.length).fill(NaN);
  geometries.forEach((mp, i) => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const poly of mp) {
      for (const ring of poly) {
        for (const pt of ring) {
          const x = pt[0]!;
          const y = pt[1]!;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x0 <= x1) boxes.set([x0, y0, x1, y1], 4 * i);
  });
  return boxes;
}
