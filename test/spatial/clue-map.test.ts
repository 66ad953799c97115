import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { latLngToCell } from 'h3-js';
import { loadSql } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { h3CellOf, h3Parent } from '../../geo/h3-cell.js';
import { recordChanges } from '../../server/clues/stored-clue.js';
import { backfillH3 } from '../../server/spatial/backfill-h3.js';
import { clueMapRoutes } from '../../server/spatial/clue-map.routes.js';
import { ClueColumnStore, decodeClueFeed } from '../../web/src/clue-feed-bin.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { prng } from '../helpers/prng.js';

const sql = (name: string) => loadSql(new URL(`./sql/${name}.sql`, import.meta.url));
const STATUSES = ['new', 'dispatched', 'handling', 'closed'];
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const CENTRE = { lon: 121.55, lat: 29.87 };

let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let admin: string;
/** An operator whose scope is town T1 only. */
let townOp: string;

interface Fixture {
  code: string;
  item: string | null;
  severity: string;
  status: string;
  unit: string;
  lon: number;
  lat: number;
  opened: string;
  district: string;
  town: string;
  community: string;
  grid: string | null;
}
const clues: Fixture[] = [];

/** 300 random clues within ~3 km of the centre: west of it town T1 (district D1), east T2 (D2). */
function randomClues(): Fixture[] {
  const rand = prng(7);
  const out: Fixture[] = [];
  for (let i = 0; i < 300; i++) {
    const lon = CENTRE.lon + (rand() - 0.5) * 0.06;
    const lat = CENTRE.lat + (rand() - 0.5) * 0.05;
    const west = lon < CENTRE.lon;
    out.push({
      code: `R-${String(i).padStart(4, '0')}`,
      item: i % 3 === 0 ? null : `item-${i % 3}`,
      severity: SEVERITIES[i % 5]!,
      status: STATUSES[i % 4]!,
      unit: west ? 'unit-1' : 'unit-2',
      lon,
      lat,
      opened: '2026-02-01T08:00:00+08:00',
      district: west ? 'D1' : 'D2',
      town: west ? 'T1' : 'T2',
      community: west ? 'C1' : 'C2',
      grid: `G${west ? 1 : 2}${lat < CENTRE.lat ? 'S' : 'N'}`,
    });
  }
  return out;
}

/**
 * The hand-checkable hotspot fixture, in March 2026 (Mon 2 March … Sun 8 March, Mon 9 March):
 * grid H1 (town T1): 2 clues on 2 March local, 1 at 00:30 on 3 March local (still 2 March in
 * UTC), 1 on 9 March; grid H2 (town T2): 1 on 4 March. Alerts: H1's first clue has 3 (opened +
 * 2 joined, one of them on 3 March), H2's has 2.
 */
