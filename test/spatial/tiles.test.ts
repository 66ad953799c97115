/**
 * GET /api/v1/tiles/:layer/:z/:x/:y.pbf over the small test city (one district, two towns, four
 * communities, sixteen 0.01° cells; zones of every type), decoded from the protobuf bytes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSql } from '../../db/sql.js';
import { importLayer } from '../../geo/import/import.js';
import { layerTileRoutes } from '../../server/spatial/layer-tiles.routes.js';
import { buildTileIndex, LayerTiles } from '../../server/spatial/layer-tiles.js';
import { CASES, CONTEXT } from '../fixtures/geo/cases.js';
import { loginAs, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { decodeMvt, type MvtLayer } from './helpers/mvt-decode.js';

const TOWN_1 = '330299001';
const TOWN_2 = '330299002';
/** The z12 tile that holds the whole test city (121.5–121.54 E, 29.8–29.84 N). */
const CITY = '12/3430/1692';
/** A z15 tile (121.5308–121.5417 E) over town 2 only. */
const EAST = '15/27446/13536';

let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let tiles: LayerTiles;
let planner: string;
let town1Op: string;
let town2Op: string;
let unitOnly: string;

const gridInput = () => structuredClone(CASES.find((c) => c.name === 'clean-grid')!.input) as { features: { properties: Record<string, unknown> }[] };

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  for (const [layer, fc] of [
    ['districts', CONTEXT.districts],
    ['towns', CONTEXT.towns],
    ['communities', CONTEXT.communities],
    ['grids', gridInput()],
    ['zones', CASES.find((c) => c.name === 'zones')!.input],
  ] as const) {
    const r = await importLayer(db.pool, fc, { layer, source: layer });
    assert.ok(r.importId, `${layer}: ${JSON.stringify(r.report.problems)}`);
  }
  tiles = new LayerTiles(db.pool, 4);
  app = await startTestApp(db.pool, { routes: layerTileRoutes(db.pool, tiles) });
  planner = await loginAs(db.pool, app.url, 'tile-planner', 'planner');
  town1Op = await loginAs(db.pool, app.url, 'tile-op-1', 'operator', [TOWN_1]);
  town2Op = await loginAs(db.pool, app.url, 'tile-op-2', 'operator', [TOWN_2]);
  await db.pool.query(loadSql(new URL('./sql/insert-unit.sql', import.meta.url)), ['custodian-municipal', 'custodian', null, null]);
  unitOnly = await loginAs(db.pool, app.url, 'tile-officer', 'officer', [], 'custodian-municipal');
});
after(async () => {
  await app.close();
  await db.close();
});

async function getTile(path: string, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/api/v1/tiles/${path}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes };
}

/** The one layer of a 200 tile. */
async function layerOf(path: string, token: string): Promise<MvtLayer> {
  const { res, bytes } = await getTile(path, token);
  assert.equal(res.status, 200, `${path}: ${res.status} ${new TextDecoder().decode(bytes)}`);
  assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
  const layers = decodeMvt(bytes);
  assert.equal(layers.length, 1);
  return layers[0]!;
}

const codes = (l: MvtLayer) => l.features.map((f) => String(f.properties.code)).sort();

test('a grid tile holds every cell of the city for a planner, with code and Chinese name, as polygons', async () => {
  const l = await layerOf(`grid/${CITY}.pbf`, planner);
  assert.equal(l.name, 'grid');
  assert.equal(l.version, 2);
  assert.equal(l.extent, 4096);
  assert.equal(l.features.length, 16);
  assert.equal(new Set(codes(l)).size, 16);
  const cell = l.features.find((f) => f.properties.code === '330299002001001')!;
  assert.deepEqual(cell.properties, { code: '330299002001001', name: '西塘南社区第1网格' });
  assert.equal(cell.type, 3);
  // A 0.01° square: one closed ring of 4 corners (+ the closing point), about 0.01/0.0879 of 4096 units wide.
  assert.equal(cell.rings.length, 1);
  const xs = cell.rings[0]!.map(([x]) => x);
  const width = Math.max(...xs) - Math.min(...xs);
  assert.ok(Math.abs(width - (0.01 / (360 / 4096)) * 4096) < 3, `cell width ${width}`);
});

test('the boundary layers: districts, towns and communities, each in its own layer', async () => {
  assert.deepEqual(codes(await layerOf(`district/${CITY}.pbf`, planner)), ['330299']);
  const towns = await layerOf(`town/${CITY}.pbf`, planner);
  assert.equal(towns.name, 'town');
  assert.deepEqual(
    towns.features.map((f) => f.properties).sort((a, b) => String(a.code).localeCompare(String(b.code))),
    [
      { code: TOWN_1, name: '东湖街道' },
      { code: TOWN_2, name: '西塘镇' },
    ],
  );
  assert.deepEqual(codes(await layerOf(`community/${CITY}.pbf`, planner)), ['330299001001', '330299001002', '330299002001', '330299002002']);
});

