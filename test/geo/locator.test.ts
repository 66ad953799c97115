/**
 * Unit tests of the pure locator (no database): the tie rule, fallbacks, accuracy, the
 * jurisdiction chain, zones, CRS inputs, locateInto and WKB reading. Geometry answers are
 * checked against independent computations (turf, gcoord), not against numbers typed in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as turf from '@turf/turf';
import gcoordModule from 'gcoord';
import { buildLocator, compareCodes, type LocatorData } from '../../geo/locator/build-locator.js';
import { blankResult } from '../../geo/locator/locator.js';
import { multiPolygonFromWkb } from '../../geo/locator/wkb.js';
import { prng, voronoiCity } from './helpers/voronoi-city.js';

const gcoord = gcoordModule as unknown as typeof gcoordModule.default;

/** An axis-aligned square cell [x, y] – [x + s, y + s]. */
function square(x: number, y: number, s: number): number[][][][] {
  return [[[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]];
}

const S = 0.01; // ≈ 1 km
/** A 2 × 2 block of cells with codes deliberately not in geometric order, plus one cell beyond a gap. */
const block: LocatorData = {
  jurisdictions: [
    { level: 'district', code: '330203', name: '海曙区', parentCode: null },
    { level: 'town', code: '330203001', name: '镇一', parentCode: '330203' },
    { level: 'community', code: '330203001001', name: '社区一', parentCode: '330203001' },
    { level: 'community', code: '330203001002', name: '社区二', parentCode: '330203001' },
  ],
  cells: [
    { code: 'C4', name: 'sw', communityCode: '330203001001', geometry: square(121.5, 29.8, S) },
    { code: 'C2', name: 'se', communityCode: '330203001001', geometry: square(121.5 + S, 29.8, S) },
    { code: 'C3', name: 'nw', communityCode: '330203001002', geometry: square(121.5, 29.8 + S, S) },
    { code: 'C1', name: 'ne', communityCode: '330203001002', geometry: square(121.5 + S, 29.8 + S, S) },
    // 0.002° (≈190 m) east of the block: a gap between them.
    { code: 'C5', name: 'island', communityCode: 'unknown', geometry: square(121.5 + 2 * S + 0.002, 29.8, S) },
  ],
  zones: [
    { code: 'Z2', name: 'school', type: 'restricted', attrs: { reason: 'school', activeHours: [] }, geometry: square(121.503, 29.803, 0.004) },
    { code: 'Z1', name: 'kerb', type: 'no-parking', attrs: { roadKind: 'road', dwellLimitS: 300 }, geometry: square(121.505, 29.805, 0.004) },
  ],
};
const loc = buildLocator(block);

test('a point on a shared edge or vertex goes to the lowest code among the cells covering it, flagged onBoundary', () => {
  // Shared edge between sw (C4) and se (C2): both cover it, C2 < C4.
  const edge = loc.locate(121.5 + S, 29.8 + S / 2);
  assert.equal(edge.grid?.code, ['C4', 'C2'].sort(compareCodes)[0]);
  assert.equal(edge.onBoundary, true);
  assert.equal(edge.distanceToEdgeM, 0);
  // The centre vertex is shared by all four.
  const vertex = loc.locate(121.5 + S, 29.8 + S);
  assert.equal(vertex.grid?.code, ['C1', 'C2', 'C3', 'C4'].sort(compareCodes)[0]);
  assert.equal(vertex.onBoundary, true);
  // The outer edge of the city belongs to one cell, and is a boundary too.
  const outer = loc.locate(121.5, 29.8 + S / 2);
  assert.equal(outer.grid?.code, 'C4');
  assert.equal(outer.onBoundary, true);
});

test('an interior point reports its cell, the chain of jurisdictions and the distance to the nearest edge', () => {
  const [x, y] = [121.5 + 0.3 * S, 29.8 + 0.6 * S];
  const r = loc.locate(x, y);
  assert.equal(r.grid?.code, 'C4');
  assert.deepEqual([r.community?.code, r.town?.code, r.district?.code], ['330203001001', '330203001', '330203']);
  assert.equal(r.onBoundary, false);
  assert.equal(r.fallback, undefined);
  const expected = turf.pointToLineDistance(turf.point([x, y]), turf.polygonToLine(turf.polygon(square(121.5, 29.8, S)[0]!)) as never, { units: 'meters' });
  assert.ok(Math.abs(r.distanceToEdgeM - expected) < 0.005 * expected, `${r.distanceToEdgeM} vs turf ${expected}`);
  // A cell whose community is unknown still answers, with null above it.
  const island = loc.locate(121.5 + 2.5 * S + 0.002, 29.8 + S / 2);
  assert.equal(island.grid?.code, 'C5');
  assert.equal(island.community, null);
});

test('an accuracy circle that reaches past the edge sets onBoundary', () => {
  const [x, y] = [121.5 + 0.3 * S, 29.8 + 0.6 * S];
  const d = loc.locate(x, y).distanceToEdgeM;
  assert.equal(loc.locate(x, y, 'wgs84', d * 0.9).onBoundary, false);
  assert.equal(loc.locate(x, y, 'wgs84', d * 1.1).onBoundary, true);
});

test('a point in a gap or just outside gets the nearest cell within the tolerance; farther is outside, never a throw', () => {
  // In the gap, nearer the block's east edge than the island.
  const gx = 121.5 + 2 * S + 0.0005;
  const gap = loc.locate(gx, 29.8 + S / 2);
  assert.equal(gap.fallback, 'nearest');
  assert.equal(gap.grid?.code, 'C2');
  const want = turf.distance(turf.point([gx, 29.8 + S / 2]), turf.point([121.5 + 2 * S, 29.8 + S / 2]), { units: 'meters' });
  assert.ok(Math.abs(gap.fallbackDistanceM! - want) < 0.005 * want, `${gap.fallbackDistanceM} vs ${want}`);
  assert.equal(gap.community?.code, '330203001001');
  // 2 km west of the city: beyond 500 m.
  const far = loc.locate(121.5 - 0.02, 29.8 + S / 2);
  assert.equal(far.fallback, 'outside');
  assert.deepEqual([far.grid, far.community, far.town, far.district], [null, null, null, null]);
  assert.equal(far.fallbackDistanceM, undefined);
  assert.equal(far.distanceToEdgeM, -1);
  // A tolerance of 3 km takes it in.
  assert.equal(buildLocator(block, { toleranceM: 3000 }).locate(121.5 - 0.02, 29.8 + S / 2).fallback, 'nearest');
  for (const [x, y] of [
    [NaN, 29.8],
    [121.5, Infinity],
    [0, 0],
    [-179.9, -89.9],
  ] as const) {
    assert.equal(loc.locate(x, y).fallback, 'outside');
  }
  assert.equal(buildLocator({ cells: [], jurisdictions: [], zones: [] }).locate(121.5, 29.8).fallback, 'outside');
});

test('zones may overlap: a point gets every zone covering it, as shared frozen arrays', () => {
  const both = loc.locate(121.506, 29.806);
  assert.deepEqual(both.zones.map((z) => z.code), ['Z1', 'Z2']);
  assert.equal(Object.isFrozen(both.zones), true);
  assert.equal(loc.locate(121.5061, 29.8061).zones, both.zones, 'the same zone set is one interned array');
  assert.deepEqual(loc.locate(121.5035, 29.8035).zones.map((z) => z.type), ['restricted']);
  assert.deepEqual(loc.locate(121.509, 29.806).zones.map((z) => z.code), ['Z1'], 'on a zone edge counts as in it');
  assert.deepEqual(loc.locate(121.515, 29.815).zones, []);
});

const city = voronoiCity({ seed: 99, cells: 800, bbox: [121.5, 29.8, 121.6, 29.88], towns: 3, gapShare: 0.02, zonesPerType: 3 });
const cityLoc = buildLocator(city.data);

test('GCJ-02 and BD-09 inputs land in the same cell as their WGS84 originals', () => {
  const rand = prng(5);
  let checked = 0;
  for (let i = 0; i < 5000; i++) {
    const x = 121.5 + rand() * 0.1;
    const y = 29.8 + rand() * 0.08;
    const w = cityLoc.locate(x, y);
    // gcoord inverts GCJ-02 to ~0.1 m: points closer than 1 m to an edge may fairly differ.
    if (w.fallback || w.distanceToEdgeM < 1) continue;
    checked++;
    const [gx, gy] = gcoord.transform([x, y], gcoord.WGS84, gcoord.GCJ02);
    const [bx, by] = gcoord.transform([x, y], gcoord.WGS84, gcoord.BD09);
    const g = cityLoc.locate(gx, gy, 'gcj02');
    const b = cityLoc.locate(bx, by, 'bd09');
    assert.equal(g.grid?.code, w.grid?.code, `gcj02 of (${x}, ${y})`);
    assert.equal(b.grid?.code, w.grid?.code, `bd09 of (${x}, ${y})`);
    assert.ok(Math.abs(g.lon - x) < 1e-5 && Math.abs(g.lat - y) < 1e-5, 'the result is in WGS84');
  }
  assert.ok(checked > 4000, `checked ${checked}`);
});

test('locateInto fills the given object with the same answer locate returns', () => {
  const rand = prng(6);
  const out = blankResult();
  for (let i = 0; i < 2000; i++) {
    const x = 121.49 + rand() * 0.12;
    const y = 29.79 + rand() * 0.1;
    assert.equal(cityLoc.locateInto(out, x, y, 'wgs84', 30), out);
    assert.deepEqual({ ...out }, cityLoc.locate(x, y, 'wgs84', 30));
  }
});

test('WKB polygons and multipolygons (either byte order) read back to the same coordinates', () => {
  const rings = [
    [[121.5, 29.8], [121.6, 29.8], [121.6, 29.9], [121.5, 29.8]],
    [[121.52, 29.81], [121.55, 29.82], [121.54, 29.85], [121.52, 29.81]],
  ];
  const wkb = (le: boolean, type: number, body: number[]): Uint8Array => {
    const parts: number[] = [le ? 1 : 0];
    const u32 = (n: number) => {
      const b = new DataView(new ArrayBuffer(4));
      b.setUint32(0, n, le);
      parts.push(...new Uint8Array(b.buffer));
    };
    u32(type);
    parts.push(...body);
    return Uint8Array.from(parts);
  };
  const polygonBody = (le: boolean): number[] => {
    const out: number[] = [];
    const u32 = (n: number) => {
      const b = new DataView(new ArrayBuffer(4));
      b.setUint32(0, n, le);
      out.push(...new Uint8Array(b.buffer));
    };
    u32(rings.length);
    for (const ring of rings) {
      u32(ring.length);
      for (const [x, y] of ring) {
        const b = new DataView(new ArrayBuffer(16));
        b.setFloat64(0, x!, le);
        b.setFloat64(8, y!, le);
        out.push(...new Uint8Array(b.buffer));
      }
    }
    return out;
  };
  for (const le of [true, false]) {
    assert.deepEqual(multiPolygonFromWkb(wkb(le, 3, polygonBody(le))), [rings]);
    const count = new DataView(new ArrayBuffer(4));
    count.setUint32(0, 2, le);
    const inner = [...wkb(le, 3, polygonBody(le))];
    assert.deepEqual(multiPolygonFromWkb(wkb(le, 6, [...new Uint8Array(count.buffer), ...inner, ...inner])), [rings, rings]);
  }
  assert.throws(() => multiPolygonFromWkb(wkb(true, 1, [])), /Polygon or MultiPolygon/);
});
