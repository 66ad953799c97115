import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { createUser } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { startGridwatch, type Gridwatch } from '../../server/runtime.js';
import { api } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { T0, stored, truck } from '../pipeline/helpers/events.js';
import { DEVICES, PLACES, TOWN_B, miniCatalogue, miniLocator } from '../pipeline/helpers/mini-city.js';
import { LiveClient } from './live-client.js';

/**
 * Two replicas of the whole service on one real PostGIS send every client the same sequence.
 * Real PostgreSQL only: the embedded PGlite is one process's database.
 */
const onPostgres = process.env.GW_TEST_DB_BACKEND === 'postgres';
const log = createLogger('silent');
let db: TestDb;
const replicas: { gw: Gridwatch; dir: string }[] = [];

before(async () => {
  if (!onPostgres) return;
  db = await getTestDb();
  await resetDb(db.pool);
  const store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  await createUser(db.pool, { username: 'op', password: 'pw-op-secret', displayName: 'op', role: 'operator', scopes: ['330203'], unitId: null });
  for (let i = 0; i < 2; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-replica-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATA_DIR: dir, DEMO: '0', LOG_LEVEL: 'silent', DATABASE_URL: db.connectionString });
    replicas.push({ gw: await startGridwatch(config, log), dir });
  }
});
after(async () => {
  for (const r of replicas) {
    await r.gw.close();
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
  await db?.close();
});

test('two replicas on one PostGIS send the same sequence of diffs', { skip: !onPostgres && 'needs DATABASE_URL (real PostGIS)' }, async () => {
  const clients: LiveClient[] = [];
  for (const r of replicas) {
    const login = await api(`${r.gw.url}/api/v1/auth/login`, { body: { username: 'op', password: 'pw-op-secret' } });
    const c = await LiveClient.open(r.gw.url, login.body.token, 'protocol');
    await c.subscribe();
    clients.push(c);
  }
  const token = (await api(`${replicas[0]!.gw.url}/api/v1/auth/login`, { body: { username: 'op', password: 'pw-op-secret' } })).body.token;
  const store = new CatalogueStore(db.pool, log);
  await store.load();
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 60_000 });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  const codes = (await db.pool.query<{ code: string }>('SELECT code FROM clues ORDER BY town_code')).rows.map((r) => r.code);
  // Actions through both replicas, some at once, so commits interleave.
  const act = (i: number, code: string, body: unknown) => api(`${replicas[i]!.gw.url}/api/v1/clues/${code}/actions`, { token, body });
  await Promise.all([act(0, codes[0]!, { type: 'dispatch' }), act(1, codes[1]!, { type: 'dispatch' })]);
  await Promise.all([
    act(1, codes[0]!, { type: 'transfer', toUnitId: `team-${TOWN_B.code}`, reason: '调整 / adjust' }),
    act(0, codes[1]!, { type: 'escalate', reason: '立案 / formal case', procedure: 'normal' }),
  ]);
  const { rows } = await db.pool.query<{ id: string }>('SELECT max(id) AS id FROM clue_outbox');
  const last = Number(rows[0]!.id);
  for (const c of clients) await c.next((m) => m.seq === last && ['opened', 'changed', 'closed'].includes(m.type));
  const [a, b] = clients.map((c) => c.diffs());
  assert.equal(a!.length, last, 'one diff per event for a district operator');
  assert.deepEqual(a, b, 'the same sequence from both replicas');
  for (const c of clients) c.close();
});
