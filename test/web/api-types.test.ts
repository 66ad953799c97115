/**
 * The web's API types (web/src/api-types.ts) are generated from the server's OpenAPI document:
 * the committed file must be what `npm run api:types` writes now, the generator must see the
 * document the running server serves, and the clue contract the web is typed by must be what the
 * server really sends.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { clueFromRow, clueView, type ClueRow } from '../../server/clues/stored-clue.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { API_TYPES_FILE, apiTypesSource, offlineApiDocument } from '../../server/api-types.js';
import { clueViewSchema } from '../../server/clues/stored-clue.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { startTestGridwatch } from '../helpers/gridwatch.js';
import { DEVICES, PLACES, miniCatalogue, miniLocator } from '../pipeline/helpers/mini-city.js';
import { T0, bridge, gas, parking, stored, truck } from '../pipeline/helpers/events.js';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

test(`${API_TYPES_FILE} is what \`npm run api:types\` generates from the routes now`, async () => {
  const fresh = (await apiTypesSource()).split('\n');
  const committed = fs.readFileSync(path.resolve(import.meta.dirname, '../..', API_TYPES_FILE), 'utf8').split('\n');
  const line = fresh.findIndex((l, i) => l !== committed[i]);
  const at = line === -1 && fresh.length !== committed.length ? Math.min(fresh.length, committed.length) : line;
  assert.equal(
    at,
    -1,
    `${API_TYPES_FILE} is out of date: run \`npm run api:types\` and commit it (first difference at line ${at + 1}: ` +
      `generated ${JSON.stringify(fresh[at])}, committed ${JSON.stringify(committed[at])})`,
  );
});

test('the generator builds the document the running server serves (same routes, same schemas)', async () => {
  const service = await startTestGridwatch();
  closers.push(() => service.close());
  const served = await (await fetch(`${service.gw.url}/api/v1/openapi.json`)).json();
  assert.deepEqual(JSON.parse(JSON.stringify(offlineApiDocument())), served);
  await service.close();
  closers.pop();
});

test('clues as the server shows them are exactly the ClueView the web is typed by', async () => {
  const db: TestDb = await getTestDb();
  closers.push(() => db.close());
  await resetDb(db.pool);
  const log = createLogger('silent');
  const store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 3_600_000 });
  await pipeline.handle(
    await stored(db.pool, [
      truck('truck-a', 0, PLACES.dumpA),
      truck('truck-a', 25, PLACES.dumpA),
      ...[0, 60, 120, 180].map((s) => gas(s, 40)),
      ...[0, 30, 60, 90, 120].map((s) => bridge(s, 900)),
      parking(0, '浙B12345', 'enter'),
      parking(1900, '浙B12345', 'present'),
    ]),
  );
  const { rows } = await db.pool.query<ClueRow>('SELECT * FROM clue_rows ORDER BY id');
  assert.ok(rows.length >= 2, `the events opened clues (${rows.length})`);
  for (const row of rows) {
    const view = JSON.parse(JSON.stringify(clueView(clueFromRow(row))));
    const parsed = clueViewSchema.safeParse(view);
    assert.ok(parsed.success, `${row.code}: ${parsed.error?.message}`);
    assert.deepEqual(parsed.data, view, `${row.code}: every field the server sends is in ClueView`);
  }
});
