import { toWgs84 } from '../../core/crs.js';
import type { Crs } from '../../core/crs.js';
import type { ParsedFeature } from './parse.js';
import { round, type ProblemLog } from './report.js';
import type { ImportGeometry } from './schemas.js';

type Pos = [number, number];

/** Every position of a geometry, in order. */
function positions(g: ImportGeometry): Pos[] {
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'MultiPoint':
    case 'LineString':
      return g.coordinates;
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
  }
}

/** Applies `f` to every position, keeping the geometry's shape. */
function mapPositions(g: ImportGeometry, f: (p: Pos) => Pos): ImportGeometry {
  switch (g.type) {
    case 'Point':
      return { type: g.type, coordinates: f(g.coordinates) };
    case 'MultiPoint':
    case 'LineString':
      return { type: g.type, coordinates: g.coordinates.map(f) };
    case 'MultiLineString':
    case 'Polygon':
      return { type: g.type, coordinates: g.coordinates.map((r) => r.map(f)) };
    case 'MultiPolygon':
      return { type: g.type, coordinates: g.coordinates.map((poly) => poly.map((r) => r.map(f))) };
  }
}

/** China spans lon 73–135, lat 3–54: a "longitude" in 3–54 with a "latitude" in 73–135 is swapped. */
const looksSwapped = ([x, y]: Pos): boolean => x >= 3 && x <= 54 && y >= 73 && y <= 135;
const looksProjected = ([x, y]: Pos): boolean => Math.abs(x) > 180 || Math.abs(y) > 90;

/**
 * Flags coordinates that are clearly not WGS84 degrees: projected metres (|x| > 180 or
 * |y| > 90) and swapped [lat, lon] pairs. Either is fatal: importing them would put the
 * city in the ocean. One problem per kind, with how many features and a few examples.
 */
export function checkWgs84(features: ParsedFeature[], log: ProblemLog): void {
  const swapped: ParsedFeature[] = [];
  const projected: ParsedFeature[] = [];
  for (const f of features) {
    const ps = positions(f.geometry);
    if (ps.length && looksSwapped(ps[0]!)) swapped.push(f);
    else if (ps.some(looksProjected)) projected.push(f);
  }
  const examples = (fs: ParsedFeature[]) => fs.slice(0, 5).map((f) => ({ code: f.code, first: positions(f.geometry)[0] }));
  if (swapped.length) {
    log.add({
      kind: 'swapped-coordinates',
      severity: 'fatal',
      message: `Checking coordinates: ${swapped.length} of ${features.length} features have [lat, lon] instead of [lon, lat] (e.g. ${swapped[0]!.code} starts at ${positions(swapped[0]!.geometry)[0]!.join(', ')}); swap them and import again`,
      details: { count: swapped.length, examples: examples(swapped) },
    });
  }
  if (projected.length) {
    log.add({
      kind: 'projected-coordinates',
      severity: 'fatal',
      message: `Checking coordinates: ${projected.length} of ${features.length} features have coordinates outside ±180/±90 (e.g. ${projected[0]!.code} starts at ${positions(projected[0]!.geometry)[0]!.join(', ')}), which look like projected metres; reproject to WGS84 (EPSG:4326) and import again`,
      details: { count: projected.length, examples: examples(projected) },
    });
  }
}

/** Converts every position from `crs` to WGS84 (GCJ-02 and BD-09 web-map files). */
export function convertToWgs84(features: ParsedFeature[], crs: Crs): ParsedFeature[] {
  if (crs === 'wgs84') return features;
  return features.map((f) => ({ ...f, geometry: mapPositions(f.geometry, ([x, y]) => toWgs84(x, y, crs)) }));
}

/** The extent of all features, rounded to 1e-6°. */
export function extentOf(features: ParsedFeature[]): [number, number, number, number] | null {
  if (!features.length) return null;
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of features) {
    for (const [x, y] of positions(f.geometry)) {
      b[0] = Math.min(b[0]!, x);
      b[1] = Math.min(b[1]!, y);
      b[2] = Math.max(b[2]!, x);
      b[3] = Math.max(b[3]!, y);
    }
  }
  return b.map((v) => round(v, 6)) as [number, number, number, number];
}
