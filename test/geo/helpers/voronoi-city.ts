/**
 * A deterministic synthetic city for locator tests and benchmarks: Voronoi grid cells over a
 * box, grouped into towns and communities with hierarchical codes, with deliberate gaps
 * (removed cells), a cell with a hole and an island cell filling it, a two-part cell, and
 * overlapping zones of all five types.
 */
import * as turf from '@turf/turf';
import type { CellInput, JurisdictionInput, LocatorData, ZoneInput } from '../../../geo/locator/build-locator.js';
import type { MultiPolygonCoords } from '../../../geo/locator/grid-spec.js';

export interface VoronoiCityOptions {
  seed: number;
  cells: number;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
  towns: number;
  /** Share of cells removed to leave gaps. */
  gapShare: number;
  /** Zones per type. */
  zonesPerType: number;
}

export interface VoronoiCity {
  data: LocatorData;
  /** The removed cells: every point inside one is in a gap. */
  gaps: MultiPolygonCoords[];
  bbox: [number, number, number, number];
}

/** Small seeded PRNG (mulberry32): the same seed gives the same city everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DISTRICT = '330203';

/** Generates the city described by `opts`. */
export function voronoiCity(opts: VoronoiCityOptions): VoronoiCity {
  const rand = prng(opts.seed);
  const [x0, y0, x1, y1] = opts.bbox;
  const seeds = Array.from({ length: opts.cells }, () => turf.point([x0 + rand() * (x1 - x0), y0 + rand() * (y1 - y0)]));
  const voronoi = turf.voronoi(turf.featureCollection(seeds), { bbox: opts.bbox });

  // Towns are vertical bands; communities are horizontal bands within a town (~20 cells each).
  const perTownBands = Math.max(1, Math.round(opts.cells / opts.towns / 20));
  const raw: { seed: number[]; geometry: MultiPolygonCoords }[] = [];
  voronoi.features.forEach((f, i) => {
    if (f?.geometry) raw.push({ seed: seeds[i]!.geometry.coordinates, geometry: [f.geometry.coordinates] });
  });

  const gaps: MultiPolygonCoords[] = [];
  const kept: typeof raw = [];
  for (const c of raw) {
    if (rand() < opts.gapShare) gaps.push(c.geometry);
    else kept.push(c);
  }

  // A donut cell with an island cell filling its hole exactly (shared ring).
  const donut = kept[Math.floor(kept.length / 2)]!;
  const hole = shrunkRing(donut.geometry[0]![0]!, 0.35);
  donut.geometry = [[donut.geometry[0]![0]!, [...hole].reverse()]];
  kept.push({ seed: centroid(hole), geometry: [[hole]] });
  // A two-part cell: one cell also takes over a non-adjacent cell's polygon.
  const a = kept[3]!;
  const b = kept.splice(Math.floor(kept.length / 3), 1)[0]!;
  a.geometry = [...a.geometry, ...b.geometry];

  const cells: CellInput[] = [];
  const jurisdictions: JurisdictionInput[] = [{ level: 'district', code: DISTRICT, name: '测试区', parentCode: null }];
  const seqByCommunity = new Map<string, number>();
  for (let t = 0; t < opts.towns; t++) {
    const town = `${DISTRICT}${String(t + 1).padStart(3, '0')}`;
    jurisdictions.push({ level: 'town', code: town, name: `镇${t + 1}`, parentCode: DISTRICT });
    for (let k = 0; k < perTownBands; k++) {
      const community = `${town}${String(k + 1).padStart(3, '0')}`;
      jurisdictions.push({ level: 'community', code: community, name: `社区${t + 1}-${k + 1}`, parentCode: town });
    }
  }
  for (const c of kept) {
    const t = Math.min(opts.towns - 1, Math.floor(((c.seed[0]! - x0) / (x1 - x0)) * opts.towns));
    const k = Math.min(perTownBands - 1, Math.floor(((c.seed[1]! - y0) / (y1 - y0)) * perTownBands));
    const community = `${DISTRICT}${String(t + 1).padStart(3, '0')}${String(k + 1).padStart(3, '0')}`;
    const seq = (seqByCommunity.get(community) ?? 0) + 1;
    seqByCommunity.set(community, seq);
    cells.push({ code: `${community}${String(seq).padStart(4, '0')}`, name: `网格${community.slice(-6)}-${seq}`, communityCode: community, geometry: c.geometry });
  }
  return { data: { cells, jurisdictions, zones: zones(opts, rand) }, gaps, bbox: opts.bbox };
}

