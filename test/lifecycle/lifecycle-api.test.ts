import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { importLayer } from '../../geo/import/import.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import type { Role } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { calendarRoutes } from '../../server/lifecycle/calendar.routes.js';
import { chineseDaysSeed, seedCalendar } from '../../server/lifecycle/calendar-store.js';
import { DeadlineScheduler } from '../../server/lifecycle/deadline-scheduler.js';
import { instructionRoutes } from '../../server/lifecycle/instruction.routes.js';
import { warningRoutes } from '../../server/lifecycle/warning.routes.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { DEVICES, DISTRICT, PLACES, TOWN_A, TOWN_B, miniCatalogue, miniLayers, miniLocator } from '../pipeline/helpers/mini-city.js';
import { T0, stored, truck } from '../pipeline/helpers/events.js';

const log = createLogger('silent');
const MIN = 60_000;
const OPENED = T0 + 60_000;
let db: TestDb;
let store: CatalogueStore;
let app: Awaited<ReturnType<typeof startTestApp>>;
let clock = OPENED;
const tokens: Record<string, string> = {};
/** Clue in town A (team A) and in town B (construction department). */
let A: string;
let B: string;

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  tokens[username] = await loginAs(db.pool, app.url, username, role, scopes, unitId);
}
const get = (who: string, path: string) => api(`${app.url}${path}`, { token: tokens[who] });
const post = (who: string, path: string, body: unknown = {}) => api(`${app.url}${path}`, { token: tokens[who], body });
const iso = (ms: number) => new Date(ms).toISOString();
/** PUTs a CSV calendar for 2031 as text/csv. */
async function putCsv(who: string, text: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}/api/v1/calendar/2031`, { method: 'PUT', headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'text/csv' }, body: text });
  return { status: res.status, body: await res.json() };
}
const box = ([w, s, e, n]: number[]) => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
const scheduler = () => new DeadlineScheduler({ pool: db.pool, catalogue: () => store.current(), log, now: () => clock });
const issue = (who: string, over: Record<string, unknown> = {}) =>
  post(who, '/api/v1/instructions', { targetUnitId: `team-${TOWN_A.code}`, subject: { kind: 'clue', clueCode: A }, title: '核查渣土倾倒', body: '请于一小时内到场核查并回复', dueAt: iso(clock + 60 * MIN), ...over });

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  await seedCalendar(db.pool, chineseDaysSeed());
  for (const { layer, fc } of miniLayers()) assert.ok((await importLayer(db.pool, fc, { layer, source: 'test' })).importId);
  store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => OPENED });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  [A, B] = (await db.pool.query<{ code: string }>('SELECT code FROM clues ORDER BY town_code')).rows.map((r) => r.code) as [string, string];
  app = await startTestApp(db.pool, {
    routes: [...instructionRoutes(db.pool, { units: () => store.current().directory, now: () => clock }), ...warningRoutes(db.pool), ...calendarRoutes(db.pool)],
  });
  await user('admin', 'admin', []);
  await user('planner', 'planner', []);
  await user('op-district', 'operator', [DISTRICT.code]);
  await user('op-town-a', 'operator', [TOWN_A.code]);
  await user('op-elsewhere', 'operator', ['330212']);
  await user('worker-a', 'worker', [TOWN_A.code], `team-${TOWN_A.code}`);
  await user('worker-b', 'worker', [TOWN_B.code], `team-${TOWN_B.code}`);
  await user('officer-construction', 'officer', [], 'dept-330203-construction');
  await user('coord-district', 'operator', [], 'coord-330203');
  await scheduler().runOnce(); // plans the two clues' deadlines
});
after(async () => {
  await app?.close();
  await db.close();
});

test('issue: an operator about a clue, a jurisdiction or an area in scope, to a unit of the district', async () => {
  const r = await issue('op-district');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'issued');
  assert.deepEqual(r.body.subject, { kind: 'clue', clueCode: A });
  assert.deepEqual(r.body.placeCodes, [DISTRICT.code, TOWN_A.code]);
  assert.equal(r.body.dueAt, iso(clock + 60 * MIN));
  assert.deepEqual([r.body.warned, r.body.overdue], [false, false]);

  const town = await issue('op-district', { subject: { kind: 'jurisdiction', code: TOWN_B.code }, targetUnitId: `team-${TOWN_B.code}` });
  assert.equal(town.status, 201, JSON.stringify(town.body));
  assert.deepEqual(town.body.placeCodes, [TOWN_B.code, DISTRICT.code]);
  const area = await issue('op-town-a', { subject: { kind: 'area', area: box([121.505, 29.862, 121.515, 29.868]) } });
  assert.equal(area.status, 201, JSON.stringify(area.body));
  assert.deepEqual(area.body.placeCodes, [DISTRICT.code, TOWN_A.code].sort());
  assert.equal(area.body.subject.area.type, 'MultiPolygon');
  const cityUnit = await issue('op-town-a', { targetUnitId: 'custodian-municipal' });
  assert.equal(cityUnit.status, 201, 'a city-level unit may be instructed from a district or town');
});

test('issue refusals: roles, scope (as if unknown), units, due time, bad input', async () => {
  for (const who of ['worker-a', 'officer-construction', 'planner']) {
    const r = await issue(who);
    assert.equal(r.status, 403, who);
    assert.equal(r.body.error.code, 'GW_FORBIDDEN');
  }
  const foreignClue = await issue('op-elsewhere');
  assert.equal(foreignClue.status, 404);
  assert.equal(foreignClue.body.error.code, 'GW_CLUE_NOT_FOUND');
  const foreignTown = await issue('op-elsewhere', { subject: { kind: 'jurisdiction', code: TOWN_A.code }, targetUnitId: 'custodian-municipal' });
  const unknownTown = await issue('op-elsewhere', { subject: { kind: 'jurisdiction', code: '999999001' }, targetUnitId: 'custodian-municipal' });
  assert.equal(foreignTown.status, 422);
  assert.equal(foreignTown.body.error.code, 'GW_INSTRUCTION_INVALID');
  assert.equal(foreignTown.body.error.message.replace(TOWN_A.code, '?'), unknownTown.body.error.message.replace('999999001', '?'), 'a foreign jurisdiction reads as an unknown one');
  const otherTeam = await issue('op-town-a', { targetUnitId: `team-${TOWN_B.code}` });
  assert.equal(otherTeam.body.error.code, 'GW_INSTRUCTION_INVALID', "a town operator cannot instruct the neighbouring town's team");
  assert.equal((await issue('op-district', { targetUnitId: 'no-such-unit' })).body.error.code, 'GW_INSTRUCTION_INVALID');
  const spans = await issue('op-town-a', { subject: { kind: 'area', area: box([121.52, 29.862, 121.54, 29.868]) } });
  assert.equal(spans.status, 422, 'an area reaching into town B is not town A’s');
  const outside = await issue('op-district', { subject: { kind: 'area', area: box([120, 29, 120.1, 29.1]) } });
  assert.equal(outside.body.error.code, 'GW_INSTRUCTION_INVALID', 'an area in no jurisdiction');
  const bowtie = await issue('op-district', { subject: { kind: 'area', area: { type: 'Polygon', coordinates: [[[121.51, 29.87], [121.52, 29.88], [121.52, 29.87], [121.51, 29.88], [121.51, 29.87]]] } } });
  assert.equal(bowtie.body.error.code, 'GW_INSTRUCTION_INVALID', 'a self-intersecting polygon');
  const open = await issue('op-district', { subject: { kind: 'area', area: { type: 'Polygon', coordinates: [[[121.51, 29.87], [121.52, 29.88], [121.52, 29.87], [121.51, 29.88]]] } } });
  assert.equal(open.status, 400, 'a ring that does not close');
  assert.equal((await issue('op-district', { dueAt: iso(clock - MIN) })).body.error.code, 'GW_INSTRUCTION_INVALID');
  assert.equal((await issue('op-district', { title: '' })).status, 400);
  assert.equal((await api(`${app.url}/api/v1/instructions`, { body: {} })).status, 401);
});

test('list and read: scope and the unit addressed; out of scope answers as an unknown id', async () => {
  const ids = async (who: string, q = '') => (await get(who, `/api/v1/instructions${q}`)).body.instructions.map((i: { id: number }) => i.id).sort();
  const all = await get('op-district', '/api/v1/instructions');
  assert.equal(all.status, 200);
  assert.equal(all.body.counts.total, 4);
  assert.equal(all.body.counts.issued, 4);
  assert.deepEqual(await ids('op-elsewhere'), []);
  assert.equal((await ids('worker-b')).length, 1, 'worker B sees the one about town B (scope), not town A’s');
  assert.equal((await ids('worker-a')).length, 3);
  assert.equal((await ids('op-district', `?unit=team-${TOWN_B.code}`)).length, 1);
  assert.equal((await ids('op-district', '?status=answered')).length, 0);
  assert.equal((await get('op-district', '/api/v1/instructions?overdue=maybe')).status, 400);
  assert.equal((await get('op-district', '/api/v1/instructions?colour=red')).status, 400);

  const first = all.body.instructions.at(-1);
  const detail = await get('worker-a', `/api/v1/instructions/${first.id}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(detail.body.events.map((e: { action: string }) => e.action), ['issued']);
  const foreign = await get('op-elsewhere', `/api/v1/instructions/${first.id}`);
  const unknown = await get('op-elsewhere', '/api/v1/instructions/999999');
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.error.code, 'GW_INSTRUCTION_NOT_FOUND');
  assert.equal(foreign.body.error.message.replace(String(first.id), '?'), unknown.body.error.message.replace('999999', '?'));
  assert.equal((await get('op-district', '/api/v1/instructions/abc')).status, 400);
});