const HOT: Fixture[] = [
  { code: 'H-1', opened: '2026-03-02T09:00:00+08:00', grid: 'H1', town: 'T1' },
  { code: 'H-2', opened: '2026-03-02T21:00:00+08:00', grid: 'H1', town: 'T1' },
  { code: 'H-3', opened: '2026-03-03T00:30:00+08:00', grid: 'H1', town: 'T1' },
  { code: 'H-4', opened: '2026-03-09T10:00:00+08:00', grid: 'H1', town: 'T1' },
  { code: 'H-5', opened: '2026-03-04T10:00:00+08:00', grid: 'H2', town: 'T2' },
].map((h) => ({
  ...h,
  item: 'hot-item',
  severity: 'high',
  status: 'new',
  unit: h.town === 'T1' ? 'unit-1' : 'unit-2',
  lon: h.town === 'T1' ? 121.6 : 121.7,
  lat: 29.9,
  district: h.town === 'T1' ? 'D1' : 'D2',
  community: h.town === 'T1' ? 'C1' : 'C2',
}));

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  clues.push(...randomClues(), ...HOT);
  // One clue due east of the centre, 500 m away (bearing 90°), one outside every scope's town.
  clues.push({ ...clues[0]!, code: 'EAST', lon: CENTRE.lon + 500 / (111_320 * Math.cos((CENTRE.lat * Math.PI) / 180)), lat: CENTRE.lat, town: 'T2', district: 'D2', community: 'C2', grid: null });
  await db.pool.query(sql('insert-clues'), [JSON.stringify(clues)]);
  // Alert entries on two clues' timelines, appended as the pipeline does (the hash chain).
  const alerts = [
    { code: 'H-1', at: '2026-03-02T09:00:00+08:00', action: 'opened' },
    { code: 'H-1', at: '2026-03-02T09:30:00+08:00', action: 'alert' },
    { code: 'H-1', at: '2026-03-03T08:00:00+08:00', action: 'alert' },
    { code: 'H-1', at: '2026-03-03T09:00:00+08:00', action: 'dispatch' },
    { code: 'H-5', at: '2026-03-04T10:00:00+08:00', action: 'opened' },
    { code: 'H-5', at: '2026-03-04T11:00:00+08:00', action: 'alert' },
  ];
  const { rows: ids } = await db.pool.query<{ id: number; code: string }>(sql('clue-ids'), [['H-1', 'H-5']]);
  const idOf = new Map(ids.map((r) => [r.code, r.id]));
  await withTransaction(db.pool, (c) =>
    recordChanges(
      c,
      alerts.map((a) => ({ clue_id: idOf.get(a.code)!, at: Date.parse(a.at), actor: 'pipeline', action: a.action, from_status: 'new', to_status: 'new', source: null, detail: {} })),
      [],
    ),
  );
  app = await startTestApp(db.pool, { routes: clueMapRoutes(db.pool) });
  admin = await loginAs(db.pool, app.url, 'map-admin', 'admin');
  townOp = await loginAs(db.pool, app.url, 'map-op-t1', 'operator', ['T1']);
});
after(async () => {
  await app?.close();
  await db?.close();
});

const get = (path: string, token = admin) => api(`${app.url}${path}`, { token });

test('the backfill stores each clue’s H3 cell (h3-js, resolution 9) and leaves nothing behind', async () => {
  assert.equal(await backfillH3(db.pool, 100), clues.length);
  assert.equal(await backfillH3(db.pool, 100), 0, 'a second run finds nothing to do');
  const { rows } = await db.pool.query<{ code: string; h3: string }>(`SELECT code, h3_r9::text AS h3 FROM clues`);
  for (const r of rows) {
    const c = clues.find((x) => x.code === r.code)!;
    assert.equal(r.h3, h3CellOf(c.lon, c.lat));
    assert.equal(BigInt(r.h3).toString(16), latLngToCell(c.lat, c.lon, 9));
  }
});

test('nearby: nearest first, the same clues and metres as PostGIS without KNN, bearing from the point', async () => {
  const radiusM = 1_500;
  const r = await get(`/api/v1/clues/nearby?lon=${CENTRE.lon}&lat=${CENTRE.lat}&radiusM=${radiusM}&limit=25`);
  assert.equal(r.status, 200);
  const got = r.body.clues as { clue: { code: string }; distanceM: number; bearingDeg: number | null }[];
  assert.equal(got.length, 25);
  const { rows: oracle } = await db.pool.query<{ code: string; d: number }>(sql('oracle-nearby'), [CENTRE.lon, CENTRE.lat, radiusM]);
  const truth = new Map(oracle.map((o) => [o.code, o.d]));
  for (let i = 1; i < got.length; i++) assert.ok(got[i]!.distanceM >= got[i - 1]!.distanceM, 'ordered by distance');
  for (const g of got) assert.ok(Math.abs(truth.get(g.clue.code)! - g.distanceM) < 1e-6, `${g.clue.code}: PostGIS's distance`);
  // KNN orders on the sphere, distances are on the spheroid: only a near-tie at the cut may differ.
  const last = got.at(-1)!.distanceM;
  const mustHave = oracle.filter((o) => o.d < last * 0.995).map((o) => o.code);
  for (const code of mustHave) assert.ok(got.some((g) => g.clue.code === code), `${code} (nearer than the 25th) is in the answer`);
  const east = got.find((g) => g.clue.code === 'EAST')!;
  assert.ok(Math.abs(east.distanceM - 500) < 3, `EAST is ~500 m away (${east.distanceM})`);
  assert.ok(Math.abs(east.bearingDeg! - 90) < 0.5, `EAST bears 90° (${east.bearingDeg})`);

  const tiny = await get(`/api/v1/clues/nearby?lon=${CENTRE.lon}&lat=${CENTRE.lat}&radiusM=1`);
  assert.deepEqual(tiny.body.clues, [], 'nothing within 1 m');
});

