import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { startGridwatch } from '../../server/runtime.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { wireEvent } from './mqtt-kafka-support.js';
import { userToken, count, postEvents, startIngestStack, type IngestStack } from './ingest-harness.js';

/** JSON request to the admin API with a user token. */
async function admin(url: string, token: string, method: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('HTTP transport: POST /api/v1/device-events', () => {
  let db: TestDb;
  let stack: IngestStack;
  let adminTok: string;
  let truckToken: string;
  let gasToken: string;

  before(async () => {
    db = await getTestDb();
  });
  beforeEach(async () => {
    await stack?.close();
    await resetDb(db.pool);
    stack = await startIngestStack(db.pool);
    adminTok = await userToken(db.pool);
    const r1 = await admin(`${stack.url}/api/v1/devices`, adminTok, 'POST', { id: 'truck-001', kind: 'waste-truck' });
    const r2 = await admin(`${stack.url}/api/v1/devices`, adminTok, 'POST', { id: 'gas-001', kind: 'gas-sensor' });
    assert.equal(r1.status, 201);
    truckToken = r1.body.token;
    gasToken = r2.body.token;
  });
  after(async () => {
    await stack?.close();
    await db.close();
  });

  it('takes one event or a batch and reports each item as accepted, duplicate or rejected', async () => {
    const one = await postEvents(stack.url, 'truck-001', truckToken, JSON.stringify(wireEvent('waste-truck', 'truck-001', 1)));
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, { accepted: 1, duplicates: 0, rejected: 0, results: [{ index: 0, status: 'accepted', deviceId: 'truck-001', eventId: 'e-1' }] });

    const batch = [1, 2, 3].map((n) => wireEvent('waste-truck', 'truck-001', n));
    batch.push({ ...wireEvent('waste-truck', 'truck-001', 4), loaded: 'yes' });
    const r = await postEvents(stack.url, 'truck-001', truckToken, JSON.stringify(batch));
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.results.map((x: any) => x.status),
      ['duplicate', 'accepted', 'accepted', 'rejected'],
    );
    assert.equal(r.body.results[3].code, 'GW_INGEST_SCHEMA');
    assert.match(r.body.results[3].reason, /loaded/);
    assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM device_events WHERE device_id = 'truck-001'`), 3);

    const notJson = await postEvents(stack.url, 'truck-001', truckToken, 'lat=29.8&lon=121.5');
    assert.equal(notJson.status, 200);
    assert.equal(notJson.body.results[0].code, 'GW_INGEST_BAD_JSON');
    const { rows } = await db.pool.query(`SELECT raw, transport FROM dead_letters WHERE code = 'GW_INGEST_BAD_JSON'`);
    assert.deepEqual(rows, [{ raw: 'lat=29.8&lon=121.5', transport: 'http' }]);
  });

  it('does not let device A post as device B, and refuses missing, wrong, disabled and rotated tokens with 401', async () => {
    const asGas = JSON.stringify(wireEvent('gas-sensor', 'gas-001', 1));
    // A's token presented for B's id: refused at the door.
    assert.equal((await postEvents(stack.url, 'gas-001', truckToken, asGas)).status, 401);
    // A's own id and token, but the event claims to be from B: that item is rejected and kept.
    const forged = await postEvents(stack.url, 'truck-001', truckToken, asGas);
    assert.equal(forged.status, 200);
    assert.equal(forged.body.results[0].code, 'GW_INGEST_DEVICE_MISMATCH');
    assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM device_events WHERE device_id = 'gas-001'`), 0);

    for (const [id, token] of [
      [null, gasToken],
      ['gas-001', null],
      ['gas-001', 'not-the-token'],
      ['nobody', gasToken],
      ['bad id!', gasToken],
    ] as const) {
      const r = await postEvents(stack.url, id, token, asGas);
      assert.equal(r.status, 401, `${id} / ${token}`);
      assert.match(r.body.error.code, /^GW_AUTH_(REQUIRED|INVALID)$/);
    }

    assert.equal((await postEvents(stack.url, 'gas-001', gasToken, asGas)).status, 200);
    const rotated = await admin(`${stack.url}/api/v1/devices/gas-001/rotate-token`, adminTok, 'POST');
    assert.equal(rotated.status, 200);
    assert.equal((await postEvents(stack.url, 'gas-001', gasToken, asGas)).status, 401, 'the old token stops working at once');
    const fresh = JSON.stringify(wireEvent('gas-sensor', 'gas-001', 2));
    assert.equal((await postEvents(stack.url, 'gas-001', rotated.body.token, fresh)).body.accepted, 1);

    assert.equal((await admin(`${stack.url}/api/v1/devices/gas-001/disable`, adminTok, 'POST')).body.disabled, true);
    assert.equal((await postEvents(stack.url, 'gas-001', rotated.body.token, fresh)).status, 401, 'a disabled device is refused');
  });

  it('refuses bodies over 5 MB and batches over 1000 events with 413, storing nothing', async () => {
    const huge = await postEvents(stack.url, 'truck-001', truckToken, `"${'x'.repeat(5 * 1024 * 1024 + 10)}"`);
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'GW_BODY_TOO_LARGE');
    const many = Array.from({ length: 1001 }, (_, n) => wireEvent('waste-truck', 'truck-001', n));
    const r = await postEvents(stack.url, 'truck-001', truckToken, JSON.stringify(many));
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'GW_INGEST_BATCH_TOO_LARGE');
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM device_events'), 0);
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM dead_letters'), 0);
  });

  it('admin API: import devices from CSV, list them with last-seen position; non-admins are refused', async () => {
    const csv = 'id,kind,homeUnitId,plate\n"cam-001",parking-camera,,浙B00001\ncam-002,parking-camera,,\ntruck-001,waste-truck,,\n';
    const imp = await admin(`${stack.url}/api/v1/devices/import`, adminTok, 'POST', { csv });
    assert.equal(imp.status, 200);
    assert.deepEqual(
      imp.body.results.map((r: any) => [r.id, r.status, typeof r.token]),
      [
        ['cam-001', 'created', 'string'],
        ['cam-002', 'created', 'string'],
        ['truck-001', 'exists', 'undefined'],
      ],
    );
    const bad = await admin(`${stack.url}/api/v1/devices/import`, adminTok, 'POST', { csv: 'id,kind\nx-1,toaster\n' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /row 1: kind/);

    await postEvents(stack.url, 'truck-001', truckToken, JSON.stringify(wireEvent('waste-truck', 'truck-001', 42)));
    const list = await admin(`${stack.url}/api/v1/devices?kind=waste-truck`, adminTok, 'GET');
    assert.equal(list.status, 200);
    assert.equal(list.body.devices.length, 1);
    assert.deepEqual(list.body.devices[0].lastPosition, { lon: 121.5542, lat: 29.87 });
    assert.ok(list.body.devices[0].lastSeenAt);
    const cams = await admin(`${stack.url}/api/v1/devices?prefix=cam-`, adminTok, 'GET');
    assert.deepEqual(cams.body.devices.map((d: { id: string }) => d.id), ['cam-001', 'cam-002'], 'prefix filters by id prefix, as the CLI --prefix');
    const misspelt = await admin(`${stack.url}/api/v1/devices?idPrefix=cam-`, adminTok, 'GET');
    assert.equal(misspelt.status, 400, 'an unknown filter is refused, not ignored');
    assert.equal(misspelt.body.error.code, 'GW_VALIDATION');
    assert.match(misspelt.body.error.message, /idPrefix/);
    const cam = await admin(`${stack.url}/api/v1/devices/cam-001`, adminTok, 'GET');
    assert.deepEqual(cam.body.metadata, { plate: '浙B00001' });

    const res = await fetch(`${stack.url}/api/v1/devices`);
    assert.equal(res.status, 401);
    const operator = await userToken(db.pool, 'op', 'operator');
    assert.equal((await admin(`${stack.url}/api/v1/devices`, operator, 'GET')).status, 403);
    assert.equal((await admin(`${stack.url}/api/v1/dead-letters`, operator, 'GET')).status, 403);
  });

  it('admin API: dead letters can be filtered, read with their raw payload, and replayed after fixing the registration', async () => {
    // Unregistered device over an authenticated channel: stored as a dead letter.
    await stack.sink.submit([{ transport: 'kafka', payload: JSON.stringify(wireEvent('gas-sensor', 'gas-777', 1)), authenticatedDeviceId: 'gas-777', receivedAt: Date.now() }]);
    // A forged event (truck-001 claiming to be gas-001) must stay refused on replay.
    await postEvents(stack.url, 'truck-001', truckToken, JSON.stringify(wireEvent('gas-sensor', 'gas-001', 9)));

    const list = await admin(`${stack.url}/api/v1/dead-letters?code=GW_INGEST_UNKNOWN_DEVICE&transport=kafka`, adminTok, 'GET');
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 1);
    const id = list.body.items[0].id;
    const detail = await admin(`${stack.url}/api/v1/dead-letters/${id}`, adminTok, 'GET');
    assert.equal(detail.body.deviceId, 'gas-777');
    assert.match(detail.body.reason, /gas-777 is not registered/);
    assert.equal(JSON.parse(detail.body.raw).eventId, 'e-1');

    await admin(`${stack.url}/api/v1/devices`, adminTok, 'POST', { id: 'gas-777', kind: 'gas-sensor' });
    const replay = await admin(`${stack.url}/api/v1/dead-letters/${id}/replay`, adminTok, 'POST');
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body.outcome, { status: 'accepted', deviceId: 'gas-777', eventId: 'e-1' });
    assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM device_events WHERE device_id = 'gas-777'`), 1);
    const replayed = await admin(`${stack.url}/api/v1/dead-letters/${id}`, adminTok, 'GET');
    assert.equal(replayed.body.replayResult, 'accepted');
    assert.ok(replayed.body.replayedAt);

    const bulk = await admin(`${stack.url}/api/v1/dead-letters/replay`, adminTok, 'POST', { transport: 'http' });
    assert.equal(bulk.body.replayed, 1);
    assert.equal(bulk.body.results[0].outcome.code, 'GW_INGEST_DEVICE_MISMATCH', 'replay keeps the authenticated device');
    assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM device_events WHERE device_id = 'gas-001'`), 0);
    const again = await admin(`${stack.url}/api/v1/dead-letters/replay`, adminTok, 'POST', { transport: 'http' });
    assert.equal(again.body.replayed, 1, 'the replay left a new dead letter, not yet replayed');
    const page = await admin(`${stack.url}/api/v1/dead-letters?limit=2`, adminTok, 'GET');
    assert.equal(page.body.items.length, 2);
    const next = await admin(`${stack.url}/api/v1/dead-letters?limit=2&before=${page.body.nextBefore}`, adminTok, 'GET');
    assert.ok(next.body.items.every((x: any) => x.id < page.body.nextBefore));
    assert.equal((await admin(`${stack.url}/api/v1/dead-letters?from=yesterday`, adminTok, 'GET')).status, 400);
  });

  it('runs wired into startGridwatch: HTTP intake, admin routes, /healthz and graceful close', async () => {
    await stack.close();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-rt-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATABASE_URL: db.connectionString, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const gw = await startGridwatch({ ...config, demo: false }, createLogger('silent'));
    try {
      const { token } = await gw.ingest.devices.register({ id: 'bridge-9', kind: 'bridge-sensor' });
      const r = await postEvents(gw.url, 'bridge-9', token, JSON.stringify(wireEvent('bridge-sensor', 'bridge-9', 1)));
      assert.equal(r.body.accepted, 1, JSON.stringify(r));
      const health = await (await fetch(`${gw.url}/healthz`)).json();
      assert.equal(health.components.ingest.status, 'ok');
      assert.equal(health.components['http-ingest'].status, 'ok');
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      assert.match(metrics, /gridwatch_ingest_events_total\{transport="http",kind="bridge-sensor",outcome="accepted"\} [1-9]/);
      assert.match(metrics, /gridwatch_ingest_stage_seconds_count\{stage="store"\} [1-9]/);
      const openapi = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json();
      assert.ok(openapi.paths['/api/v1/device-events'].post);
      assert.ok(openapi.paths['/api/v1/dead-letters/{id}/replay'].post);
    } finally {
      await gw.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    stack = await startIngestStack(db.pool);
  });
});
