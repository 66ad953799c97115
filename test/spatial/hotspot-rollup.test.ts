import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSql } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { h3Hex } from '../../geo/h3-cell.js';
import { scopeOf, scopeSqlParams } from '../../server/auth/policy.js';
import type { User } from '../../server/auth/users.js';
import { recordChanges, type TimelineRow } from '../../server/clues/stored-clue.js';
import { backfillH3 } from '../../server/spatial/backfill-h3.js';
import { hotspots } from '../../server/spatial/hotspots.js';
import type { HotspotFilter } from '../../server/spatial/spatial-queries.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { prng } from '../helpers/prng.js';

/**
 * The hotspot rollups (migration 116) against the raw query they replace: the oracle is
 * server/spatial/sql/hotspots.sql run over the whole period, the service's answer comes from
 * the rollups for whole local days (plus raw rows for the partial ones, or raw rows alone for
 * unit scopes). Clues and alerts are written, then moved (H3 backfill, re-route, transfer,
 * merge, new town), then written again, and many random filters must agree.
 */
const sql = (name: string) => loadSql(new URL(`./sql/${name}.sql`, import.meta.url));
const oracleSql = loadSql(new URL('../../server/spatial/sql/hotspots.sql', import.meta.url));

const DAY = 86_400_000;
/** Local midnight starting Monday 2 March 2026 (Asia/Shanghai); the data spans 16 days from it. */
const START = Date.parse('2026-03-02T00:00:00+08:00');
const SPAN_DAYS = 16;
const ITEMS = ['item-a', 'item-b', 'item-c', ''];
const TOWNS = ['T1', 'T2', 'T3'];

let db: TestDb;
const rand = prng(20260302);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** `count` clues over 3 towns (2 districts), 6 communities, 12 grid cells (one clue in 10 without one), 4 units. */
async function addClues(count: number, tag: string): Promise<{ id: number; opened: Date }[]> {
  const cols: string[][] = Array.from({ length: 12 }, () => []);
  for (let i = 0; i < count; i++) {
    const town = pick(TOWNS);
    const community = `${town}-C${Math.floor(rand() * 2)}`;
    const grid = rand() < 0.1 ? '' : `${community}-G${Math.floor(rand() * 2)}`;
    const row = [
      `${tag}-${i}`,
      pick(ITEMS),
      String(121.5 + rand() * 0.2),
      String(29.8 + rand() * 0.15),
      new Date(START + rand() * SPAN_DAYS * DAY).toISOString(),
      town === 'T3' ? 'D2' : 'D1',
      town,
      community,
      grid,
      pick(['U1', 'U2', 'U3', 'U4']),
      rand() < 0.3 ? pick(['U1', 'U2', 'U3', 'U4']) : '',
      rand() < 0.2 ? 'U5' : '',
    ];
    row.forEach((v, k) => cols[k]!.push(v));
  }
  const { rows } = await db.pool.query<{ id: number; opened: Date }>(sql('insert-hotspot-clues'), cols);
  return rows;
}

/** Each clue's 'opened' entry, then 0–6 alerts and a few other entries over the following days. */
async function addTimeline(clues: { id: number; opened: Date }[], opened: boolean): Promise<void> {
  const rows: TimelineRow[] = [];
  const entry = (clue_id: number, at: number, action: string): TimelineRow => ({ clue_id, at, actor: 'pipeline', action, from_status: 'new', to_status: 'new', source: null, detail: {} });
  for (const c of clues) {
    const t0 = c.opened.getTime();
    if (opened) rows.push(entry(c.id, t0, 'opened'));
    for (let k = Math.floor(rand() * 7); k > 0; k--) rows.push(entry(c.id, t0 + rand() * 4 * DAY, rand() < 0.8 ? 'alert' : 'dispatch'));
  }
  rows.sort((a, b) => a.at - b.at);
  // Several transactions, as the pipeline's batches.
  for (let i = 0; i < rows.length; i += 97) await withTransaction(db.pool, (c) => recordChanges(c, rows.slice(i, i + 97), []));
}

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  const first = await addClues(250, 'A');
  await addTimeline(first, true);
  // Old clues get their H3 cell afterwards (server/spatial/backfill-h3.ts): their counts move to it.
  await backfillH3(db.pool, 60);
  // Re-routes to another item, transfers, merges, and a clue placed in another town and cell.
  const ids = first.map((c) => c.id);
  for (let i = 0; i < 40; i++) {
    const some = ids.filter(() => rand() < 0.03);
    const town = rand() < 0.3 ? pick(TOWNS) : null;
    await db.pool.query(sql('move-clues'), [some, pick(ITEMS), pick(['U1', 'U2', 'U3', 'U4']), rand() < 0.2, town, town ? `${town}-C0-G0` : null]);
  }
  // New clues and more alerts on old and new ones after the moves.
  const second = await addClues(120, 'B');
  await addTimeline(second, true);
  await addTimeline(first.filter(() => rand() < 0.4), false);
  await backfillH3(db.pool, 500);
});
after(async () => {
  await db?.close();
});

