import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSql } from '../../db/sql.js';
import type { User } from '../../server/auth/users.js';
import { nearbyClues } from '../../server/spatial/clue-map.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { prng } from '../helpers/prng.js';

const sql = (name: string) => loadSql(new URL(`./sql/${name}.sql`, import.meta.url));

let db: TestDb;

/** The box of the fixture: 0.06° × 0.05° (about 5.8 × 5.6 km), cut into areas by position. */
const W = 121.5;
const S = 29.85;
const cell = (v: number, origin: number, size: number) => Math.floor((v - origin) / size);

/**
 * 3,000 clues over the box: 2 districts side by side, 8 towns (4 × 2), communities and grid
 * cells in finer squares; 5 units, every 7th clue co-notified to a unit and every 11th on
 * another unit's board, so each clause of canSeePlace has clues of its own.
 */
function fixture() {
  const rand = prng(23);
  const cols = { code: [] as string[], lon: [] as number[], lat: [] as number[], district: [] as string[], town: [] as string[], community: [] as string[], grid: [] as string[], unit: [] as string[], co: [] as string[], board: [] as string[] };
  for (let i = 0; i < 3_000; i++) {
    const lon = W + rand() * 0.06;
    const lat = S + rand() * 0.05;
    cols.code.push(`N-${String(i).padStart(4, '0')}`);
    cols.lon.push(lon);
    cols.lat.push(lat);
    cols.district.push(`D${cell(lon, W, 0.03)}`);
    cols.town.push(`T${cell(lon, W, 0.015)}-${cell(lat, S, 0.025)}`);
    cols.community.push(`C${cell(lon, W, 0.005)}-${cell(lat, S, 0.005)}`);
    cols.grid.push(`G${cell(lon, W, 0.0025)}-${cell(lat, S, 0.0025)}`);
    cols.unit.push(`unit-${i % 5}`);
    cols.co.push(i % 7 === 0 ? `unit-${(i + 1) % 5}` : '');
    cols.board.push(i % 11 === 0 ? `unit-${(i + 2) % 5}` : '');
  }
  return cols;
}

const user = (role: User['role'], scopes: string[], unitId: string | null = null): User => ({ id: 1, username: 'u', displayName: 'u', role, scopes, unitId });

/** Scopes covering each branch of the query: whole city, each level, overlaps, units. */
const SCOPES: [string, User][] = [
  ['whole city', user('admin', [])],
  ['one town', user('operator', ['T1-0'])],
  ['one district', user('operator', ['D1'])],
  ['a community and a grid cell elsewhere', user('operator', ['C3-4', 'G20-15'])],
  ['a district and a town inside it (overlap)', user('operator', ['D0', 'T1-1'])],
  ['a unit alone (own, co-notified, board)', user('worker', [], 'unit-2')],
  ['a unit and a town', user('officer', ['T2-0'], 'unit-3')],
];

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  const c = fixture();
  await db.pool.query(sql('insert-scoped-clues'), [c.code, c.lon, c.lat, c.district, c.town, c.community, c.grid, c.unit, c.co, c.board]);
  await db.pool.query('ANALYZE clues');
});
after(async () => {
  await db?.close();
});

test('scoped nearby returns the rows and order of a brute-force ST_Distance scan in PostGIS, for every kind of scope', async () => {
  const rand = prng(5);
  const points = Array.from({ length: 4 }, () => ({ lon: W + 0.005 + rand() * 0.05, lat: S + 0.005 + rand() * 0.04 }));
  let full = 0;
  let partial = 0;
  for (const [what, u] of SCOPES) {
    for (const p of points) {
      for (const [radiusM, limit] of [[400, 50], [1_500, 20], [3_000, 200]] as const) {
        const got = await nearbyClues(db.pool, u, { ...p, radiusM, limit });
        const params = [u.role === 'admin' && u.scopes.length === 0, u.scopes, u.unitId, p.lon, p.lat, radiusM, limit];
        const { rows: truth } = await db.pool.query<{ code: string; d: number }>(sql('oracle-nearby-scoped'), params);
        const at = `${what} at ${p.lon.toFixed(4)},${p.lat.toFixed(4)}, ${radiusM} m, limit ${limit}`;
        assert.deepEqual(got.map((g) => g.clue.code), truth.map((t) => t.code), at);
        got.forEach((g, i) => assert.ok(Math.abs(g.distanceM - truth[i]!.d) < 1e-6, `${at}: ${g.clue.code}'s distance`));
        if (got.length === limit) full++;
        else if (got.length > 0) partial++;
      }
    }
  }
  // The comparison means something only if answers were cut by the limit and by the radius.
  assert.ok(full > 10, `${full} answers filled their limit`);
  assert.ok(partial > 10, `${partial} answers were cut by the radius`);
});