test('acknowledge and answer: only the unit addressed, in order', async () => {
  const id = (await issue('op-district')).body.id;
  const path = (what: string) => `/api/v1/instructions/${id}/${what}`;
  assert.equal((await post('worker-b', path('acknowledge'))).body.error.code, 'GW_INSTRUCTION_NOT_FOUND', 'out of scope: as if unknown');
  assert.equal((await post('op-elsewhere', path('acknowledge'))).status, 404);
  const commander = await post('op-district', path('acknowledge'));
  assert.equal(commander.status, 403, 'the issuer sees it but is not the unit addressed');
  assert.equal(commander.body.error.code, 'GW_INSTRUCTION_FORBIDDEN');
  assert.equal((await post('planner', path('acknowledge'))).body.error.code, 'GW_FORBIDDEN');
  const early = await post('worker-a', path('answer'), { answer: '已处置' });
  assert.equal(early.status, 409, 'answer before acknowledging');
  assert.equal(early.body.error.code, 'GW_INSTRUCTION_STATE');
  clock += 5 * MIN;
  const ack = await post('worker-a', path('acknowledge'));
  assert.equal(ack.status, 200);
  assert.equal(ack.body.status, 'acknowledged');
  assert.equal(ack.body.acknowledgedBy, 'worker-a');
  assert.equal(ack.body.acknowledgedAt, iso(clock));
  assert.equal((await post('worker-a', path('acknowledge'))).status, 409);
  assert.equal((await post('worker-a', path('answer'), { answer: ' ' })).status, 400);
  const answered = await post('worker-a', path('answer'), { answer: '已到场核查，渣土已清运' });
  assert.equal(answered.status, 200);
  assert.equal(answered.body.status, 'answered');
  assert.equal(answered.body.answer, '已到场核查，渣土已清运');
  const detail = await get('op-district', `/api/v1/instructions/${id}`);
  assert.deepEqual(detail.body.events.map((e: { action: string }) => e.action), ['issued', 'acknowledged', 'answered']);
});

