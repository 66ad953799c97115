/**
 * Probe points for the locator and the comparison of its answers with PostGIS's.
 */
import type pg from 'pg';
import type { LocatorData } from '../../../geo/locator/build-locator.js';
import { compareCodes } from '../../../geo/locator/build-locator.js';
import type { MultiPolygonCoords } from '../../../geo/locator/grid-spec.js';
import type { Locator } from '../../../geo/locator/locator.js';
import { coveringCells, coveringZones, edgeDistances, nearbyCells } from './layers.js';
import { prng } from './voronoi-city.js';

export type ProbeKind = 'inside' | 'edge' | 'vertex' | 'gap' | 'near-outside' | 'far-outside';

export interface Probes {
  xs: number[];
  ys: number[];
  kinds: ProbeKind[];
}

/**
 * Deterministic probe points: uniform over the box, exactly on cell edges (interpolated, so
 * often a rounding hair off the line: PostGIS decides which), exactly on vertices, inside
 * gap polygons (convex combinations of their vertices), just outside the box (≤ 700 m) and far.
 */
export function probePoints(
  data: LocatorData,
  gaps: readonly MultiPolygonCoords[],
  bbox: [number, number, number, number],
  seed: number,
  counts: Record<ProbeKind, number>,
): Probes {
  const rand = prng(seed);
  const probes: Probes = { xs: [], ys: [], kinds: [] };
  const add = (x: number, y: number, kind: ProbeKind): void => {
    probes.xs.push(x);
    probes.ys.push(y);
    probes.kinds.push(kind);
  };
  const [x0, y0, x1, y1] = bbox;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const ringOf = (g: MultiPolygonCoords): number[][] => pick(pick(g));
  for (let i = 0; i < counts.inside; i++) add(x0 + rand() * (x1 - x0), y0 + rand() * (y1 - y0), 'inside');
  for (let i = 0; i < counts.edge; i++) {
    const ring = ringOf(pick(data.cells).geometry);
    const k = Math.floor(rand() * (ring.length - 1));
    const [ax, ay] = ring[k] as [number, number];
    const [bx, by] = ring[k + 1] as [number, number];
    const t = i % 3 === 0 ? 0.5 : rand();
    add(ax + t * (bx - ax), ay + t * (by - ay), 'edge');
  }
  for (let i = 0; i < counts.vertex; i++) {
    const [x, y] = pick(ringOf(pick(data.cells).geometry)) as [number, number];
    add(x, y, 'vertex');
  }
  for (let i = 0; i < counts.gap && gaps.length; i++) {
    const ring = pick(gaps)[0]![0]!;
    const a = pick(ring);
    const b = pick(ring);
    const c = pick(ring);
    let u = rand();
    let v = rand();
    if (u + v > 1) [u, v] = [1 - u, 1 - v];
    add(a[0]! + u * (b[0]! - a[0]!) + v * (c[0]! - a[0]!), a[1]! + u * (b[1]! - a[1]!) + v * (c[1]! - a[1]!), 'gap');
  }
  const metresLon = 96_000;
  for (let i = 0; i < counts['near-outside']; i++) {
    const off = (rand() * 700) / metresLon;
    const along = rand();
    const side = i % 4;
    if (side === 0) add(x0 - off, y0 + along * (y1 - y0), 'near-outside');
    else if (side === 1) add(x1 + off, y0 + along * (y1 - y0), 'near-outside');
    else if (side === 2) add(x0 + along * (x1 - x0), y0 - off * 0.87, 'near-outside');
    else add(x0 + along * (x1 - x0), y1 + off * 0.87, 'near-outside');
  }
  for (let i = 0; i < counts['far-outside']; i++) {
    const off = (2_000 + rand() * 50_000) / metresLon;
    add(i % 2 ? x1 + off : x0 - off, y0 + rand() * (y1 - y0), 'far-outside');
  }
  return probes;
}

/** Allowed difference between the locator's local-plane distance and PostGIS's geodesic one. */
export function distanceSlack(m: number): number {
  return 0.5 + 0.003 * m;
}

