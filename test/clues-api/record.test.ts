/**
 * The record that cannot be altered (issue 9): every clue's timeline is a hash chain, the
 * database refuses UPDATE and DELETE on it, and `GET /api/v1/clues/:code/verify` finds a row
 * changed or removed behind the trigger's back, a chain rewritten after its day was sealed,
 * and evidence missing or altered. Runs on both backends.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { withTransaction } from '../../db/transaction.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { createUser, type Role } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { clueRoutes } from '../../server/clues/clue.routes.js';
import { recordRoutes } from '../../server/clues/record.routes.js';
import { recordChanges } from '../../server/clues/stored-clue.js';
import { GENESIS_HASH, rowHash } from '../../server/clues/timeline-chain.js';
import { sealCompletedDays } from '../../server/clues/timeline-digests.js';
import { evidenceChecker } from '../../server/evidence/evidence-checker.js';
import { EvidenceFiles } from '../../server/evidence/evidence-files.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { api, startTestApp } from '../helpers/app.js';
import { DEVICES, PLACES, TOWN_A, miniCatalogue, miniLocator, miniRouting } from '../pipeline/helpers/mini-city.js';
import { T0, stored, truck } from '../pipeline/helpers/events.js';

const log = createLogger('silent');
let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let dataDir: string;
const tokens: Record<string, string> = {};
/** Clue codes: A in the empowered town (team A), B in the other (construction department). */
let A: string;
let B: string;

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  const password = `pw-${username}-secret`;
  await createUser(db.pool, { username, password, displayName: username, role, scopes, unitId });
  const r = await api(`${app.url}/api/v1/auth/login`, { body: { username, password } });
  tokens[username] = r.body.token;
}
const get = (who: string, p: string) => api(`${app.url}${p}`, { token: tokens[who] });
const act = (who: string, code: string, body: unknown) => api(`${app.url}/api/v1/clues/${code}/actions`, { token: tokens[who], body });
const verify = (code: string, who = 'op-district') => get(who, `/api/v1/clues/${code}/verify`);
const idOf = async (code: string) => Number((await db.pool.query<{ id: string }>('SELECT id FROM clues WHERE code = $1', [code])).rows[0]!.id);
/** Runs `sql` with the append-only trigger disabled, as someone with the table owner's rights could. */
async function behindTheTrigger(sql: string, params: unknown[]): Promise<void> {
  await db.pool.query('ALTER TABLE clue_timeline DISABLE TRIGGER clue_timeline_append_only');
  try {
    await db.pool.query(sql, params);
  } finally {
    await db.pool.query('ALTER TABLE clue_timeline ENABLE TRIGGER clue_timeline_append_only');
  }
}

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-record-'));
  const store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 60_000 });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  const { rows } = await db.pool.query<{ code: string }>('SELECT code FROM clues ORDER BY town_code');
  [A, B] = rows.map((r) => r.code) as [string, string];
  const checkEvidence = evidenceChecker(dataDir);
  app = await startTestApp(db.pool, { routes: [...clueRoutes(db.pool, miniRouting(store)), ...recordRoutes(db.pool, checkEvidence)] });
  await user('op-district', 'operator', ['330203']);
  await user('op-town-a', 'operator', [TOWN_A.code]);
  await user('op-elsewhere', 'operator', ['330212']);
  await user('planner', 'planner', []);
  await user('officer-construction', 'officer', [], 'dept-330203-construction');
});
after(async () => {
  await app?.close();
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the pipeline and actions chain every row: seq from 1, each linking to the one before, and verify says intact', async () => {
  assert.equal((await act('op-district', B, { type: 'dispatch' })).status, 200);
  assert.equal((await act('officer-construction', B, { type: 'accept' })).status, 200);
  const { rows } = await db.pool.query<{ seq: number; prev_hash: string; hash: string; legacy: boolean }>(
    'SELECT seq, prev_hash, hash, legacy FROM clue_timeline WHERE clue_id = $1 ORDER BY seq',
    [await idOf(B)],
  );
  assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3]);
  assert.equal(rows[0]!.prev_hash, GENESIS_HASH);
  assert.equal(rows[1]!.prev_hash, rows[0]!.hash);
  assert.equal(rows[2]!.prev_hash, rows[1]!.hash);
  assert.equal(rows.some((r) => r.legacy), false);
  const head = await db.pool.query('SELECT timeline_seq, timeline_hash FROM clues WHERE code = $1', [B]);
  assert.deepEqual(head.rows[0], { timeline_seq: 3, timeline_hash: rows[2]!.hash });

  const r = await verify(B);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { clue: B, intact: true, rows: 3, problems: [], evidence: [], digest: { days: [] } });
});

