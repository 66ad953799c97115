/**
 * The catalogue read APIs over real HTTP, on the catalogue store's tables: the catalogue in
 * force now or at a date with empowerment per town, the version history, units filtered by
 * kind, district and town, and the evaluation of clue outcomes read from the clues and their
 * timelines, with its refusals and jurisdiction scoping.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withTransaction } from '../../../db/transaction.js';
import { demoCatalogue } from '../../../server/catalogue/demo/index.js';
import type { CatalogueData } from '../../../server/catalogue/model.js';
import { catalogueReadRoutes } from '../../../server/catalogue/catalogue.routes.js';
import { CatalogueStore } from '../../../server/catalogue/catalogue-store.js';
import { recordChanges } from '../../../server/clues/stored-clue.js';
import { api, loginAs, startTestApp } from '../../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../../helpers/db.js';
import { insertClue } from '../../outbound/fixtures.js';

const D1 = '330203';
const D2 = '330205';
const TOWNS = [
  { code: '330203001', name: '一号街道', districtCode: D1 },
  { code: '330203002', name: '二号街道', districtCode: D1 },
  { code: '330203003', name: '三号街道', districtCode: D1 },
  { code: '330205001', name: '四号镇', districtCode: D2 },
  { code: '330205002', name: '五号镇', districtCode: D2 },
];

describe('catalogue API', () => {
  let db: TestDb;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let data: CatalogueData;
  const tokens: Record<string, string> = {};

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    const store = new CatalogueStore(db.pool);
    await store.load();
    data = demoCatalogue(TOWNS, 'catalogue-api-test');
    await store.importData(data, 'demo', null);
    app = await startTestApp(db.pool, { routes: catalogueReadRoutes(db.pool, store) });
    tokens.planner = await loginAs(db.pool, app.url, 'cat-planner', 'planner');
    tokens.d1Planner = await loginAs(db.pool, app.url, 'cat-planner-d1', 'planner', [D1]);
    tokens.worker = await loginAs(db.pool, app.url, 'cat-worker', 'worker', [D1]);
  });
  after(async () => {
    await app?.close();
    await db?.close();
  });

  const v2 = () => data.versions.find((v) => v.version === 2)!;
  const v1 = () => data.versions.find((v) => v.version === 1)!;

  test('every endpoint needs a login', async () => {
    for (const path of ['/api/v1/catalogue', '/api/v1/catalogue/versions', '/api/v1/units', '/api/v1/catalogue/evaluation?from=2026-01-01&to=2026-01-31']) {
      const r = await api(`${app.url}${path}`);
      assert.equal(r.status, 401, path);
      assert.equal(r.body.error.code, 'GW_AUTH_REQUIRED');
    }
  });

  test('GET /catalogue: the version in force now, or at ?at=, with empowerment per town', async () => {
    const now = await api(`${app.url}/api/v1/catalogue`, { token: tokens.worker });
    assert.equal(now.status, 200);
    assert.equal(now.body.version, 2);
    const granted = v2().grants[0]!;
    const revoked = v2().revocations[0]!;
    const town = now.body.towns.find((t: { townCode: string }) => t.townCode === granted.townCode);
    const held = town.items.map((i: { itemCode: string }) => i.itemCode);
    for (const code of granted.itemCodes) assert.ok(held.includes(code), `${code} granted to ${granted.townCode} by v2`);
    for (const code of revoked.itemCodes) assert.equal(held.includes(code), false, `${code} taken back by v2`);
    const grant = town.items.find((i: { itemCode: string }) => i.itemCode === granted.itemCodes[0]);
    assert.deepEqual({ since: grant.since, version: grant.version }, { since: '2024-03-01', version: 2 });
    const item = now.body.items.find((i: { code: string }) => i.code === granted.itemCodes[0]);
    assert.ok(item.empoweredTowns.includes(granted.townCode), 'each item lists its empowered towns');
    assert.ok(item.name.zh && item.deadlineMin > 0);

    const before = await api(`${app.url}/api/v1/catalogue?at=2024-02-29`, { token: tokens.worker });
    assert.equal(before.body.version, 1, 'the day before v2 took effect');
    const beforeTown = before.body.towns.find((t: { townCode: string }) => t.townCode === revoked.townCode);
    for (const code of revoked.itemCodes) assert.ok(beforeTown.items.some((i: { itemCode: string }) => i.itemCode === code), `${code} still held under v1`);
    assert.equal(before.body.items.length, v1().items.length);
    const atBoundary = await api(`${app.url}/api/v1/catalogue?at=${encodeURIComponent('2024-02-29T16:00:00Z')}`, { token: tokens.worker });
    assert.equal(atBoundary.body.version, 2, 'v2 is in force from local (UTC+8) midnight');

    const none = await api(`${app.url}/api/v1/catalogue?at=2020-01-01`, { token: tokens.worker });
    assert.equal(none.status, 404);
    const bad = await api(`${app.url}/api/v1/catalogue?at=yesterday`, { token: tokens.worker });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'GW_VALIDATION');
  });

  test('GET /catalogue/versions: history with dates, notes, grants and revocations', async () => {
    const r = await api(`${app.url}/api/v1/catalogue/versions`, { token: tokens.worker });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.versions.map((v: { version: number }) => v.version), [1, 2]);
    const [first, second] = r.body.versions;
    assert.equal(first.effectiveFrom, '2023-01-01');
    assert.equal(first.inForceFrom, '2022-12-31T16:00:00.000Z');
    assert.equal(first.inForce, false);
    assert.equal(second.inForce, true);
    assert.deepEqual(second.note, v2().note);
    assert.deepEqual(second.grants, v2().grants);
    assert.deepEqual(second.revocations, v2().revocations);
    assert.deepEqual(second.itemsAddedOrChanged, v2().items.map((i) => i.code));
    assert.equal(second.itemCount, v1().items.length + v2().items.length);
    assert.ok(first.empoweredTownCount > 0 && first.empoweredTownCount < TOWNS.length);
  });

  test('GET /units: filtered by kind, district and town', async () => {
    const all = await api(`${app.url}/api/v1/units`, { token: tokens.worker });
    assert.equal(all.body.units.length, data.units.length);
    const teams = await api(`${app.url}/api/v1/units?kind=town-team&district=${D2}`, { token: tokens.worker });
    assert.deepEqual(
      teams.body.units.map((u: { id: string }) => u.id).sort(),
      data.units.filter((u) => u.kind === 'town-team' && u.districtCode === D2).map((u) => u.id).sort(),
    );
    assert.equal(teams.body.units.length, 2);
    const town = await api(`${app.url}/api/v1/units?town=330203002`, { token: tokens.worker });
    assert.ok(town.body.units.some((u: { kind: string; townCode: string }) => u.kind === 'town-team' && u.townCode === '330203002'));
    assert.ok(town.body.units.every((u: { townCode?: string; linkedTownCodes?: string[] }) => u.townCode === '330203002' || u.linkedTownCodes?.includes('330203002')));
    const bad = await api(`${app.url}/api/v1/units?kind=mayor`, { token: tokens.worker });
    assert.equal(bad.status, 400);
  });

  test('GET /catalogue/evaluation: volume, on-time and transfer rates, delegate and take-back candidates, scoped', async () => {
    const day = 86_400_000;
    const opened = new Date(Date.now() - 3 * day);
    // v2's holdings: find a delegable item a D1 town lacks, and one a D1 town holds.
    const cat = (await api(`${app.url}/api/v1/catalogue`, { token: tokens.planner })).body;
    const held = new Map<string, string[]>(cat.towns.map((t: { townCode: string; items: { itemCode: string }[] }) => [t.townCode, t.items.map((i) => i.itemCode)]));
    const delegable = cat.items.filter((i: { assignment: string }) => i.assignment === 'delegable').map((i: { code: string }) => i.code) as string[];
    const empoweredD1 = TOWNS.find((t) => t.districtCode === D1 && (held.get(t.code)?.length ?? 0) > 0)!.code;
    const heldItem = held.get(empoweredD1)![0]!;
    const lacking = TOWNS.find((t) => t.districtCode === D1 && delegable.some((c) => !held.get(t.code)?.includes(c)))!.code;
    const notHeld = delegable.find((c) => !held.get(lacking)?.includes(c))!;

    let n = 0;
    const clue = (town: string, item: string, extra: { deadline?: Date; status?: string } = {}) =>
      insertClue(db.pool, { code: `${D1}-E-${String(n++).padStart(4, '0')}`, itemCode: item, townCode: town, districtCode: D1, openedAt: opened, ...extra });
    // Frequent where not empowered: ten clues, all still within their deadline.
    for (let i = 0; i < 10; i++) await clue(lacking, notHeld, { deadline: new Date(Date.now() + day) });
    // Often missed where empowered: five clues past their deadline, never closed …
    for (let i = 0; i < 5; i++) await clue(empoweredD1, heldItem, { deadline: new Date(opened.getTime() + 3600_000) });
    // … and one closed in time after a transfer.
    const closed = await clue(empoweredD1, heldItem, { deadline: new Date(opened.getTime() + day), status: 'closed' });
    const steps = [
      ['dispatch', 'new', 'dispatched', 1],
      ['transfer', 'dispatched', 'transferred', 2],
      ['accept', 'transferred', 'accepted', 3],
      ['close', 'verified', 'closed', 4],
    ] as const;
    await withTransaction(db.pool, (c) =>
      recordChanges(
        c,
        steps.map(([action, from, to, at]) => ({ clue_id: Number(closed), at: opened.getTime() + at * 60_000, actor: 'test', action, from_status: from, to_status: to, source: null, detail: {} })),
        [],
      ),
    );
    // A clue in the other district, which the D1 planner must not see.
    await insertClue(db.pool, { code: `${D2}-E-0001`, itemCode: heldItem, townCode: '330205001', districtCode: D2, openedAt: opened });

    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const weekAgo = new Date(Date.now() + 8 * 3600_000 - 7 * day).toISOString().slice(0, 10);
    const r = await api(`${app.url}/api/v1/catalogue/evaluation?from=${weekAgo}&to=${today}`, { token: tokens.planner });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.catalogueVersion, 2);
    const row = (town: string, item: string) => r.body.rows.find((x: { townCode: string; itemCode: string }) => x.townCode === town && x.itemCode === item);
    const delegate = row(lacking, notHeld);
    assert.deepEqual(
      { clues: delegate.clues, empowered: delegate.empowered, onTime: delegate.onTime, late: delegate.late, onTimeRate: delegate.onTimeRate, flag: delegate.flag },
      { clues: 10, empowered: false, onTime: 0, late: 0, onTimeRate: null, flag: 'delegate' },
    );
    const takeBack = row(empoweredD1, heldItem);
    assert.deepEqual(
      { clues: takeBack.clues, empowered: takeBack.empowered, onTime: takeBack.onTime, late: takeBack.late, flag: takeBack.flag },
      { clues: 6, empowered: true, onTime: 1, late: 5, flag: 'take-back' },
    );
    assert.equal(takeBack.onTimeRate, 1 / 6);
    assert.equal(takeBack.transferRate, 1 / 6, 'one of six changed hands');
    const catItem = cat.items.find((i: { code: string }) => i.code === heldItem);
    assert.deepEqual(takeBack.itemName, { zh: catItem.name.zh, en: catItem.name.en }, 'rows name their item');
    assert.ok(row('330205001', heldItem), 'an unscoped planner sees the whole city');

    const scoped = await api(`${app.url}/api/v1/catalogue/evaluation?from=${weekAgo}&to=${today}`, { token: tokens.d1Planner });
    assert.equal(scoped.status, 200);
    assert.ok(scoped.body.rows.length > 0);
    assert.ok(scoped.body.rows.every((x: { townCode: string }) => x.townCode.startsWith(D1)), 'a D1 planner sees only D1 towns');
    const own = await api(`${app.url}/api/v1/catalogue/evaluation?from=${weekAgo}&to=${today}&district=${D1}`, { token: tokens.d1Planner });
    assert.deepEqual(own.body.rows, scoped.body.rows);
    const other = await api(`${app.url}/api/v1/catalogue/evaluation?from=${weekAgo}&to=${today}&district=${D2}`, { token: tokens.d1Planner });
    assert.equal(other.status, 403);
    assert.equal(other.body.error.code, 'GW_OUT_OF_SCOPE');

    const lenient = await api(`${app.url}/api/v1/catalogue/evaluation?from=${weekAgo}&to=${today}&frequentMin=11&minOnTimeRate=0.1`, { token: tokens.planner });
    assert.equal(lenient.body.rows.find((x: { townCode: string; itemCode: string }) => x.townCode === lacking && x.itemCode === notHeld).flag, null, 'thresholds come from the query');
    assert.equal(lenient.body.options.frequentMin, 11);

    const worker = await api(`${app.url}/api/v1/catalogue/evaluation?from=${weekAgo}&to=${today}`, { token: tokens.worker });
    assert.equal(worker.status, 403);
    assert.equal(worker.body.error.code, 'GW_FORBIDDEN');
    const reversed = await api(`${app.url}/api/v1/catalogue/evaluation?from=${today}&to=${weekAgo}`, { token: tokens.planner });
    assert.equal(reversed.status, 400);
    const missing = await api(`${app.url}/api/v1/catalogue/evaluation?from=${weekAgo}`, { token: tokens.planner });
    assert.equal(missing.status, 400);
  });

  test('the four endpoints are in the OpenAPI document, with who may call them and what they answer', async () => {
    const paths = (await api(`${app.url}/api/v1/openapi.json`)).body.paths;
    for (const p of ['/api/v1/catalogue', '/api/v1/catalogue/versions', '/api/v1/units', '/api/v1/catalogue/evaluation'])
      assert.equal(paths[p]?.get?.responses['200'].content['application/json'].schema.type, 'object', p);
    const evaluation = paths['/api/v1/catalogue/evaluation'].get;
    assert.deepEqual(evaluation.parameters.map((x: { name: string }) => x.name).slice(0, 3), ['from', 'to', 'district']);
    assert.deepEqual(evaluation['x-roles'], ['planner', 'admin']);
    assert.ok(evaluation.responses['200'].content['application/json'].schema.properties.rows.items.properties.flag);
    assert.match(evaluation.responses['403'].description, /GW_OUT_OF_SCOPE/);
    assert.deepEqual(paths['/api/v1/units'].get['x-roles'], ['admin', 'operator', 'worker', 'officer', 'planner']);
  });
});
