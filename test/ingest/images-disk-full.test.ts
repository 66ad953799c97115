/**
 * Device images on a full or read-only disk (issue 13), on a real tmpfs: storeImage removes its
 * temporary file and answers GW_INGEST_STORAGE (507) instead of a retryable error; the sink
 * refuses the submissions with an image that could not be written and stores every other event
 * of the batch (dead letters of a refused submission wait for its resend);
 * over HTTP the camera gets the 507 with Retry-After; once space returns a resend stores each
 * event once with its image byte for byte.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GwError } from '../../core/errors.js';
import { checkInlineImage, storeImage, type CheckedImage } from '../../ingest/images.js';
import { photo } from '../evidence/fixtures.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { count, postEvents, raw, startIngestStack, type IngestStack } from './ingest-harness.js';
import { wireEvent } from './mqtt-kafka-support.js';

/** Every file under `dir`, relative, sorted (the filler excluded). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f !== 'filler.bin' && fs.statSync(path.join(dir, f)).isFile()).sort();
}

async function checked(width: number): Promise<CheckedImage> {
  const c = checkInlineImage((await photo('jpeg', width, 300)).toString('base64'));
  assert.ok('bytes' in c, 'the fixture is a JPEG');
  return c;
}

/** Whether `p` rejects with GW_INGEST_STORAGE (507) for errno `errno`. */
async function rejectsStorage(p: Promise<unknown>, errno: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GwError, `a GwError, not ${String(err)}`);
    assert.equal(err.code, 'GW_INGEST_STORAGE');
    assert.equal(err.status, 507);
    assert.deepEqual(err.details, { errno });
    return true;
  });
}

describe('storeImage on a full or read-only disk (a real tmpfs)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-images-full-'));
  let fsys: Tmpfs | string;

  before(async () => {
    fsys = await mountTmpfs(root, 512);
  });
  after(async () => {
    if (typeof fsys !== 'string') await fsys.unmount();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers GW_INGEST_STORAGE (ENOSPC) and leaves no temporary file, however often it is tried; stores the image once space returns', async (t) => {
    if (typeof fsys === 'string') return t.skip(fsys);
    const image = await checked(640);
    const kept = await checked(500);
    await storeImage(fsys.dir, kept);
    fsys.fill();
    for (let i = 0; i < 20; i++) await rejectsStorage(storeImage(fsys.dir, image), 'ENOSPC');
    assert.deepEqual(filesUnder(fsys.dir), [kept.stored], 'no temporary file and no partial image: only the image stored before');
    // An image already stored needs no space: a resend of it is not refused.
    await storeImage(fsys.dir, kept);
    fsys.free();
    await storeImage(fsys.dir, image);
    assert.deepEqual(filesUnder(fsys.dir), [image.stored, kept.stored].sort());
    assert.deepEqual(fs.readFileSync(path.join(fsys.dir, image.stored)), image.bytes);
  });

  it('answers GW_INGEST_STORAGE (EROFS) on a read-only file system, writing nothing', async (t) => {
    if (typeof fsys === 'string') return t.skip(fsys);
    const image = await checked(700);
    await fsys.remount({ ro: true });
    try {
      await rejectsStorage(storeImage(fsys.dir, image), 'EROFS');
    } finally {
      await fsys.remount({ ro: false });
    }
    assert.ok(!filesUnder(fsys.dir).some((f) => f.startsWith(image.stored)), 'nothing of the image was written');
  });

  it('passes other failures through unchanged (a bug is not a full disk)', async () => {
    const notADir = path.join(root, '..', `gw-not-a-dir-${process.pid}`);
    fs.writeFileSync(notADir, 'a file where DATA_DIR should be');
    try {
      await assert.rejects(storeImage(notADir, await checked(300)), (err: NodeJS.ErrnoException) => !(err instanceof GwError) && err.code === 'ENOTDIR');
    } finally {
      fs.rmSync(notADir);
    }
  });
});

