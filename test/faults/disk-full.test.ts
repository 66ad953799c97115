/**
 * Fault: the disk for device images is full (issue 13), under the whole service. A small tmpfs is
 * mounted over DATA_DIR/images and filled; cameras post events with inline JPEGs over HTTP while
 * gas sensors post beside them. Every camera request gets 507 GW_INGEST_STORAGE with
 * Retry-After, nothing of it is stored, no temporary file or partial image is left, the gas
 * events are stored, and /healthz names the image storage as failing (the service stays ok: it
 * still stores events without images). Then the filler is deleted and the cameras resend every
 * request: each camera event is stored once, each image byte-equal (SHA-256) to what was sent,
 * and sent = stored + dead-lettered with no duplicates. Real PostgreSQL only (the service child
 * needs a database it can share with the test).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { photo } from '../evidence/fixtures.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { wireEvent } from '../ingest/mqtt-kafka-support.js';
import { duplicateOpenClues, settledCounts } from './helpers/accounting.js';
import { startService, stopService, type Service } from './helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const CAMERAS = 2;
const GAS = 2;
const REQUESTS = 4;
const PER_REQUEST = 3;
const TOTAL = (CAMERAS + GAS) * REQUESTS * PER_REQUEST;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

async function post(url: string, id: string, token: string, events: unknown[]): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/device-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-device-id': id, authorization: `Bearer ${token}` },
    body: JSON.stringify(events),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Files under `dir` other than the filler, relative. */
function imagesUnder(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f !== 'filler.bin');
}