test('scope: a town operator never sees another town’s clues, nearby, in the feed, in clusters or hotspots', async () => {
  const inT1 = new Set(clues.filter((c) => c.town === 'T1').map((c) => c.code));
  const near = await get(`/api/v1/clues/nearby?lon=${CENTRE.lon}&lat=${CENTRE.lat}&radiusM=5000&limit=200`, townOp);
  assert.equal(near.status, 200);
  assert.ok(near.body.clues.length > 0);
  for (const n of near.body.clues) assert.ok(inT1.has(n.clue.code), `${n.clue.code} is in T1`);
  assert.equal(near.body.clues.length, [...inT1].filter((c) => !c.startsWith('H-')).length, 'every T1 clue within 5 km');

  const feed = await fetch(`${app.url}/api/v1/map/clues?format=bin`, { headers: { authorization: `Bearer ${townOp}` } });
  const cols = decodeClueFeed(await feed.arrayBuffer());
  assert.deepEqual(new Set(cols.codes), inT1);

  const cl = await get(`/api/v1/map/clusters?z=10&bbox=121,29,122,31`, townOp);
  assert.equal(cl.body.clusters.reduce((s: number, c: { count: number }) => s + c.count, 0), inT1.size);

  const hot = await get(`/api/v1/hotspots?level=town&from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z`, townOp);
  assert.deepEqual(hot.body.areas.map((a: { area: string }) => a.area), ['T1']);
});

test('hotspots: counts per grid cell and local day or week, over clues and over alerts', async () => {
  const q = 'item=hot-item&from=2026-03-01T00:00:00%2B08:00&to=2026-03-16T00:00:00%2B08:00';
  const days = await get(`/api/v1/hotspots?level=grid&${q}`);
  assert.equal(days.status, 200);
  assert.equal(days.body.areaCount, 2);
  assert.deepEqual(days.body.areas, [
    { area: 'H1', total: 4, series: [{ bucket: '2026-03-02', count: 2 }, { bucket: '2026-03-03', count: 1 }, { bucket: '2026-03-09', count: 1 }] },
    { area: 'H2', total: 1, series: [{ bucket: '2026-03-04', count: 1 }] },
  ]);
  const weeks = await get(`/api/v1/hotspots?level=grid&bucket=week&${q}`);
  assert.deepEqual(weeks.body.areas, [
    { area: 'H1', total: 4, series: [{ bucket: '2026-03-02', count: 3 }, { bucket: '2026-03-09', count: 1 }] },
    { area: 'H2', total: 1, series: [{ bucket: '2026-03-02', count: 1 }] },
  ]);
  const alerts = await get(`/api/v1/hotspots?level=town&kind=alerts&${q}`);
  assert.deepEqual(alerts.body.areas, [
    { area: 'T1', total: 3, series: [{ bucket: '2026-03-02', count: 2 }, { bucket: '2026-03-03', count: 1 }] },
    { area: 'T2', total: 2, series: [{ bucket: '2026-03-04', count: 2 }] },
  ]);
  const top = await get(`/api/v1/hotspots?level=grid&limit=1&${q}`);
  assert.deepEqual(top.body.areas.map((a: { area: string }) => a.area), ['H1']);
  assert.equal(top.body.areaCount, 2);
  const period = await get(`/api/v1/hotspots?level=grid&item=hot-item&from=2026-03-03T00:00:00%2B08:00&to=2026-03-04T00:00:00%2B08:00`);
  assert.deepEqual(period.body.areas, [{ area: 'H1', total: 1, series: [{ bucket: '2026-03-03', count: 1 }] }], '[from, to) in local time');
});

