/**
 * Migration 070 over a database that already holds timelines: the rows written before the
 * chain become `legacy` rows, chained in their written order with the migration's SQL hash,
 * new rows chain on from them, and verify recomputes both kinds (and still finds a change to
 * a legacy row). On a fresh database of its own: embedded PGlite, or a throwaway database on
 * the suite's real PostgreSQL.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startEmbeddedServer } from '../../db/embedded.js';
import { migrate, MIGRATIONS_DIR } from '../../db/migrate.js';
import { withTransaction } from '../../db/transaction.js';
import { verifyClueRecord } from '../../server/clues/clue-record.js';
import { recordChanges } from '../../server/clues/stored-clue.js';
import { GENESIS_HASH } from '../../server/clues/timeline-chain.js';

let pool: pg.Pool;
let cleanup: () => Promise<void>;
const noEvidence = () => Promise.resolve({ ok: true as const });

/** A database of its own, so it can be migrated in two steps. */
async function freshDatabase(): Promise<{ pool: pg.Pool; close(): Promise<void> }> {
  if (process.env.GW_TEST_DB_BACKEND === 'postgres') {
    const admin = new pg.Pool({ connectionString: process.env.GW_TEST_DATABASE_URL, max: 1 });
    const name = `gw_legacy_${crypto.randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.GW_TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const p = new pg.Pool({ connectionString: url.toString(), max: 1 });
    await p.query('CREATE EXTENSION postgis');
    return {
      pool: p,
      async close() {
        await p.end();
        await admin.query(`DROP DATABASE ${name}`);
        await admin.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-legacy-'));
  const server = await startEmbeddedServer(dir, 1);
  const p = new pg.Pool({ connectionString: server.connectionString, max: 1 });
  return {
    pool: p,
    async close() {
      await p.end();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The migrations before the chain, in a folder of their own. */
function migrationsBefore(version: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-migrations-'));
  for (const f of fs.readdirSync(MIGRATIONS_DIR)) if (Number(f.slice(0, 3)) < version) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  return dir;
}

before(async () => {
  const db = await freshDatabase();
  pool = db.pool;
  const early = migrationsBefore(70);
  cleanup = async () => {
    await db.close();
    fs.rmSync(early, { recursive: true, force: true });
  };
  await migrate(pool, early);
  // Two clues with timelines as the service wrote them before migration 070.
  for (const code of ['LEGACY-1', 'LEGACY-2'])
    await pool.query(
      `INSERT INTO clues (code, item_code, severity, primary_unit_id, asset_key, position, first_seen_at, last_seen_at, deadline_at,
                          group_key, alert_type, window_min, opened_at, summary)
       VALUES ($1, 'item', 'medium', 'team-1', 'asset', ST_SetSRID(ST_MakePoint(121.5, 29.9), 4326), now(), now(), now() + interval '2 hours',
               $1, 'waste.dumping', 60, now(), '{"zh": "倾倒", "en": "dumping"}')`,
      [code],
    );
  await pool.query(
    `INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status, source, detail)
     SELECT c.id, timestamptz '2026-11-30 10:00:00.123456+08' + n * interval '1 minute', 'pipeline', CASE WHEN n = 0 THEN 'opened' ELSE 'alert' END,
            'new', 'new', 'device:truck-1', jsonb_build_object('n', n, 'note', '旧记录')
       FROM clues AS c CROSS JOIN generate_series(0, 2) AS n`,
  );
  await migrate(pool);
});
after(async () => {
  await cleanup?.();
});

test('rows written before migration 070 are chained as legacy rows, in written order, and verify intact', async () => {
  const { rows } = await pool.query<{ code: string; seq: number; prev_hash: string; hash: string; legacy: boolean }>(
    'SELECT c.code, t.seq, t.prev_hash, t.hash, t.legacy FROM clue_timeline AS t JOIN clues AS c ON c.id = t.clue_id ORDER BY c.code, t.seq',
  );
  assert.equal(rows.length, 6);
  assert.ok(rows.every((r) => r.legacy));
  assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 1, 2, 3]);
  assert.equal(rows[0]!.prev_hash, GENESIS_HASH);
  assert.equal(rows[1]!.prev_hash, rows[0]!.hash);
  assert.notEqual(rows[0]!.hash, rows[3]!.hash, 'the clue code is part of the hash');
  const heads = await pool.query('SELECT code, timeline_seq, timeline_hash FROM clues ORDER BY code');
  assert.deepEqual(heads.rows[0], { code: 'LEGACY-1', timeline_seq: 3, timeline_hash: rows[2]!.hash });
  for (const c of (await pool.query<{ id: string; code: string }>('SELECT id, code FROM clues')).rows) {
    const v = await verifyClueRecord(pool, { id: Number(c.id), code: c.code }, noEvidence);
    assert.equal(v.intact, true, JSON.stringify(v.problems));
  }
});

test('new rows chain on from the last legacy row; a changed legacy row is still found', async () => {
  const clue = (await pool.query<{ id: string; code: string }>("SELECT id, code FROM clues WHERE code = 'LEGACY-1'")).rows[0]!;
  const id = Number(clue.id);
  await withTransaction(pool, (c) => recordChanges(c, [{ clue_id: id, at: Date.now(), actor: 'op', action: 'dispatch', from_status: 'new', to_status: 'dispatched', source: '127.0.0.1', detail: { note: null } }], []));
  const row4 = (await pool.query('SELECT seq, prev_hash, legacy FROM clue_timeline WHERE clue_id = $1 AND seq = 4', [id])).rows[0];
  const row3 = (await pool.query('SELECT hash FROM clue_timeline WHERE clue_id = $1 AND seq = 3', [id])).rows[0];
  assert.deepEqual(row4, { seq: 4, prev_hash: row3.hash, legacy: false });
  assert.equal((await verifyClueRecord(pool, { id, code: clue.code }, noEvidence)).intact, true);

  await pool.query('ALTER TABLE clue_timeline DISABLE TRIGGER clue_timeline_append_only');
  await pool.query("UPDATE clue_timeline SET actor = 'someone else' WHERE clue_id = $1 AND seq = 2", [id]);
  await pool.query('ALTER TABLE clue_timeline ENABLE TRIGGER clue_timeline_append_only');
  const v = await verifyClueRecord(pool, { id, code: clue.code }, noEvidence);
  assert.deepEqual(v.problems.map((p) => [p.seq, p.problem]), [[2, 'hash-mismatch']]);
});
