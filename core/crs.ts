import gcoordModule from 'gcoord';
import { z } from 'zod';

// gcoord ships CommonJS whose `module.exports` is the API object, while its typings declare it
// as the default export of an ES module: under NodeNext the default import is that object.
const gcoord = gcoordModule as unknown as typeof gcoordModule.default;

/** Coordinate systems devices and files report in: WGS84, GCJ-02 (国测局) and BD-09 (百度). */
export const crsSchema = z.enum(['wgs84', 'gcj02', 'bd09']);
export type Crs = z.infer<typeof crsSchema>;

/**
 * Converts a position reported in `crs` to WGS84 (what Gridwatch stores and indexes).
 * GCJ-02 (国测局, Amap/Tencent) and BD-09 (Baidu) are China's offset systems; gcoord
 * inverts GCJ-02 iteratively to about 1e-6° (≈0.1 m). Outside China both are WGS84 already,
 * and gcoord returns the input unchanged there.
 */
export function toWgs84(lon: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'wgs84') return [lon, lat];
  if (crs !== 'gcj02' && crs !== 'bd09') throw new TypeError(`unknown CRS ${String(crs)}`);
  const from = crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
  const [x, y] = gcoord.transform([lon, lat], from, gcoord.WGS84) as [number, number];
  return [x, y];
}