test('verify is scoped as the clue routes are: out of scope and unknown codes are the same 404', async () => {
  const out = await verify(A, 'op-elsewhere');
  const unknown = await verify('GW-NO-SUCH-CLUE', 'op-district');
  assert.equal(out.status, 404);
  assert.equal(out.body.error.code, 'GW_CLUE_NOT_FOUND');
  assert.equal(unknown.status, 404);
  assert.equal(out.body.error.message.replace(A, '?'), unknown.body.error.message.replace('GW-NO-SUCH-CLUE', '?'));
  assert.equal((await verify(B, 'officer-construction')).status, 200, 'the unit a clue is assigned to may verify it');
  assert.equal((await verify(A, 'officer-construction')).status, 404);
  assert.equal((await api(`${app.url}/api/v1/clues/${A}/verify`)).status, 401);
  assert.equal((await get('op-district', `/api/v1/clues/${A}/verify?deep=1`)).status, 400, 'unknown query parameters are refused');
});

test('evidence named on the timeline is checked against the store: ok, then altered, then missing', async () => {
  const bytes = Buffer.from(`evidence photo ${crypto.randomUUID()}`);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const files = new EvidenceFiles(dataDir);
  await files.put(sha256, bytes);
  const file = files.pathOf(sha256);
  const id = await idOf(B);
  await withTransaction(db.pool, (c) =>
    recordChanges(c, [{ clue_id: id, at: Date.now(), actor: 'officer-construction', action: 'evidence.added', from_status: 'accepted', to_status: 'accepted', source: '127.0.0.1', detail: { evidence: { sha256, mime: 'image/jpeg' } } }], []),
  );
  let r = await verify(B);
  assert.equal(r.body.intact, true, JSON.stringify(r.body.problems));
  assert.deepEqual(r.body.evidence, [{ sha256, ok: true }]);

  fs.writeFileSync(file, Buffer.concat([bytes, Buffer.from('retouched')]));
  r = await verify(B);
  assert.equal(r.body.intact, false);
  assert.deepEqual(r.body.evidence, [{ sha256, ok: false }]);
  assert.equal(r.body.problems.length, 1);
  assert.deepEqual({ ...r.body.problems[0], found: undefined }, { seq: 4, id: r.body.problems[0].id, problem: 'evidence-altered', expected: sha256, found: undefined });
  assert.match(r.body.problems[0].found, /now hashes to/);

  fs.rmSync(file);
  r = await verify(B);
  assert.equal(r.body.problems[0].problem, 'evidence-missing');
  assert.equal(r.body.problems[0].seq, 4);
});

test('the database refuses UPDATE and DELETE on the timeline (clue_timeline_append_only)', async () => {
  const id = await idOf(A);
  await assert.rejects(db.pool.query("UPDATE clue_timeline SET detail = '{}'::jsonb WHERE clue_id = $1 AND seq = 1", [id]), /append-only \(UPDATE refused\)/);
  await assert.rejects(db.pool.query('DELETE FROM clue_timeline WHERE clue_id = $1 AND seq = 1', [id]), /append-only \(DELETE refused\)/);
  assert.equal((await verify(A)).body.intact, true);
});

