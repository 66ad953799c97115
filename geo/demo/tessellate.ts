import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { toDegrees, toMetric } from './frame.js';
import { bboxOf, inMultiPolygon, orient, type MultiPolygonCoords, type Position, type Ring } from './geometry.js';

/** Vertices closer than this (degrees, ≈10 µm) are the same vertex computed twice. */
const SNAP = 1e-10;

/** Canonicalises nearly-equal vertices so neighbouring cells share them bit for bit. */
class VertexSnapper {
  private readonly seen = new Map<string, Position>();

  snap(p: Position): Position {
    const kx = Math.round(p[0] / SNAP);
    const ky = Math.round(p[1] / SNAP);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const hit = this.seen.get(`${kx + dx},${ky + dy}`);
        if (hit && Math.abs(hit[0] - p[0]) <= SNAP && Math.abs(hit[1] - p[1]) <= SNAP) return hit;
      }
    }
    this.seen.set(`${kx},${ky}`, p);
    return p;
  }
}

function dedupeRing(ring: Ring): Ring | null {
  const out: Ring = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out.length >= 4 ? out : null;
}

/** True when a convex cell lies wholly inside the district, so it needs no clipping. */
function whollyInside(cell: Ring, district: MultiPolygonCoords, districtVertices: Position[]): boolean {
  if (!cell.every(([x, y]) => inMultiPolygon(x, y, district))) return false;
  // Every cell vertex is inside; the border could still poke in as a spike, whose tip is a
  // district vertex inside the cell's box.
  const b = bboxOf([[cell]]);
  return !districtVertices.some(([x, y]) => x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]);
}

/**
 * The part of the district around a cell: only the district's polygons near the cell, each cut
 * to a box a little larger than the cell. The clip result is the same (the cell lies inside
 * the box) but polygon clipping then handles dozens of segments instead of a whole coastline.
 */
function nearbyDistrict(cell: Ring, district: MultiPolygonCoords): Feature<MultiPolygon> {
  const [x0, y0, x1, y1] = bboxOf([[cell]]);
  const m = Math.max(x1 - x0, y1 - y0) * 0.1;
  const box: [number, number, number, number] = [x0 - m, y0 - m, x1 + m, y1 + m];
  const parts: MultiPolygonCoords = [];
  for (const poly of district) {
    const [a, b, c, d] = bboxOf([poly]);
    if (a > box[2] || c < box[0] || b > box[3] || d < box[1]) continue;
    const cut = turf.bboxClip(turf.polygon(poly), box).geometry.coordinates as Ring[];
    if (cut.length && cut[0]!.length >= 4) parts.push(cut);
  }
  return turf.multiPolygon(parts);
}

/**
 * Partitions a district into Voronoi cells around `seeds` (WGS84), clipped to the district,
 * one multipolygon per seed in seed order. Neighbouring cells share their vertices exactly
 * (same doubles), so the cells tile the district without overlaps, and unions can be built
 * by cancelling shared edges.
 */
export function tessellate(seeds: Position[], district: MultiPolygonCoords): MultiPolygonCoords[] {
  const metric = seeds.map(toMetric);
  // The diagram must reach every island of the district, however far from the nearest seed.
  const [minLon, minLat, maxLon, maxLat] = bboxOf(district);
  const [x0, y0] = toMetric([minLon, minLat]);
  const [x1, y1] = toMetric([maxLon, maxLat]);
  const pad = 1000;
  const voronoi = turf.voronoi(turf.featureCollection(metric.map((p) => turf.point(p))), { bbox: [x0 - pad, y0 - pad, x1 + pad, y1 + pad] });
  const districtVertices = district.flatMap((poly) => poly.flatMap((ring) => ring));
  const snapper = new VertexSnapper();
  return voronoi.features.map((cell, i) => {
    const ring = cell.geometry.coordinates[0]!.map((p) => toDegrees(p as Position));
    let parts: MultiPolygonCoords;
    if (whollyInside(ring, district, districtVertices)) {
      parts = [[ring]];
    } else {
      const clipped = turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([turf.polygon([ring]), nearbyDistrict(ring, district)])) as Feature<
        Polygon | MultiPolygon
      > | null;
      if (!clipped) throw new Error(`Tessellating: the cell of seed ${i} (${seeds[i]!.join(', ')}) lies outside its district`);
      parts = clipped.geometry.type === 'Polygon' ? [clipped.geometry.coordinates as Ring[]] : (clipped.geometry.coordinates as Ring[][]);
    }
    const snapped = parts
      .map((poly) => poly.map((r) => dedupeRing(r.map((p) => snapper.snap(p)))).filter((r): r is Ring => r !== null))
      .filter((poly) => poly.length > 0);
    return orient(snapped);
  });
}