test('instruction deadlines: warned at 80 %, overdue at the due time, on the warnings list until answered', async () => {
  const issuedAt = clock;
  const id = (await issue('op-district', { subject: { kind: 'jurisdiction', code: TOWN_A.code } })).body.id;
  clock = issuedAt + 50 * MIN;
  await scheduler().runOnce();
  const warned = (await get('op-district', `/api/v1/instructions/${id}`)).body;
  assert.deepEqual([warned.instruction.warned, warned.instruction.overdue], [true, false]);
  let w = await get('op-district', '/api/v1/warnings?kind=instruction');
  assert.ok(w.body.instructions.some((x: { category: string; instruction: { id: number } }) => x.instruction.id === id && x.category === 'due-soon'));

  clock = issuedAt + 61 * MIN;
  const run = await scheduler().runOnce();
  assert.ok(run.instructionSteps >= 1);
  assert.equal((await scheduler().runOnce()).instructionSteps, 0, 'each step once');
  const overdue = await get('op-district', '/api/v1/instructions?overdue=true');
  assert.ok(overdue.body.instructions.some((i: { id: number }) => i.id === id));
  w = await get('op-district', '/api/v1/warnings?kind=instruction&category=overdue');
  assert.ok(w.body.instructions.some((x: { category: string; instruction: { id: number } }) => x.instruction.id === id && x.category === 'overdue'));
  const events = (await get('op-district', `/api/v1/instructions/${id}`)).body.events.map((e: { action: string; actor: string }) => `${e.actor}:${e.action}`);
  assert.deepEqual(events, ['op-district:issued', 'system:deadline.warning', 'system:deadline.overdue']);

  await post('worker-a', `/api/v1/instructions/${id}/acknowledge`);
  const late = await post('worker-a', `/api/v1/instructions/${id}/answer`, { answer: '迟复' });
  assert.equal(late.body.overdue, true, 'answered late: still marked overdue');
  w = await get('op-district', '/api/v1/warnings?kind=instruction');
  assert.ok(!w.body.instructions.some((x: { instruction: { id: number } }) => x.instruction.id === id), 'answered: off the warnings list');
});