test('a row changed behind the trigger: verify names its seq and hash-mismatch; restored, it is intact again', async () => {
  assert.equal((await act('op-district', A, { type: 'dispatch' })).status, 200);
  assert.equal((await act('op-district', A, { type: 'escalate', reason: '情节严重，立案', procedure: 'normal' })).status, 200);
  const id = await idOf(A);
  const original = (await db.pool.query<{ id: string; detail: { note: string | null } }>('SELECT id, detail FROM clue_timeline WHERE clue_id = $1 AND seq = 2', [id])).rows[0]!;
  await behindTheTrigger("UPDATE clue_timeline SET detail = jsonb_set(detail, '{note}', '\"nothing happened\"') WHERE id = $1", [original.id]);
  let r = await verify(A);
  assert.equal(r.status, 200);
  assert.equal(r.body.intact, false);
  assert.equal(r.body.rows, 3);
  assert.equal(r.body.problems.length, 1, JSON.stringify(r.body.problems));
  assert.equal(r.body.problems[0].seq, 2);
  assert.equal(r.body.problems[0].id, Number(original.id));
  assert.equal(r.body.problems[0].problem, 'hash-mismatch');

  // A change of time by less than a millisecond is a change too.
  await behindTheTrigger("UPDATE clue_timeline SET detail = $2::jsonb, at = at + interval '1 microsecond' WHERE id = $1", [original.id, JSON.stringify(original.detail)]);
  r = await verify(A);
  assert.deepEqual(r.body.problems.map((p: { seq: number; problem: string }) => [p.seq, p.problem]), [[2, 'hash-mismatch']]);

  await behindTheTrigger("UPDATE clue_timeline SET at = at - interval '1 microsecond' WHERE id = $1", [original.id]);
  assert.equal((await verify(A)).body.intact, true, 'the row as it was verifies again');
});

test('a row deleted behind the trigger: missing-row at its seq and prev-mismatch on the next; the last row: missing-row', async () => {
  const id = await idOf(A);
  const row2 = (await db.pool.query('SELECT * FROM clue_timeline WHERE clue_id = $1 AND seq = 2', [id])).rows[0];
  await behindTheTrigger('DELETE FROM clue_timeline WHERE id = $1', [row2.id]);
  let r = await verify(A);
  assert.equal(r.body.intact, false);
  assert.equal(r.body.rows, 2);
  assert.deepEqual(
    r.body.problems.map((p: { seq: number; problem: string }) => [p.seq, p.problem]),
    [
      [2, 'missing-row'],
      [3, 'prev-mismatch'],
    ],
  );
  // Put back as it was (inserts are allowed), then remove the last row.
  await db.pool.query(
    'INSERT INTO clue_timeline (id, clue_id, at, actor, action, from_status, to_status, source, detail, seq, prev_hash, hash, legacy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
    [row2.id, row2.clue_id, row2.at, row2.actor, row2.action, row2.from_status, row2.to_status, row2.source, row2.detail, row2.seq, row2.prev_hash, row2.hash, row2.legacy],
  );
  assert.equal((await verify(A)).body.intact, true);
  await behindTheTrigger('DELETE FROM clue_timeline WHERE clue_id = $1 AND seq = 3', [id]);
  r = await verify(A);
  assert.deepEqual(r.body.problems.map((p: { seq: number; problem: string }) => [p.seq, p.problem]), [[3, 'missing-row']]);
});

