import type { MultiPolygonCoords } from './grid-spec.js';

const POLYGON = 3;
const MULTIPOLYGON = 6;

/**
 * Reads a 2D Polygon or MultiPolygon from WKB (ST_AsBinary) into GeoJSON-style nested
 * coordinates. WKB carries the stored doubles exactly, which the locator needs to give the
 * same answers as PostGIS on points exactly on an edge.
 */
export function multiPolygonFromWkb(buf: Uint8Array): MultiPolygonCoords {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const header = (): { le: boolean; type: number } => {
    const le = view.getUint8(pos) === 1;
    const type = view.getUint32(pos + 1, le);
    pos += 5;
    return { le, type };
  };
  const polygon = (le: boolean): number[][][] => {
    const rings: number[][][] = [];
    const nRings = view.getUint32(pos, le);
    pos += 4;
    for (let r = 0; r < nRings; r++) {
      const n = view.getUint32(pos, le);
      pos += 4;
      const ring: number[][] = new Array(n);
      for (let i = 0; i < n; i++) {
        ring[i] = [view.getFloat64(pos, le), view.getFloat64(pos + 8, le)];
        pos += 16;
      }
      rings.push(ring);
    }
    return rings;
  };
  const { le, type } = header();
  if (type === POLYGON) return [polygon(le)];
  if (type !== MULTIPOLYGON) throw new TypeError(`expected a 2D Polygon or MultiPolygon in WKB, got type ${type}`);
  const n = view.getUint32(pos, le);
  pos += 4;
  const out: MultiPolygonCoords = [];
  for (let k = 0; k < n; k++) {
    const part = header();
    if (part.type !== POLYGON) throw new TypeError(`expected a Polygon inside a MultiPolygon, got type ${part.type}`);
    out.push(polygon(part.le));
  }
  return out;
}
