import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { toWgs84 } from '../../core/crs.js';
import type { DeviceEvent } from '../../ingest/device-event.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { wireEvent } from './mqtt-kafka-support.js';
import { count, raw, startIngestStack, type IngestStack } from './ingest-harness.js';

/** A real 2-stripe JPEG shipped with Debian's nodejs docs, and the 1×1 lossless WebP from Modernizr. */
const JPEG = fs.readFileSync('/usr/share/doc/nodejs/thin-white-stripe.jpg');
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

describe('ingest sink: decode, normalise, batch, store', () => {
  let db: TestDb;
  let stack: IngestStack;
  const downstream: DeviceEvent[] = [];
  const tokens: Record<string, string> = {};

  before(async () => {
    db = await getTestDb();
  });
  after(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await stack?.close();
    await resetDb(db.pool);
    downstream.length = 0;
    stack = await startIngestStack(db.pool, { onAccepted: async (evs) => void downstream.push(...evs) });
    for (const [id, kind] of [
      ['truck-1', 'waste-truck'],
      ['gas-1', 'gas-sensor'],
      ['bridge-1', 'bridge-sensor'],
      ['cam-1', 'parking-camera'],
    ] as const) {
      tokens[id] = (await stack.devices.register({ id, kind })).token;
    }
  });
  after(async () => {
    await stack?.close();
  });

  it('stores events of every kind once, updates last seen, and hands exactly the new ones downstream', async () => {
    const outcomes = await stack.sink.submit([
      raw(wireEvent('waste-truck', 'truck-1', 1), 'mqtt', 'truck-1'),
      raw(wireEvent('gas-sensor', 'gas-1', 1), 'kafka', 'gas-1'),
      raw(wireEvent('bridge-sensor', 'bridge-1', 1), 'http', 'bridge-1'),
      raw(wireEvent('parking-camera', 'cam-1', 1), 'mqtt', 'cam-1'),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['accepted', 'accepted', 'accepted', 'accepted'],
    );
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM device_events'), 4);
    assert.deepEqual(downstream.map((e) => e.deviceId).sort(), ['bridge-1', 'cam-1', 'gas-1', 'truck-1']);
    const { rows } = await db.pool.query(
      `SELECT transport, payload, ST_X(position) AS lon FROM device_events WHERE device_id = 'truck-1'`,
    );
    assert.equal(rows[0].transport, 'mqtt');
    assert.equal(rows[0].payload.body, 'down');
    assert.equal(rows[0].lon, 121.5501);
    const truck = await stack.devices.get('truck-1');
    assert.ok(truck.lastSeenAt);
    assert.deepEqual(truck.lastPosition, { lon: 121.5501, lat: 29.87 });
  });

  it('acknowledges a redelivered event as a duplicate, also within one batch, and stores it once', async () => {
    const e = wireEvent('gas-sensor', 'gas-1', 7);
    const first = await stack.sink.submit([raw(e, 'mqtt', 'gas-1'), raw(e, 'mqtt', 'gas-1')]);
    assert.deepEqual(
      first.map((o) => o.status),
      ['accepted', 'duplicate'],
    );
    const again = await stack.sink.submit([raw(e, 'kafka', 'gas-1')]);
    assert.deepEqual(again, [{ status: 'duplicate', deviceId: 'gas-1', eventId: 'e-7' }]);
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM device_events'), 1);
    assert.equal(downstream.length, 1, 'downstream sees the event once');
  });

  it('converts GCJ-02 and BD-09 to WGS84, methane ppm to %LEL, and flags stale timestamps', async () => {
    const gcj = { ...wireEvent('waste-truck', 'truck-1', 'gcj'), position: { lon: 121.55, lat: 29.87, crs: 'gcj02' } };
    const bd = { ...wireEvent('waste-truck', 'truck-1', 'bd'), position: { lon: 121.55, lat: 29.87, crs: 'bd09' } };
    const { lelPct: _l, ...gasBase } = wireEvent('gas-sensor', 'gas-1', 'ppm');
    const ppm = { ...gasBase, ch4Ppm: 12_500 };
    const stale = { ...wireEvent('gas-sensor', 'gas-1', 'old'), ts: new Date(Date.now() - 2 * 24 * 3600_000).toISOString() };
    const out = await stack.sink.submit([gcj, bd, ppm, stale].map((e) => raw(e)));
    assert.ok(out.every((o) => o.status === 'accepted'), JSON.stringify(out));
    const byId = new Map(downstream.map((e) => [e.eventId, e]));
    const [gx, gy] = toWgs84(121.55, 29.87, 'gcj02');
    assert.deepEqual([byId.get('e-gcj')!.position.lon, byId.get('e-gcj')!.position.lat], [gx, gy]);
    assert.ok(Math.abs(gx - 121.5458) < 0.001 && Math.abs(gy - 29.8726) < 0.001, 'GCJ-02 offset in Ningbo is ≈ 500 m');
    assert.equal(byId.get('e-bd')!.sourceCrs, 'bd09');
    const gas = byId.get('e-ppm')!;
    assert.equal(gas.kind === 'gas-sensor' && gas.lelPct, 25, '12,500 ppm CH4 = 25 %LEL');
    assert.deepEqual(byId.get('e-old')!.flags, ['stale-ts']);
    const { rows } = await db.pool.query(`SELECT flags FROM device_events WHERE event_id = 'e-old'`);
    assert.deepEqual(rows[0].flags, ['stale-ts']);
  });

  it('stores real images under DATA_DIR/images/<sha256>.<ext> and references them in the event', async () => {
    const withJpeg = { ...wireEvent('parking-camera', 'cam-1', 'jpg'), image: { base64: JPEG.toString('base64'), mime: 'image/jpeg' } };
    const withWebp = { ...wireEvent('parking-camera', 'cam-1', 'webp'), image: { base64: `data:image/webp;base64,${WEBP.toString('base64')}` } };
    const out = await stack.sink.submit([raw(withJpeg), raw(withWebp)]);
    assert.deepEqual(
      out.map((o) => o.status),
      ['accepted', 'accepted'],
    );
    const sha = crypto.createHash('sha256').update(JPEG).digest('hex');
    assert.deepEqual(fs.readFileSync(path.join(stack.dataDir, 'images', `${sha}.jpg`)), JPEG);
    const { rows } = await db.pool.query(`SELECT payload->'image' AS image FROM device_events ORDER BY event_id`);
    assert.deepEqual(rows[0].image, { stored: `images/${sha}.jpg`, sha256: sha, mime: 'image/jpeg' });
    assert.equal(rows[1].image.mime, 'image/webp');
  });

  it('turns every kind of bad input into a dead letter with a stable code, a reason naming the field, and the raw payload', async () => {
    // A disabled device is refused on Kafka too, where the record's key is the only identity.
    await stack.devices.register({ id: 'gas-off', kind: 'gas-sensor' });
    await stack.devices.setDisabled('gas-off', true);
    const future = { ...wireEvent('gas-sensor', 'gas-1', 'future'), ts: new Date(Date.now() + 3600_000).toISOString() };
    const cases: [string, ReturnType<typeof raw>, RegExp][] = [
      ['GW_INGEST_BAD_JSON', raw('{"eventId": "x",', 'mqtt'), /not valid JSON/],
      ['GW_INGEST_BAD_ENCODING', raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'kafka'), /not valid UTF-8/],
      ['GW_INGEST_TOO_LARGE', raw('x'.repeat(3_000_001)), /3000001 bytes/],
      ['GW_INGEST_UNKNOWN_KIND', raw({ ...wireEvent('gas-sensor', 'gas-1', 'k'), kind: 'toaster' }), /kind: "toaster"/],
      ['GW_INGEST_SCHEMA', raw({ ...wireEvent('waste-truck', 'truck-1', 's'), speedKmh: 'fast' }), /speedKmh/],
      ['GW_INGEST_SCHEMA', raw({ ...wireEvent('waste-truck', 'truck-1', 'lat'), position: { lon: 121, lat: 91 } }), /position\.lat/],
      ['GW_INGEST_SCHEMA', raw({ ...wireEvent('parking-camera', 'cam-1', 'nul'), plate: 'AB\u0000C' }), /plate: holds a NUL/],
      ['GW_INGEST_DEVICE_MISMATCH', raw(wireEvent('gas-sensor', 'gas-1', 'm'), 'http', 'truck-1'), /not the authenticated device truck-1/],
      ['GW_INGEST_UNKNOWN_DEVICE', raw(wireEvent('gas-sensor', 'gas-404', 'u'), 'kafka', 'gas-404'), /gas-404 is not registered/],
      ['GW_INGEST_DEVICE_DISABLED', raw(wireEvent('gas-sensor', 'gas-off', 'off'), 'kafka', 'gas-off'), /gas-off is disabled/],
      ['GW_INGEST_KIND_MISMATCH', raw(wireEvent('bridge-sensor', 'gas-1', 'km')), /registered as gas-sensor/],
      ['GW_INGEST_FUTURE_TS', raw(future), /ahead of the receive time/],
      ['GW_INGEST_BAD_IMAGE', raw({ ...wireEvent('parking-camera', 'cam-1', 'img'), image: { base64: Buffer.from('just some text, not a photo').toString('base64') } }), /not an image/],
      ['GW_INGEST_BAD_IMAGE', raw({ ...wireEvent('parking-camera', 'cam-1', 'png'), image: { base64: JPEG.toString('base64'), mime: 'image/png' } }), /says image\/png but the bytes are image\/jpeg/],
      ['GW_INGEST_BAD_IMAGE', raw({ ...wireEvent('parking-camera', 'cam-1', 'cut'), image: { base64: JPEG.subarray(0, 4000).toString('base64') } }), /truncated/],
    ];
    const out = await stack.sink.submit(cases.map(([, input]) => input));
    out.forEach((o, i) => {
      const [code, , reason] = cases[i]!;
      assert.equal(o.status, 'rejected', `case ${i} (${code})`);
      assert.ok(o.status === 'rejected' && o.code === code, `case ${i}: expected ${code}, got ${JSON.stringify(o)}`);
      assert.match(o.status === 'rejected' ? o.reason : '', reason, `case ${i} (${code})`);
    });
    const { rows } = await db.pool.query(`SELECT code, raw, raw_encoding, device_id, authenticated_device_id FROM dead_letters ORDER BY id`);
    assert.equal(rows.length, cases.length);
    assert.equal(rows[0].raw, '{"eventId": "x",', 'raw payload kept verbatim');
    assert.deepEqual([rows[1].raw_encoding, Buffer.from(rows[1].raw, 'base64')], ['base64', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]);
    assert.equal(rows[6].raw_encoding, 'utf8', 'a \\u0000 escape is plain text');
    assert.deepEqual([rows[7].device_id, rows[7].authenticated_device_id], ['gas-1', 'truck-1']);
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM device_events'), 0);
    assert.equal(downstream.length, 0);
  });
});
