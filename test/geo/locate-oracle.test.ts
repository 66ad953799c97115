/**
 * The locator against its oracle: the same layers in PostGIS and in memory, ≥ 20,000 probe
 * points (inside, exactly on edges and vertices, in gaps, just outside, far outside), and the
 * answers compared with ST_Covers / ST_Contains / geodesic ST_Distance. Runs on whatever
 * database the harness gives (embedded PGlite+PostGIS, or real PostGIS in CI).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as turf from '@turf/turf';
import { loadLocator } from '../../geo/locator/load-locator.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { demoCityData, demoCityExists } from './helpers/demo-city-data.js';
import { insertLayers } from './helpers/layers.js';
import { compareWithPostgis, probePoints } from './helpers/oracle.js';
import { voronoiCity } from './helpers/voronoi-city.js';

let db: TestDb;
before(async () => {
  db = await getTestDb();
});
after(async () => {
  await db.close();
});

test('20,000+ probes over a Voronoi city with gaps, a hole and a two-part cell match PostGIS exactly', async () => {
  await resetDb(db.pool);
  const bbox: [number, number, number, number] = [121.5, 29.8, 121.62, 29.9];
  const city = voronoiCity({ seed: 20240301, cells: 1500, bbox, towns: 4, gapShare: 0.03, zonesPerType: 4 });
  await insertLayers(db.pool, city.data, bbox);
  const locator = await loadLocator(db.pool);
  assert.equal(locator.info.cellCount, city.data.cells.length);

  const probes = probePoints(city.data, city.gaps, bbox, 7, {
    inside: 9000,
    edge: 5000,
    vertex: 3000,
    gap: 2000,
    'near-outside': 1500,
    'far-outside': 500,
  });
  assert.ok(probes.xs.length >= 20_000);
  const { mismatches, tally } = await compareWithPostgis(db.pool, locator, probes);
  // The probes must really exercise each rule, or agreement would prove little.
  assert.ok((tally['covered, on a boundary'] ?? 0) > 3000, `boundary probes: ${JSON.stringify(tally)}`);
  assert.ok((tally['gap or just outside → nearest'] ?? 0) > 1000, `fallback probes: ${JSON.stringify(tally)}`);
  assert.ok((tally.outside ?? 0) > 400, `outside probes: ${JSON.stringify(tally)}`);
  assert.ok((tally['in a zone'] ?? 0) > 200, `zone probes: ${JSON.stringify(tally)}`);
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} disagreements with PostGIS (${db.backend})`);
});

test('a sample over the demo city (Ningbo) matches PostGIS exactly', { skip: !demoCityExists() }, async () => {
  await resetDb(db.pool);
  const data = demoCityData();
  const xs = data.cells.flatMap((c) => c.geometry.flat(2).map((p) => p[0]!));
  const ys = data.cells.flatMap((c) => c.geometry.flat(2).map((p) => p[1]!));
  const bbox: [number, number, number, number] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  await insertLayers(db.pool, data, bbox);
  const locator = await loadLocator(db.pool);
  const probes = probePoints(data, [], bbox, 11, { inside: 3000, edge: 1500, vertex: 1000, gap: 0, 'near-outside': 400, 'far-outside': 100 });
  // Zones are small: also probe around each one so the zone index is exercised on real data.
  for (const z of data.zones) {
    const [zx0, zy0, zx1, zy1] = turf.bbox(turf.multiPolygon(z.geometry));
    for (let k = 0; k < 20; k++) {
      probes.xs.push(zx0 + ((k * 7919) % 97) / 96 * (zx1 - zx0));
      probes.ys.push(zy0 + ((k * 104729) % 89) / 88 * (zy1 - zy0));
      probes.kinds.push('inside');
    }
  }
  const { mismatches, tally } = await compareWithPostgis(db.pool, locator, probes);
  assert.ok((tally['covered, on a boundary'] ?? 0) > 1000, JSON.stringify(tally));
  assert.ok((tally['in a zone'] ?? 0) > 100, JSON.stringify(tally));
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} disagreements with PostGIS (${db.backend})`);
});
