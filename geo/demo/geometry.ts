/** Plain coordinate arrays, as in GeoJSON: what the generator builds and writes. */
export type Position = [number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];
export type MultiPolygonCoords = PolygonCoords[];

/** Twice the signed area of a closed ring (positive = counter-clockwise). */
export function signedArea2(ring: Ring): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s;
}

/** Ray-casting point-in-ring test (points exactly on an edge may go either way). */
export function inRing(x: number, y: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies inside a multipolygon (outer rings minus holes). */
export function inMultiPolygon(x: number, y: number, mp: MultiPolygonCoords): boolean {
  for (const poly of mp) {
    if (!inRing(x, y, poly[0]!)) continue;
    if (!poly.slice(1).some((hole) => inRing(x, y, hole))) return true;
  }
  return false;
}

/** [minX, minY, maxX, maxY] of a multipolygon. */
export function bboxOf(mp: MultiPolygonCoords): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of mp) {
    for (const [x, y] of poly[0]!) {
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  }
  return b;
}

/** Orients outer rings counter-clockwise and holes clockwise (the GeoJSON rule). */
export function orient(mp: MultiPolygonCoords): MultiPolygonCoords {
  return mp.map((poly) =>
    poly.map((ring, i) => {
      const ccw = signedArea2(ring) > 0;
      return ccw === (i === 0) ? ring : [...ring].reverse();
    }),
  );
}