test('clue warnings: categories, counts, filters and scope', async () => {
  clock = OPENED + 100 * MIN; // both clues unaccepted: past the accept deadline and both escalations
  await scheduler().runOnce();
  const w = await get('op-district', '/api/v1/warnings');
  assert.equal(w.status, 200);
  assert.deepEqual(w.body.counts.clues, { 'due-soon': 0, overdue: 0, escalated: 2 });
  assert.deepEqual(w.body.clues.map((c: { clue: { code: string } }) => c.clue.code).sort(), [A, B].sort());
  assert.ok(w.body.clues.every((c: { category: string; clue: { escalationLevel: string; acceptOverdue: boolean } }) => c.category === 'escalated' && c.clue.escalationLevel === 'city' && c.clue.acceptOverdue));
  const townA = await get('op-town-a', '/api/v1/warnings?kind=clue');
  assert.deepEqual(townA.body.clues.map((c: { clue: { code: string } }) => c.clue.code), [A]);
  assert.deepEqual(townA.body.instructions, [], 'kind=clue leaves instructions out');
  assert.equal((await get('op-elsewhere', '/api/v1/warnings')).body.counts.clues.escalated, 0, 'another district sees none');
  assert.deepEqual((await get('op-elsewhere', '/api/v1/warnings')).body.clues, []);
  const board = await get('coord-district', '/api/v1/warnings?kind=clue');
  assert.equal(board.body.clues.length, 2, 'the district command centre, escalated to, sees them through its board');
  assert.equal((await get('op-district', `/api/v1/warnings?town=${TOWN_B.code}`)).body.clues.length, 1);
  assert.equal((await get('op-district', '/api/v1/warnings?unit=dept-330203-construction')).body.clues[0].clue.code, B);
  const overdueOnly = await get('op-district', '/api/v1/warnings?category=overdue');
  assert.deepEqual(overdueOnly.body.clues, []);
  assert.equal(overdueOnly.body.counts.clues.escalated, 2, 'counts ignore the category filter');
  assert.equal((await get('planner', '/api/v1/warnings')).body.clues.length, 2);
  assert.equal((await get('op-district', '/api/v1/warnings?category=late')).status, 400);
  assert.equal((await get('op-district', '/api/v1/warnings?kind=task')).status, 400);
  assert.equal((await api(`${app.url}/api/v1/warnings`)).status, 401);
});