function zones(opts: VoronoiCityOptions, rand: () => number): ZoneInput[] {
  const [x0, y0, x1, y1] = opts.bbox;
  const at = (): [number, number] => [x0 + (0.1 + 0.8 * rand()) * (x1 - x0), y0 + (0.1 + 0.8 * rand()) * (y1 - y0)];
  const walk = (start: [number, number], steps: number, stepDeg: number): number[][] => {
    const line = [start];
    let [x, y] = start;
    let heading = rand() * 2 * Math.PI;
    for (let i = 0; i < steps; i++) {
      heading += (rand() - 0.5) * 1.2;
      x += Math.cos(heading) * stepDeg;
      y += Math.sin(heading) * stepDeg;
      line.push([x, y]);
    }
    return line;
  };
  const polygonOf = (f: GeoJSON.Feature<GeoJSON.Polygon | GeoJSON.MultiPolygon> | undefined): MultiPolygonCoords => {
    if (!f) throw new Error('buffer produced no polygon');
    return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  };
  const out: ZoneInput[] = [];
  const hours = [{ from: '07:00', to: '19:00' }];
  for (let i = 0; i < opts.zonesPerType; i++) {
    const start = at();
    const street = walk(start, 4, 0.003);
    out.push({
      code: `NP${i}`,
      name: `禁停区${i}`,
      type: 'no-parking',
      attrs: { roadKind: i % 2 ? 'road' : 'pavement', dwellLimitS: 300 },
      geometry: polygonOf(turf.buffer(turf.lineString(street), 15, { units: 'meters' })),
    });
    // A school zone around the same street start, so zones overlap.
    out.push({
      code: `RS${i}`,
      name: `学校周边${i}`,
      type: 'restricted',
      attrs: { reason: 'school', activeHours: hours },
      geometry: [turf.circle(start, 250, { units: 'meters', steps: 48 }).geometry.coordinates],
    });
    out.push({
      code: `DS${i}`,
      name: `消纳场${i}`,
      type: 'disposal-site',
      attrs: { licensed: i % 3 !== 0, openingHours: hours },
      geometry: [turf.circle(at(), 150, { units: 'meters', steps: 32 }).geometry.coordinates],
    });
    out.push({
      code: `RC${i}`,
      name: `渣土线路${i}`,
      type: 'route-corridor',
      attrs: { permitId: `P-${i}`, bufferM: 50 },
      geometry: polygonOf(turf.buffer(turf.lineString(walk(at(), 12, 0.004)), 50, { units: 'meters' })),
    });
    out.push({
      code: `BR${i}`,
      name: `桥${i}`,
      type: 'bridge',
      attrs: { custodianUnitId: `custodian-${i}`, thresholds: { strainUe: { yellow: 100, orange: 200, red: 300 } }, sustainS: 60 },
      geometry: polygonOf(turf.buffer(turf.lineString(walk(at(), 1, 0.002)), 12, { units: 'meters' })),
    });
  }
  return out;
}

function centroid(ring: number[][]): number[] {
  let x = 0;
  let y = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    x += ring[i]![0]!;
    y += ring[i]![1]!;
  }
  return [x / (ring.length - 1), y / (ring.length - 1)];
}

/** The ring scaled by `f` around its vertex centroid (a convex Voronoi ring stays inside itself). */
function shrunkRing(ring: number[][], f: number): number[][] {
  const [cx, cy] = centroid(ring) as [number, number];
  return ring.map(([x, y]) => [cx + (x! - cx) * f, cy + (y! - cy) * f]);
}