test(
  'a full disk for device images: cameras get 507 GW_INGEST_STORAGE and nothing half-written stays, gas sensors are stored, and a resend after space returns stores each image once, byte-equal',
  { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL) for the service child', timeout: 240_000 },
  async (t) => {
    const db = await getTestDb();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-disk-full-'));
    let fsys: Tmpfs | string | undefined;
    let service: Service | undefined;
    try {
      fsys = await mountTmpfs(path.join(dataDir, 'images'), 1024);
      if (typeof fsys === 'string') return t.skip(fsys);
      const disk = fsys;
      await resetDb(db.pool);
      const registry = new DeviceRegistry(db.pool);
      const devices: { id: string; token: string; camera: boolean }[] = [];
      for (let d = 0; d < CAMERAS + GAS; d++) {
        const camera = d < CAMERAS;
        const id = camera ? `df-cam-${d}` : `df-gas-${d}`;
        devices.push({ id, camera, token: (await registry.register({ id, kind: camera ? 'parking-camera' : 'gas-sensor' })).token });
      }
      // Every camera event carries its own photo (distinct bytes, so distinct files).
      const sent = new Map<string, Buffer>();
      const requests = new Map<string, unknown[][]>();
      for (const { id, camera } of devices) {
        const reqs: unknown[][] = [];
        for (let r = 0; r < REQUESTS; r++) {
          const events: unknown[] = [];
          for (let i = 0; i < PER_REQUEST; i++) {
            const n = r * PER_REQUEST + i;
            const e = { ...wireEvent(camera ? 'parking-camera' : 'gas-sensor', id, n), eventId: `${id}-${n}` };
            if (camera) {
              const jpeg = await photo('jpeg', 320 + Number(id.slice(-1)) * 50 + n, 240);
              sent.set(`${id}-${n}`, jpeg);
              events.push({ ...e, image: { base64: jpeg.toString('base64'), mime: 'image/jpeg' } });
            } else events.push(e);
          }
          reqs.push(events);
        }
        requests.set(id, reqs);
      }

      service = await startService(db.connectionString, dataDir);
      const svc = service;
      disk.fill();

      // The disk is full: every device sends all its requests, concurrently.
      const first = await Promise.all(devices.map(async (d) => ({ d, answers: await Promise.all(requests.get(d.id)!.map((evs) => post(svc.url, d.id, d.token, evs))) })));
      for (const { d, answers } of first) {
        for (const a of answers) {
          if (d.camera) {
            assert.equal(a.status, 507, `camera ${d.id} gets 507: ${JSON.stringify(a.body)}`);
            assert.equal(a.body.error.code, 'GW_INGEST_STORAGE');
            assert.match(a.body.error.message, /ENOSPC/);
            assert.ok(a.retryAfter, 'with Retry-After');
          } else {
            assert.equal(a.status, 200, `gas sensor ${d.id} is stored: ${JSON.stringify(a.body)}`);
            assert.equal(a.body.accepted, PER_REQUEST);
          }
        }
      }
      assert.deepEqual(imagesUnder(disk.dir), [], 'no temporary file and no partial image under DATA_DIR/images');
      const stored = await db.pool.query<{ device_id: string; n: number }>("SELECT device_id, count(*)::int AS n FROM device_events WHERE device_id LIKE 'df-%' GROUP BY 1 ORDER BY 1");
      assert.deepEqual(
        stored.rows,
        devices.filter((d) => !d.camera).map((d) => ({ device_id: d.id, n: REQUESTS * PER_REQUEST })),
        'the gas events are stored, no camera event is',
      );
      const health = (await (await fetch(`${svc.url}/healthz`)).json()) as { components: Record<string, { status: string; detail?: any }> };
      t.diagnostic(`/healthz ingest while full: ${JSON.stringify(health.components.ingest)}`);
      assert.equal(health.components.ingest?.status, 'ok', 'ingest still stores events without images');
      assert.equal(health.components.ingest?.detail?.imageStorage?.status, 'failing', '/healthz says the image storage fails');
      assert.match(health.components.ingest?.detail?.imageStorage?.lastError, /ENOSPC/);

      // Space returns; the cameras resend what was refused.
      disk.free();
      for (const d of devices.filter((x) => x.camera)) {
        for (const evs of requests.get(d.id)!) {
          const a = await post(svc.url, d.id, d.token, evs);
          assert.equal(a.status, 200, `camera ${d.id} resent: ${JSON.stringify(a.body)}`);
          assert.equal(a.body.accepted, PER_REQUEST);
        }
      }
      // A second resend (a device that missed the answer) is acknowledged as duplicates.
      const d0 = devices[0]!;
      const dup = await post(svc.url, d0.id, d0.token, requests.get(d0.id)![0]!);
      assert.deepEqual([dup.status, dup.body.duplicates], [200, PER_REQUEST]);

      const final = await settledCounts(db.pool, 'df-%', TOTAL);
      const dupes = await duplicateOpenClues(db.pool);
      t.diagnostic(`sent ${TOTAL}; stored ${final.stored} (${final.distinct} distinct), processed ${final.processed}, dead-lettered ${final.dead}`);
      assert.equal(final.distinct + final.dead, TOTAL, 'sent = stored + dead-lettered');
      assert.equal(final.dead, 0, 'nothing dead-lettered');
      assert.equal(final.stored, final.distinct, 'no event stored twice');
      assert.equal(final.processed, final.stored, 'every stored event processed by the clue pipeline');
      assert.deepEqual(dupes, [], 'no problem has two open clues');

      const images = await db.pool.query<{ event_id: string; image: { stored: string; sha256: string } }>(
        "SELECT event_id, payload->'image' AS image FROM device_events WHERE device_id LIKE 'df-cam-%'",
      );
      assert.equal(images.rows.length, sent.size, 'each camera event stored once');
      for (const { event_id, image } of images.rows) {
        const bytes = fs.readFileSync(path.join(dataDir, image.stored));
        assert.equal(sha256(bytes), sha256(sent.get(event_id)!), `the image of ${event_id} is the bytes sent`);
        assert.equal(image.sha256, sha256(bytes));
      }
      assert.equal(imagesUnder(disk.dir).length, sent.size, 'one file per image, no temporary file');
      const after = (await (await fetch(`${svc.url}/healthz`)).json()) as { components: Record<string, { detail?: any }> };
      assert.equal(after.components.ingest?.detail?.imageStorage, undefined, '/healthz no longer names the image storage');
      assert.equal(svc.child.exitCode, null, 'the service never exited');
    } finally {
      await stopService(service);
      if (fsys && typeof fsys !== 'string') await fsys.unmount();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
