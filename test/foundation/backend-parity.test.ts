import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { booleanPointInPolygon } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { startEmbeddedServer, type EmbeddedServer } from '../../db/embedded.js';
import { migrate } from '../../db/migrate.js';
import { jurisdictionsAt, type JurisdictionHit } from '../../geo/jurisdictions-at.js';
import { resetDb } from '../helpers/db.js';

/**
 * The same repository function must answer identically on embedded PGlite+PostGIS and on
 * real PostgreSQL+PostGIS. Real PostGIS comes from GW_PARITY_DATABASE_URL (`.ci/run` creates
 * it); without it only the embedded backend is checked, against turf as an independent oracle.
 */
const DISTRICTS = path.resolve(import.meta.dirname, '../../geo/demo/data/ningbo-districts.wgs84.geojson');
const realUrl = process.env.GW_PARITY_DATABASE_URL;

type Districts = FeatureCollection<MultiPolygon | Polygon, { code: string; name: string }>;

async function loadDistricts(pool: pg.Pool, fc: Districts): Promise<void> {
  await resetDb(pool);
  const { rows } = await pool.query(
    "INSERT INTO geo_imports (layer, source, active, feature_count) VALUES ('districts', 'parity-test', true, $1) RETURNING id",
    [fc.features.length],
  );
  await pool.query(
    `INSERT INTO jurisdictions (import_id, level, code, name, geom)
     SELECT $1, 'district', f->'properties'->>'code', f->'properties'->>'name',
            ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326))
     FROM jsonb_array_elements($2::jsonb) AS f`,
    [rows[0].id, JSON.stringify(fc.features)],
  );
}

/** Deterministic sample: random points over the bbox plus every 7th polygon vertex (boundary cases). */
function samplePoints(fc: Districts, n: number): [number, number][] {
  let seed = 20261122;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pts: [number, number][] = [];
  for (let i = 0; i < n; i++) pts.push([120.8 + rand() * 1.3, 28.8 + rand() * 1.6]);
  let k = 0;
  for (const f of fc.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const ring of polys.flat()) for (const c of ring) if (k++ % 7 === 0) pts.push([c[0]!, c[1]!]);
  }
  return pts;
}

async function answers(pool: pg.Pool, pts: [number, number][]): Promise<JurisdictionHit[][]> {
  const out: JurisdictionHit[][] = [];
  for (const [lon, lat] of pts) out.push(await jurisdictionsAt(pool, lon, lat));
  return out;
}

describe('repository functions give identical answers on both backends', () => {
  const fc = JSON.parse(fs.readFileSync(DISTRICTS, 'utf8')) as Districts;
  const pts = samplePoints(fc, 1500);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-parity-'));
  let embedded: EmbeddedServer;
  let embeddedPool: pg.Pool;
  let embeddedAnswers: JurisdictionHit[][];

  before(async () => {
    embedded = await startEmbeddedServer(tmp);
    embeddedPool = new pg.Pool({ connectionString: embedded.connectionString, max: 1 });
    await migrate(embeddedPool);
    await loadDistricts(embeddedPool, fc);
    embeddedAnswers = await answers(embeddedPool, pts);
  });
  after(async () => {
    await embeddedPool.end();
    await embedded.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('embedded PostGIS agrees with turf for points off the boundary', () => {
    let inside = 0;
    for (let i = 0; i < 1500; i++) {
      const [lon, lat] = pts[i]!;
      const expected = fc.features
        .filter((f: Feature<MultiPolygon | Polygon>) => booleanPointInPolygon([lon, lat], f, { ignoreBoundary: true }))
        .map((f) => String(f.properties!.code));
      assert.deepEqual(
        embeddedAnswers[i]!.map((h) => h.code),
        expected,
        `point ${lon},${lat}`,
      );
      inside += expected.length;
    }
    assert.ok(inside > 300, `the sample must hit districts (hit ${inside})`);
  });

  it('real PostgreSQL+PostGIS gives exactly the same answers, boundary vertices included', { skip: realUrl ? false : 'GW_PARITY_DATABASE_URL not set (no real PostGIS on this machine)' }, async () => {
    const realPool = new pg.Pool({ connectionString: realUrl, max: 1 });
    try {
      await migrate(realPool);
      await loadDistricts(realPool, fc);
      const realAnswers = await answers(realPool, pts);
      assert.equal(realAnswers.length, embeddedAnswers.length);
      assert.deepEqual(realAnswers, embeddedAnswers);
      const { rows } = await realPool.query('SELECT postgis_lib_version() AS v');
      assert.match(rows[0].v, /^3\./);
    } finally {
      await realPool.end();
    }
  });
});