test('hotspots by H3: cells are h3-js’s at resolution 9, and its parents at coarser ones', async () => {
  const q = 'from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z&limit=20000';
  for (const res of [9, 7, 5, 0]) {
    const r = await get(`/api/v1/hotspots?level=h3&res=${res}&${q}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.res, res);
    const expected = new Map<string, number>();
    for (const c of clues) {
      const cell = h3Parent(latLngToCell(c.lat, c.lon, 9), res);
      expected.set(cell, (expected.get(cell) ?? 0) + 1);
    }
    const got = new Map<string, number>(r.body.areas.map((a: { area: string; total: number }) => [a.area, a.total]));
    assert.deepEqual(got, expected, `resolution ${res}`);
  }
});

test('the binary feed decodes to the stored clues; a clue event patches it in place or appends', async () => {
  const res = await fetch(`${app.url}/api/v1/map/clues`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  const cols = decodeClueFeed(await res.arrayBuffer());
  const { rows } = await db.pool.query<{ code: string; lon: number; lat: number; status: string; severity: string; item: string }>(sql('clue-columns'));
  assert.equal(cols.count, rows.length);
  assert.equal(cols.seq, '0', 'no clue event yet');
  for (let i = 1; i < cols.count; i++) assert.ok(cols.severity[i]! >= cols.severity[i - 1]!, 'least severe first, the most severe drawn on top');
  // Clues come grouped, in no other set order: each stored clue is found by its code, once.
  const rowOf = new Map(cols.codes.map((code, i) => [code, i]));
  assert.equal(rowOf.size, rows.length, 'no code twice');
  rows.forEach((r) => {
    const i = rowOf.get(r.code);
    assert.ok(i !== undefined, `${r.code} is in the feed`);
    assert.equal(cols.lon[i], Math.fround(r.lon));
    assert.equal(cols.lat[i], Math.fround(r.lat));
    assert.equal(cols.statuses[cols.status[i]!], r.status);
    assert.equal(cols.severities[cols.severity[i]!], r.severity);
    assert.equal(cols.items[cols.item[i]!], r.item);
  });

  const filtered = decodeClueFeed(await (await fetch(`${app.url}/api/v1/map/clues?status=closed&bbox=121.5,29.8,121.55,29.9`, { headers: { authorization: `Bearer ${admin}` } })).arrayBuffer());
  const want = clues.filter((c) => c.status === 'closed' && c.lon <= 121.55 && c.lat >= 29.8 && c.lat <= 29.9).map((c) => c.code);
  assert.deepEqual(new Set(filtered.codes), new Set(want));

  const store = new ClueColumnStore(cols);
  store.upsert({ code: 'R-0001', status: 'closed', severity: 'critical', itemCode: null, position: { lon: 121.5, lat: 29.5 } }, '7');
  const i = store.rowOf('R-0001')!;
  assert.equal(cols.statuses[store.cols.status[i]!], 'closed');
  assert.equal(store.cols.severities[store.cols.severity[i]!], 'critical');
  assert.equal(store.cols.lon[i], Math.fround(121.5));
  assert.equal(store.cols.seq, '7');
  store.upsert({ code: 'NEW-1', status: 'new', severity: 'low', itemCode: 'brand-new-item', position: { lon: 121.6, lat: 29.6 } }, '8');
  assert.equal(store.cols.count, rows.length + 1);
  assert.equal(store.cols.items[store.cols.item[store.rowOf('NEW-1')!]!], 'brand-new-item');

  const empty = decodeClueFeed(await (await fetch(`${app.url}/api/v1/map/clues?bbox=0,0,1,1`, { headers: { authorization: `Bearer ${admin}` } })).arrayBuffer());
  assert.equal(empty.count, 0);
  assert.deepEqual(empty.codes, []);
});

test('clusters: every clue in the bbox is counted once, per severity too', async () => {
  const bbox = [121.52, 29.845, 121.58, 29.895];
  const r = await get(`/api/v1/map/clusters?z=14&bbox=${bbox.join(',')}`);
  assert.equal(r.status, 200);
  const inBox = clues.filter((c) => c.lon >= bbox[0]! && c.lat >= bbox[1]! && c.lon <= bbox[2]! && c.lat <= bbox[3]!);
  const sum = (f: (c: { count: number; bySeverity: Record<string, number> }) => number) => r.body.clusters.reduce((s: number, c: never) => s + f(c), 0);
  assert.equal(sum((c) => c.count), inBox.length);
  assert.equal(sum((c) => c.bySeverity.high!), inBox.filter((c) => c.severity === 'high').length);
  assert.ok(r.body.clusters.length > 1 && r.body.clusters.length < inBox.length, 'zoom 14 groups some');
  // The same squares, counts and mean positions as grouping the fixture here.
  const cellDeg = r.body.cellDeg as number;
  const oracle = new Map<string, { n: number; lon: number; lat: number; high: number }>();
  for (const c of inBox) {
    const key = `${Math.floor(c.lon / cellDeg)},${Math.floor(c.lat / cellDeg)}`;
    const o = oracle.get(key) ?? { n: 0, lon: 0, lat: 0, high: 0 };
    oracle.set(key, { n: o.n + 1, lon: o.lon + c.lon, lat: o.lat + c.lat, high: o.high + (c.severity === 'high' ? 1 : 0) });
  }
  assert.equal(r.body.clusters.length, oracle.size);
  for (const c of r.body.clusters as { lon: number; lat: number; count: number; bySeverity: Record<string, number> }[]) {
    const o = oracle.get(`${Math.floor(c.lon / cellDeg)},${Math.floor(c.lat / cellDeg)}`);
    assert.ok(o, `a cluster at ${c.lon},${c.lat} in a square of the fixture`);
    assert.equal(c.count, o.n);
    assert.equal(c.bySeverity.high, o.high);
    assert.ok(Math.abs(c.lon - o.lon / o.n) < 1e-9 && Math.abs(c.lat - o.lat / o.n) < 1e-9, 'at the mean position');
  }
  for (let i = 1; i < r.body.clusters.length; i++) assert.ok(r.body.clusters[i].count <= r.body.clusters[i - 1].count, 'biggest first');
  const coarse = await get(`/api/v1/map/clusters?z=3&bbox=${bbox.join(',')}`);
  assert.equal(coarse.body.clusters.length, 1, 'zoomed out, one cluster');
});

/** The clusters of the stored clues in `bbox` at `cellDeg`, grouped here: the oracle of the endpoint's answer. */
async function clusterOracle(bbox: number[], cellDeg: number, keep: (c: { status: string; town: string | null }) => boolean) {
  const { rows } = await db.pool.query<{ lon: number; lat: number; severity: string; status: string; town: string | null }>(sql('cluster-rows'));
  const out = new Map<string, { n: number; lon: number; lat: number; bySeverity: Record<string, number> }>();
  for (const c of rows) {
    if (!keep(c) || c.lon < bbox[0]! || c.lat < bbox[1]! || c.lon > bbox[2]! || c.lat > bbox[3]!) continue;
    const key = `${Math.floor(c.lon / cellDeg)},${Math.floor(c.lat / cellDeg)}`;
    const o = out.get(key) ?? { n: 0, lon: 0, lat: 0, bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) };
    o.bySeverity[c.severity]!++;
    out.set(key, { n: o.n + 1, lon: o.lon + c.lon, lat: o.lat + c.lat, bySeverity: o.bySeverity });
  }
  return out;
}

/** Asserts the clusters at every zoom of the counts kept at write time (and one finer) match the oracle. */
async function assertClustersMatch(when: string) {
  const bboxes = [
    [121.3, 29.7, 121.9, 30.1],
    [121.52, 29.845, 121.58, 29.895],
    [121.531, 29.851, 121.5405, 29.8602],
  ];
  const asks = [
    { token: admin, status: undefined, keep: () => true },
    { token: admin, status: 'new,closed', keep: (c: { status: string }) => c.status === 'new' || c.status === 'closed' },
    { token: townOp, status: undefined, keep: (c: { town: string | null }) => c.town === 'T1' },
  ];
  for (const bbox of bboxes)
    for (const z of [7, 10, 12, 13, 14])
      for (const a of asks) {
        const what = `${when}, z${z}, bbox ${bbox.join(',')}, status ${a.status ?? 'all'}`;
        const r = await get(`/api/v1/map/clusters?z=${z}&bbox=${bbox.join(',')}${a.status ? `&status=${a.status}` : ''}`, a.token);
        assert.equal(r.status, 200, what);
        const oracle = await clusterOracle(bbox, r.body.cellDeg as number, a.keep);
        const got = r.body.clusters as { lon: number; lat: number; count: number; bySeverity: Record<string, number> }[];
        assert.equal(got.length, oracle.size, `${what}: as many squares`);
        for (const c of got) {
          const o = oracle.get(`${Math.floor(c.lon / r.body.cellDeg)},${Math.floor(c.lat / r.body.cellDeg)}`);
          assert.ok(o, `${what}: a cluster at ${c.lon},${c.lat} in a square of the oracle`);
          assert.equal(c.count, o.n, what);
          assert.deepEqual(c.bySeverity, o.bySeverity, what);
          assert.ok(Math.abs(c.lon - o.lon / o.n) < 1e-9 && Math.abs(c.lat - o.lat / o.n) < 1e-9, `${what}: at the mean position`);
        }
        for (let i = 1; i < got.length; i++) assert.ok(got[i]!.count <= got[i - 1]!.count, `${what}: biggest first`);
      }
}

test('clusters from the counts kept at write time are the rows grouped, after moves, status, severity and code changes, deletes and inserts', async () => {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM clue_map_squares WHERE n > 0`);
  assert.ok(rows[0]!.n > 0, 'the inserted clues are counted');
  await assertClustersMatch('as inserted');
  await db.pool.query(sql('reshape-clues'));
  await assertClustersMatch('after the writes');
});

test('bad parameters are 400 GW_SPATIAL_BAD_QUERY; no token is 401', async () => {
  for (const path of [
    '/api/v1/clues/nearby?lon=200&lat=29',
    '/api/v1/clues/nearby?lon=121',
    '/api/v1/clues/nearby?lon=121&lat=29&radiusM=-5',
    '/api/v1/clues/nearby?lon=121&lat=29&limit=5000',
    '/api/v1/clues/nearby?lon=121&lat=29&colour=red',
    '/api/v1/hotspots?level=district',
    '/api/v1/hotspots?level=grid&res=7',
    '/api/v1/hotspots?level=h3&res=10',
    '/api/v1/hotspots?level=grid&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
    '/api/v1/hotspots?level=grid&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    '/api/v1/hotspots?level=grid&from=yesterday',
    '/api/v1/hotspots?level=grid&bucket=month',
    '/api/v1/map/clues?format=json',
    '/api/v1/map/clues?bbox=122,29,121,30',
    '/api/v1/map/clues?status=lost',
    '/api/v1/map/clusters?z=10',
    '/api/v1/map/clusters?z=30&bbox=121,29,122,30',
  ]) {
    const r = await get(path);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.error.code, 'GW_SPATIAL_BAD_QUERY', path);
  }
  assert.equal((await api(`${app.url}/api/v1/clues/nearby?lon=121&lat=29`)).status, 401);
  assert.equal((await api(`${app.url}/api/v1/map/clues`)).status, 401);
});
