import type { Position } from './geometry.js';

/**
 * A local metric frame (equirectangular, metres) centred on Ningbo. Voronoi partitions and
 * clustering work in metres so cells come out round rather than stretched by the longitude
 * scale; over 150 km at 30°N the distortion is well under 1 %, plenty for a demo.
 */
const LON0 = 121.55;
const LAT0 = 29.87;
const KY = 110_574;
const KX = 111_320 * Math.cos((LAT0 * Math.PI) / 180);

/** WGS84 degrees → local metres. */
export function toMetric([lon, lat]: Position): Position {
  return [(lon - LON0) * KX, (lat - LAT0) * KY];
}

/** Local metres → WGS84 degrees. */
export function toDegrees([x, y]: Position): Position {
  return [LON0 + x / KX, LAT0 + y / KY];
}