describe('ingest sink and HTTP intake with DATA_DIR/images on a full disk', () => {
  let db: TestDb;
  let stack: IngestStack;
  let fsys: Tmpfs | string;
  const tokens: Record<string, string> = {};

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    // A longer linger so the camera's and the gas sensor's submissions share a batch.
    stack = await startIngestStack(db.pool, { sink: { lingerMs: 50 } });
    for (const [id, kind] of [
      ['cam-1', 'parking-camera'],
      ['gas-1', 'gas-sensor'],
    ] as const) {
      tokens[id] = (await stack.devices.register({ id, kind })).token;
    }
    fsys = await mountTmpfs(path.join(stack.dataDir, 'images'), 512);
  });
  after(async () => {
    if (typeof fsys !== 'string') await fsys.unmount();
    await stack.close();
    await db.close();
  });

  it('refuses the camera submission with 507, stores the other events of the batch, and stores each camera event once with its image after space returns', async (t) => {
    if (typeof fsys === 'string') return t.skip(fsys);
    const jpeg = await photo('jpeg', 640, 480);
    const withImage = { ...wireEvent('parking-camera', 'cam-1', 1), image: { base64: jpeg.toString('base64'), mime: 'image/jpeg' } };
    const without = wireEvent('parking-camera', 'cam-1', 2);
    const gas = wireEvent('gas-sensor', 'gas-1', 1);
    const poison = raw('{"not": "an event"', 'kafka', 'cam-1');
    fsys.fill();

    const [camera, sensor] = await Promise.allSettled([
      // One Kafka poll: the camera's events, a poison message and, from an in-batch duplicate, the same event again.
      stack.sink.submit([raw(without, 'kafka', 'cam-1'), raw(withImage, 'kafka', 'cam-1'), poison, raw(withImage, 'kafka', 'cam-1')]),
      stack.sink.submit([raw(gas, 'mqtt', 'gas-1'), raw(withImage, 'mqtt', 'cam-1')]),
    ]);
    for (const s of [camera, sensor]) {
      assert.equal(s.status, 'rejected');
      assert.equal((s as PromiseRejectedResult).reason.code, 'GW_INGEST_STORAGE');
    }
    assert.deepEqual(
      (await db.pool.query<{ event_id: string }>('SELECT device_id || event_id AS event_id FROM device_events ORDER BY 1')).rows.map((r) => r.event_id),
      ['cam-1e-2', 'gas-1e-1'],
      'every event but the one whose image failed is stored',
    );
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM dead_letters'), 0, "the refused submission's dead letter waits for its resend");
    assert.deepEqual(filesUnder(fsys.dir), [], 'no temporary file and no partial image');
    const health = stack.sink.health();
    assert.equal(health.status, 'ok', 'the sink still stores events without images');
    assert.match(JSON.stringify(health.detail), /"imageStorage":\{"status":"failing".*ENOSPC/);

    const http = await postEvents(stack.url, 'cam-1', tokens['cam-1']!, JSON.stringify([withImage]));
    assert.equal(http.status, 507);
    assert.equal(http.body.error.code, 'GW_INGEST_STORAGE');
    assert.deepEqual(filesUnder(fsys.dir), []);

    fsys.free();
    const again = await postEvents(stack.url, 'cam-1', tokens['cam-1']!, JSON.stringify([without, withImage]));
    assert.equal(again.status, 200);
    assert.deepEqual(
      again.body.results.map((r: { status: string }) => r.status),
      ['duplicate', 'accepted'],
    );
    const resent = await stack.sink.submit([raw(gas, 'mqtt', 'gas-1'), raw(withImage, 'mqtt', 'cam-1')]);
    assert.deepEqual(
      resent.map((o) => o.status),
      ['duplicate', 'duplicate'],
    );
    const poll = await stack.sink.submit([poison]);
    assert.deepEqual(
      poll.map((o) => o.status),
      ['rejected'],
    );
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM dead_letters'), 1, 'the dead letter is recorded once, on the resend');
    const sha = crypto.createHash('sha256').update(jpeg).digest('hex');
    assert.deepEqual(filesUnder(fsys.dir), [`${sha}.jpg`]);
    assert.ok(fs.readFileSync(path.join(fsys.dir, `${sha}.jpg`)).equals(jpeg), 'the stored image is the bytes sent');
    assert.equal(await count(db.pool, "SELECT count(*)::int AS n FROM device_events WHERE device_id = 'cam-1'"), 2);
    assert.equal(stack.sink.health().detail && JSON.stringify(stack.sink.health().detail).includes('imageStorage'), false, '/healthz no longer names the images');
  });
});