test('daily digests seal each completed day; a chain rewritten after its day was sealed is still found', async () => {
  const days = await sealCompletedDays(db.pool, T0 + 2 * 86_400_000);
  assert.deepEqual(days, ['2026-03-02', '2026-03-03'], 'from the first row’s local day up to the last completed one');
  assert.deepEqual(await sealCompletedDays(db.pool, T0 + 2 * 86_400_000), [], 'idempotent');
  await assert.rejects(db.pool.query("UPDATE timeline_digests SET digest = 'x'"), /append-only \(UPDATE refused\)/, 'sealed days are append-only too');

  const listed = await get('planner', '/api/v1/record/digests?from=2026-03-01&to=2026-03-03');
  assert.equal(listed.status, 200);
  const [d1, d2] = listed.body.digests;
  assert.equal(listed.body.digests.length, 2);
  assert.equal(d1.day, '2026-03-02');
  assert.equal(d1.prevDigest, GENESIS_HASH);
  assert.equal(d1.clueCount, 2, 'both clues have their pipeline rows on 2 March');
  assert.equal(d1.rowCount, 2);
  assert.equal(d1.ok, true, JSON.stringify(d1.problems));
  assert.equal(d2.prevDigest, d1.digest);
  assert.equal(d2.clueCount, 0);

  // Rewrite B's chain from its first row on, consistently, and move its head: the chain
  // verifies, but the day sealed its first row's hash.
  const id = await idOf(B);
  const rows = (await db.pool.query('SELECT id, seq, (extract(epoch FROM at) * 1000)::text AS at_ms, actor, action, from_status, to_status, source, detail FROM clue_timeline WHERE clue_id = $1 ORDER BY seq', [id])).rows;
  let prev = GENESIS_HASH;
  await db.pool.query('ALTER TABLE clue_timeline DISABLE TRIGGER clue_timeline_append_only');
  try {
    for (const r of rows) {
      const detail = r.seq === 1 ? { ...r.detail, alert: { ...r.detail.alert, severity: 'low' } } : r.detail;
      const hash = rowHash({ clue: B, seq: r.seq, at: Number(r.at_ms), actor: r.actor, action: r.action, from: r.from_status, to: r.to_status, source: r.source, detail }, prev);
      await db.pool.query('UPDATE clue_timeline SET detail = $2, prev_hash = $3, hash = $4 WHERE id = $1', [r.id, detail, prev, hash]);
      prev = hash;
    }
  } finally {
    await db.pool.query('ALTER TABLE clue_timeline ENABLE TRIGGER clue_timeline_append_only');
  }
  await db.pool.query('UPDATE clues SET timeline_hash = $2 WHERE id = $1', [id, prev]);
  const r = await verify(B);
  assert.equal(r.body.intact, false);
  const chainProblems = r.body.problems.filter((p: { problem: string }) => !p.problem.startsWith('evidence'));
  assert.deepEqual(chainProblems.map((p: { seq: number; problem: string }) => [p.seq, p.problem]), [[1, 'hash-mismatch']]);
  assert.deepEqual(r.body.digest.days, [{ day: '2026-03-02', seq: 1, ok: false }]);
  const again = await get('planner', '/api/v1/record/digests?from=2026-03-02&to=2026-03-02');
  assert.equal(again.body.digests[0].ok, false);
  assert.deepEqual(again.body.digests[0].problems, [`heads-changed: ${B}`]);
});

test('digests are for admins and planners; a reversed or too long range and bad dates are refused', async () => {
  assert.equal((await get('op-district', '/api/v1/record/digests')).status, 403);
  const reversed = await get('planner', '/api/v1/record/digests?from=2026-03-05&to=2026-03-01');
  assert.equal(reversed.status, 400);
  assert.equal(reversed.body.error.code, 'GW_RECORD_RANGE');
  assert.equal((await get('planner', '/api/v1/record/digests?from=2024-01-01&to=2026-03-01')).body.error.code, 'GW_RECORD_RANGE');
  const bad = await get('planner', '/api/v1/record/digests?from=yesterday');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'GW_VALIDATION');
  const fine = await get('planner', '/api/v1/record/digests');
  assert.equal(fine.status, 200);
  assert.equal(fine.body.digests.length, 0, 'the last 31 days hold no sealed day');
});
