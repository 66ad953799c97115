import type { DistrictOutline } from './districts.js';
import { toDegrees, toMetric } from './frame.js';
import { bboxOf, inMultiPolygon, type Position } from './geometry.js';
import { URBAN_CORES, cellSpacingM } from './plan.js';
import type { Rng } from './prng.js';

/** The coarsest quadtree square (metres): the largest rural cell spacing, doubled. */
const ROOT_M = 2400;

/** Kilometres from a point (metres) to the edge of the nearest urban core (negative inside). */
function outsideCoreKm(p: Position): number {
  let best = Infinity;
  for (const c of URBAN_CORES) {
    const [cx, cy] = toMetric([c.lon, c.lat]);
    best = Math.min(best, Math.hypot(p[0] - cx, p[1] - cy) / 1000 - c.radiusKm);
  }
  return best;
}

/**
 * Places one grid-cell seed (WGS84) per leaf of a quadtree that is refined until each square
 * is no larger than the local cell spacing, so urban cores get ≈300 m cells and the
 * countryside ≈1.2 km ones. Each seed is jittered inside its square (looks organic, stays
 * well spread) and kept only if it falls inside the district.
 */
export function placeSeeds(district: DistrictOutline, urban: boolean, rng: Rng): Position[] {
  const [minLon, minLat, maxLon, maxLat] = bboxOf(district.coordinates);
  const [x0, y0] = toMetric([minLon, minLat]);
  const [x1, y1] = toMetric([maxLon, maxLat]);
  const seeds: Position[] = [];
  const visit = (x: number, y: number, size: number): void => {
    const centre: Position = [x + size / 2, y + size / 2];
    if (size > cellSpacingM(outsideCoreKm(centre), urban)) {
      const h = size / 2;
      visit(x, y, h);
      visit(x + h, y, h);
      visit(x, y + h, h);
      visit(x + h, y + h, h);
      return;
    }
    const p = toDegrees([centre[0] + (rng.next() - 0.5) * 0.6 * size, centre[1] + (rng.next() - 0.5) * 0.6 * size]);
    if (inMultiPolygon(p[0], p[1], district.coordinates)) seeds.push(p);
  };
  // Align the root squares to a city-wide lattice so neighbouring districts refine alike.
  for (let x = Math.floor(x0 / ROOT_M) * ROOT_M; x < x1; x += ROOT_M) {
    for (let y = Math.floor(y0 / ROOT_M) * ROOT_M; y < y1; y += ROOT_M) visit(x, y, ROOT_M);
  }
  return seeds;
}