test('calendar: everyone reads, administrators import a year as JSON or CSV, checked as a whole', async () => {
  const years = await get('worker-a', '/api/v1/calendar');
  assert.ok(years.body.years.some((y: { year: number; source: string }) => y.year === 2026 && y.source === 'chinese-days'));
  const y2026 = await get('worker-a', '/api/v1/calendar/2026');
  assert.ok(y2026.body.days.some((d: { date: string; kind: string }) => d.date === '2026-02-28' && d.kind === 'workday'));
  assert.ok(y2026.body.days.some((d: { date: string; kind: string }) => d.date === '2026-10-01' && d.kind === 'holiday'));

  const days = [
    { date: '2031-01-01', kind: 'holiday', name: '元旦' },
    { date: '2031-01-04', kind: 'workday', name: '元旦调休' },
  ];
  const refused = await api(`${app.url}/api/v1/calendar/2031`, { method: 'PUT', token: tokens['op-district'], body: { days } });
  assert.equal(refused.status, 403);
  const json = await api(`${app.url}/api/v1/calendar/2031`, { method: 'PUT', token: tokens.admin, body: { days } });
  assert.equal(json.status, 200, JSON.stringify(json.body));
  assert.deepEqual([json.body.source, json.body.dayCount, json.body.importedBy], ['json', 2, 'admin']);
  const csv = await putCsv('admin', 'date,kind,name\r\n2031-01-01,holiday,元旦\r\n2031-01-02,holiday,元旦\r\n');
  assert.equal(csv.status, 200, JSON.stringify(csv.body));
  assert.deepEqual([csv.body.source, csv.body.dayCount], ['csv', 2]);
  assert.deepEqual((await get('admin', '/api/v1/calendar/2031')).body.days.map((d: { date: string }) => d.date), ['2031-01-01', '2031-01-02'], 'the import replaced the year');

  const bad = async (body: unknown) => api(`${app.url}/api/v1/calendar/2031`, { method: 'PUT', token: tokens.admin, body });
  const weekday = await bad({ days: [{ date: '2031-01-01', kind: 'holiday', name: '元旦' }, { date: '2031-01-06', kind: 'workday', name: '?' }] });
  assert.equal(weekday.status, 422);
  assert.equal(weekday.body.error.code, 'GW_CALENDAR_INVALID');
  assert.deepEqual(weekday.body.error.details.problems, ['2031-01-06 is a weekday: only a weekend day can be a make-up workday (调休)']);
  assert.equal((await bad({ days: [{ date: '2030-12-31', kind: 'holiday', name: 'x' }] })).body.error.details.problems[0], '2030-12-31 is not in 2031');
  assert.equal((await bad({ days: [{ date: '2031-02-30', kind: 'holiday', name: 'x' }] })).status, 400);
  assert.equal((await putCsv('admin', 'day,type\n2031-01-01,holiday\n')).body.error.code, 'GW_CALENDAR_INVALID');
  assert.equal((await putCsv('op-district', 'date,kind,name\n2031-01-01,holiday,元旦\n')).status, 403);
  const line = await putCsv('admin', 'date,kind,name\n2031-01-01,holiday,元旦\n2031-01-09,off,x\n');
  assert.match(line.body.error.details.problems[0], /^line 3: kind/);
  assert.equal((await get('admin', '/api/v1/calendar/1999')).status, 400);

  // The seed never overwrites an imported year.
  assert.deepEqual(await seedCalendar(db.pool, new Map([[2031, [{ date: '2031-10-01', kind: 'holiday', name: '国庆节' }]]])), []);
  assert.equal((await get('admin', '/api/v1/calendar/2031')).body.days.length, 2);
});