const user = (role: User['role'], scopes: string[], unitId: string | null): User => ({ id: 1, username: 'u', displayName: 'u', role, scopes, unitId });
const USERS: User[] = [
  user('admin', [], null),
  user('planner', [], null),
  user('operator', ['D1'], null),
  user('operator', ['T2'], null),
  user('operator', ['T3-C1'], null),
  user('operator', ['T1-C0-G1', 'T3'], null),
  user('officer', [], 'U2'),
  user('worker', ['T1-C1'], 'U5'),
];

/** The oracle's answer: hotspots.sql over the whole period, as area → bucket → count. */
async function oracle(u: User, f: HotspotFilter): Promise<Map<string, Map<string, number>>> {
  const { rows } = await db.pool.query<{ area: string; bucket: string; count: number }>(oracleSql, [
    ...scopeSqlParams(scopeOf(u)),
    f.level,
    f.res ?? 9,
    f.item ?? null,
    f.from,
    f.to,
    f.bucket,
    f.kind,
  ]);
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const area = f.level === 'h3' ? h3Hex(r.area) : r.area;
    if (!out.has(area)) out.set(area, new Map());
    out.get(area)!.set(r.bucket, r.count);
  }
  return out;
}

/** A random instant in the data's span (and a little around it): a local midnight one time in three. */
function instant(): number {
  const day = START + Math.floor(rand() * (SPAN_DAYS + 6) - 2) * DAY;
  return rand() < 1 / 3 ? day : day + Math.floor(rand() * DAY);
}

function randomFilter(): HotspotFilter {
  const a = instant();
  let b = instant();
  if (b === a) b += DAY;
  const level = pick(['grid', 'community', 'town', 'h3'] as const);
  return {
    level,
    res: level === 'h3' ? Math.floor(rand() * 10) : null,
    item: rand() < 0.4 ? pick(ITEMS.filter(Boolean)) : undefined,
    kind: pick(['clues', 'alerts'] as const),
    from: new Date(Math.min(a, b)),
    to: new Date(Math.max(a, b)),
    bucket: pick(['day', 'week'] as const),
    limit: 20_000,
  };
}

test('hotspots from the rollups equal the raw query, for random filters, scopes and partial days, after moves', async () => {
  const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM hotspot_area_counts');
  assert.ok(Number(rows[0]!.n) > 0, 'the rollup holds counts');
  let compared = 0;
  let nonEmpty = 0;
  for (let i = 0; i < 160; i++) {
    const u = USERS[i % USERS.length]!;
    const f = randomFilter();
    const want = await oracle(u, f);
    const got = await hotspots(db.pool, u, f);
    const label = `#${i} ${JSON.stringify({ ...f, scopes: u.scopes, unit: u.unitId, role: u.role })}`;
    assert.equal(got.areaCount, want.size, `${label}: areas`);
    for (const a of got.areas) {
      const w = want.get(a.area);
      assert.ok(w, `${label}: area ${a.area} is in the oracle`);
      assert.deepEqual(a.series, [...w].sort(([x], [y]) => (x < y ? -1 : 1)).map(([bucket, count]) => ({ bucket, count })), `${label}: series of ${a.area}`);
      assert.equal(a.total, [...w.values()].reduce((s, n) => s + n, 0), `${label}: total of ${a.area}`);
    }
    compared++;
    if (want.size) nonEmpty++;
  }
  assert.equal(compared, 160);
  assert.ok(nonEmpty > 100, `most filters find counts (${nonEmpty})`);
});

test('truncating the timeline empties the alert counts, truncating the clues every count', async () => {
  await db.pool.query('TRUNCATE clue_timeline CASCADE');
  const left = await db.pool.query<{ kind: string }>('SELECT DISTINCT kind FROM hotspot_area_counts UNION SELECT DISTINCT kind FROM hotspot_h3_counts');
  assert.deepEqual(left.rows.map((r) => r.kind), ['clues']);
  await db.pool.query('TRUNCATE clues CASCADE');
  const none = await db.pool.query('SELECT 1 FROM hotspot_area_counts UNION ALL SELECT 1 FROM hotspot_h3_counts');
  assert.equal(none.rowCount, 0);
});