/**
 * Locates every probe in memory and checks it against PostGIS on the same data:
 * - covered points: the cell is the lowest code (C order) among those ST_Covers finds, and
 *   `onBoundary` is set exactly when several cells cover it or it is not ST_Contains'd;
 * - uncovered points: 'nearest' with a cell at the smallest geodesic distance (within the
 *   slack) when that distance is within the tolerance, 'outside' when clearly beyond it;
 * - zones: exactly the zones ST_Covers finds;
 * - distanceToEdgeM of up to 3,000 covered points: the geodesic distance to the cell's boundary.
 * Returns one line per disagreement, and counts per kind of answer.
 */
export async function compareWithPostgis(
  pool: pg.Pool,
  locator: Locator,
  probes: Probes,
): Promise<{ mismatches: string[]; tally: Record<string, number> }> {
  const { xs, ys, kinds } = probes;
  const covers = await coveringCells(pool, xs, ys);
  const zones = await coveringZones(pool, xs, ys);
  const uncovered = covers.flatMap((c, i) => (c.length ? [] : [i]));
  const near = await nearbyCells(
    pool,
    uncovered.map((i) => xs[i]!),
    uncovered.map((i) => ys[i]!),
    0.008,
  );
  const nearOf = new Map(uncovered.map((i, k) => [i, near[k]!]));
  const tol = locator.toleranceM;
  const mismatches: string[] = [];
  const tally: Record<string, number> = {};
  const count = (k: string): void => {
    tally[k] = (tally[k] ?? 0) + 1;
  };
  for (let i = 0; i < xs.length; i++) {
    const r = locator.locate(xs[i]!, ys[i]!);
    const where = `${kinds[i]} point #${i} (${xs[i]}, ${ys[i]})`;
    const hits = covers[i]!.sort((a, b) => compareCodes(a.code, b.code));
    if (hits.length) {
      const want = hits[0]!;
      const wantBoundary = hits.length > 1 || !want.interior;
      count(wantBoundary ? 'covered, on a boundary' : 'covered, interior');
      if (r.fallback || r.grid?.code !== want.code || r.onBoundary !== wantBoundary) {
        mismatches.push(`${where}: PostGIS covers ${JSON.stringify(hits)}, locator ${r.grid?.code} onBoundary=${r.onBoundary} fallback=${r.fallback}`);
      }
    } else {
      const dists = nearOf.get(i)!;
      let best = Infinity;
      for (const d of dists.values()) best = Math.min(best, d);
      if (best <= tol - distanceSlack(tol)) {
        count('gap or just outside → nearest');
        const d = r.grid ? dists.get(r.grid.code) : undefined;
        if (r.fallback !== 'nearest' || d === undefined || d > best + distanceSlack(best) || Math.abs(r.fallbackDistanceM! - d) > distanceSlack(d)) {
          mismatches.push(`${where}: PostGIS nearest is ${best.toFixed(2)} m, locator ${r.fallback} ${r.grid?.code} at ${r.fallbackDistanceM} m (PostGIS says ${d})`);
        }
      } else if (best > tol + distanceSlack(tol)) {
        count('outside');
        if (r.fallback !== 'outside' || r.grid !== null) mismatches.push(`${where}: PostGIS nearest is ${best} m, locator ${r.fallback} ${r.grid?.code}`);
      } else {
        count('at the tolerance (either answer accepted)');
        if ((r.fallback === 'nearest') !== (r.grid !== null)) mismatches.push(`${where}: inconsistent fallback ${r.fallback} with grid ${r.grid?.code}`);
      }
    }
    const wantZones = zones[i]!.sort(compareCodes).join(',');
    const gotZones = r.zones.map((z) => z.code).sort(compareCodes).join(',');
    if (wantZones) count('in a zone');
    if (wantZones !== gotZones) mismatches.push(`${where}: PostGIS zones [${wantZones}], locator [${gotZones}]`);
  }
  const sample = covers.flatMap((c, i) => (c.length ? [i] : [])).slice(0, 3000);
  const results = sample.map((i) => locator.locate(xs[i]!, ys[i]!));
  const pgDistances = await edgeDistances(
    pool,
    sample.map((i) => xs[i]!),
    sample.map((i) => ys[i]!),
    results.map((r) => r.grid!.code),
  );
  sample.forEach((i, k) => {
    const want = pgDistances[k]!;
    const got = results[k]!.distanceToEdgeM;
    if (!(Math.abs(got - want) <= distanceSlack(want))) mismatches.push(`${kinds[i]} point #${i}: distanceToEdgeM ${got}, PostGIS ${want}`);
  });
  return { mismatches, tally };
}