test('a town operator gets only their town: its cells, communities and zones; another town’s do not exist', async () => {
  const grid = await layerOf(`grid/${CITY}.pbf`, town1Op);
  assert.equal(grid.features.length, 8);
  assert.ok(codes(grid).every((c) => c.startsWith(TOWN_1)), codes(grid).join());
  assert.deepEqual(codes(await layerOf(`town/${CITY}.pbf`, town1Op)), [TOWN_1]);
  assert.deepEqual(codes(await layerOf(`community/${CITY}.pbf`, town1Op)), ['330299001001', '330299001002']);
  // The district is larger than their scope: not theirs.
  assert.equal((await getTile(`district/${CITY}.pbf`, town1Op)).res.status, 204);

  // A tile wholly in town 2: town 1's operator gets 204 (no content), town 2's the cells.
  const outside = await getTile(`grid/${EAST}.pbf`, town1Op);
  assert.equal(outside.res.status, 204);
  assert.equal(outside.bytes.length, 0);
  const inside = await layerOf(`grid/${EAST}.pbf`, town2Op);
  assert.ok(inside.features.length > 0 && codes(inside).every((c) => c.startsWith(TOWN_2)));

  // A user with a unit and no codes holds no territory.
  assert.equal((await getTile(`grid/${CITY}.pbf`, unitOnly)).res.status, 204);
});

test('zones carry code, name and type; an operator sees the zones overlapping their scope', async () => {
  const all = await layerOf(`zone/${CITY}.pbf`, planner);
  assert.equal(all.name, 'zone');
  const np1 = all.features.find((f) => f.properties.code === 'NP-1');
  assert.deepEqual(np1?.properties, { code: 'NP-1', name: '中山东路禁停区', type: 'no-parking' });
  assert.ok(codes(all).includes('RS-1'));
  // NP-1 lies in town 1 (west), RS-1 (a buffered point at 121.53 E, 29.83 N) in town 2.
  const west = codes(await layerOf(`zone/${CITY}.pbf`, town1Op));
  const east = codes(await layerOf(`zone/${CITY}.pbf`, town2Op));
  assert.ok(west.includes('NP-1') && !west.includes('RS-1'), west.join());
  assert.ok(east.includes('RS-1') && !east.includes('NP-1'), east.join());
});

test('bad coordinates, layers and query parameters are 400 GW_SPATIAL_BAD_QUERY; no token is 401', async () => {
  for (const path of ['grid/23/0/0.pbf', 'grid/2/4/0.pbf', 'grid/2/0/4.pbf', 'grid/0/0/1.pbf', 'grid/x/0/0.pbf', 'grid/1/-1/0.pbf', 'grid/1/1e0/0.pbf', 'roads/1/0/0.pbf', 'grid/1/0/0.pbf?format=geojson']) {
    const { res, bytes } = await getTile(path, planner);
    assert.equal(res.status, 400, path);
    assert.equal(JSON.parse(new TextDecoder().decode(bytes)).error.code, 'GW_SPATIAL_BAD_QUERY', path);
  }
  const anon = await getTile(`grid/${CITY}.pbf`);
  assert.equal(anon.res.status, 401);
  assert.equal(JSON.parse(new TextDecoder().decode(anon.bytes)).error.code, 'GW_AUTH_REQUIRED');
});

test('ETag and Cache-Control: private; If-None-Match is 304; a new grid import changes tiles and ETags', async () => {
  const first = await getTile(`grid/${CITY}.pbf`, planner);
  const etag = first.res.headers.get('etag')!;
  assert.match(etag, /^"[\w-]+"$/);
  assert.match(first.res.headers.get('cache-control')!, /\bprivate\b/);
  const again = await getTile(`grid/${CITY}.pbf`, planner, { 'if-none-match': etag });
  assert.equal(again.res.status, 304);
  // Another scope, same tile: another ETag (a shared cache must not mix them).
  assert.notEqual((await getTile(`grid/${CITY}.pbf`, town1Op)).res.headers.get('etag'), etag);

  const renamed = gridInput();
  renamed.features[0]!.properties.name = '改名网格';
  const code = String(renamed.features[0]!.properties.code);
  const r = await importLayer(db.pool, renamed, { layer: 'grids', source: 'renamed' });
  assert.ok(r.importId);
  const after = await getTile(`grid/${CITY}.pbf`, planner, { 'if-none-match': etag });
  assert.equal(after.res.status, 200);
  assert.notEqual(after.res.headers.get('etag'), etag);
  const cell = decodeMvt(after.bytes)[0]!.features.find((f) => f.properties.code === code)!;
  assert.equal(cell.properties.name, '改名网格');
  assert.ok(tiles.cachedIndexes <= 4);
});

test('the served tile decodes to what geojson-vt itself cuts from the same cells', async () => {
  const rows = gridInput().features.map((f) => {
    const g = (f as unknown as { geometry: { coordinates: [number, number][][] } }).geometry;
    return { code: String(f.properties.code), name: String(f.properties.name), geometry: { type: 'MultiPolygon' as const, coordinates: [g.coordinates] } };
  });
  const [z, x, y] = CITY.split('/').map(Number) as [number, number, number];
  const own = buildTileIndex(rows).getTile(z, x, y)!;
  const served = await layerOf(`grid/${CITY}.pbf`, planner);
  const open = (ring: [number, number][]) => (ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1] ? ring.slice(0, -1) : ring);
  for (const f of own.features) {
    const code = String(f.tags!.code);
    const mine = served.features.find((s) => s.properties.code === code);
    assert.ok(mine, code);
    assert.deepEqual(mine.rings.map(open), (f.geometry as [number, number][][]).map(open), code);
  }
  assert.equal(served.features.length, own.features.length);
});
