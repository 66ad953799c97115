import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { checkInlineImage, storeImage } from '../../ingest/images.js';
import type { Role } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { clueRoutes } from '../../server/clues/clue.routes.js';
import { CameraEvidence } from '../../server/evidence/camera-evidence.js';
import { evidenceChecker } from '../../server/evidence/evidence-checker.js';
import { evidenceRoutes } from '../../server/evidence/evidence.routes.js';
import { sha256Hex } from '../../server/evidence/process-image.js';
import { openApiDocument } from '../../server/http/openapi.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { DEVICES, PLACES, TOWN_A, TOWN_B, miniCatalogue, miniLocator, miniRouting } from '../pipeline/helpers/mini-city.js';
import { T0, gas, stored, truck } from '../pipeline/helpers/events.js';
import { EXIF_GPS, EXIF_TAKEN_AT, photo, pngBomb, TEXT_AS_JPG, truncatedJpeg } from './fixtures.js';

const log = createLogger('silent');
const LIMITS = { upload: { maxFiles: 3, maxFileBytes: 2_000_000 }, image: { maxBytes: 2_000_000, maxPixels: 20_000_000 } };
let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let dataDir: string;
let pipeline: CluePipeline;
const tokens: Record<string, string> = {};
/** Clue codes: A in the empowered town (team A), B in the other (construction department, team B co-notified). */
let A: string;
let B: string;

type Part = { bytes: Buffer; name: string; type?: string };
/** POSTs files as multipart/form-data, as a browser's FormData does. */
async function upload(who: string | null, code: string, parts: Part[], base = app.url): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const p of parts) form.append('file', new Blob([new Uint8Array(p.bytes)], { type: p.type ?? 'application/octet-stream' }), p.name);
  const res = await fetch(`${base}/api/v1/clues/${code}/evidence`, { method: 'POST', body: form, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
  return { status: res.status, body: await res.json() };
}
const get = (who: string, p: string) => api(`${app.url}${p}`, { token: tokens[who] });
const fetchFile = (who: string | null, p: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${p}`, { headers: { ...headers, ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) } });
const countRows = async (table: string) => Number((await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);

let jpeg: Buffer;
let uploaded: { sha256: string; displaySha256: string; thumbSha256: string };

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-evidence-api-'));
  const store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 60_000 });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  const { rows } = await db.pool.query<{ code: string }>('SELECT code FROM clues ORDER BY town_code');
  [A, B] = rows.map((r) => r.code) as [string, string];
  app = await startTestApp(db.pool, { routes: [...clueRoutes(db.pool, miniRouting(store)), ...evidenceRoutes(db.pool, dataDir, LIMITS)] });
  const people: [string, Role, string[], string | null][] = [
    ['op-district', 'operator', ['330203'], null],
    ['op-town-a', 'operator', [TOWN_A.code], null],
    ['op-elsewhere', 'operator', ['330212'], null],
    ['planner', 'planner', [], null],
    // The construction department is assigned clue B; team B is only told about it.
    ['officer-construction', 'officer', [], 'dept-330203-construction'],
    ['worker-a', 'worker', [TOWN_A.code], `team-${TOWN_A.code}`],
    ['worker-b', 'worker', [], `team-${TOWN_B.code}`],
  ];
  for (const [name, role, scopes, unit] of people) tokens[name] = await loginAs(db.pool, app.url, name, role, scopes, unit);
  jpeg = await photo('jpeg');
});
after(async () => {
  await app?.close();
  await db?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a worker of the assigned unit uploads a JPEG: original kept, copies made, EXIF kept as fields, timeline and outbox record the hashes', async () => {
  const r = await upload('worker-a', A, [{ bytes: jpeg, name: 'scene.jpg', type: 'image/jpeg' }]);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.clue.code, A);
  const [e] = r.body.evidence;
  uploaded = e;
  assert.equal(e.sha256, sha256Hex(jpeg));
  assert.equal(e.mime, 'image/jpeg');
  assert.equal(e.fileName, 'scene.jpg');
  assert.equal(e.takenAt, EXIF_TAKEN_AT);
  assert.ok(Math.abs(e.gps.lat - EXIF_GPS.lat) < 1e-6 && Math.abs(e.gps.lon - EXIF_GPS.lon) < 1e-6);
  assert.equal(e.addedBy, 'worker-a');
  assert.deepEqual(e.urls, { original: `/api/v1/evidence/${e.sha256}/original`, display: `/api/v1/evidence/${e.sha256}/display`, thumb: `/api/v1/evidence/${e.sha256}/thumb` });
  const check = evidenceChecker(dataDir);
  for (const h of [e.sha256, e.displaySha256, e.thumbSha256]) assert.deepEqual(await check(h), { ok: true }, `file ${h} is stored under its hash`);

  const detail = await get('worker-a', `/api/v1/clues/${A}`);
  assert.equal(detail.status, 200, JSON.stringify(detail.body));
  const entry = detail.body.timeline.at(-1);
  assert.equal(entry.action, 'evidence.added');
  assert.equal(entry.actor, 'worker-a');
  assert.deepEqual(
    [entry.detail.evidence.sha256, entry.detail.evidence.displaySha256, entry.detail.evidence.thumbSha256],
    [e.sha256, e.displaySha256, e.thumbSha256],
  );
  const { rows } = await db.pool.query(`SELECT change, unit_ids, payload FROM clue_outbox WHERE change = 'evidence'`);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].payload.change, 'evidence');
  assert.equal(rows[0].payload.clue.code, A);
  assert.equal(rows[0].payload.evidence.sha256, e.sha256);
  assert.equal(rows[0].payload.timeline.action, 'evidence.added');
  assert.ok(rows[0].unit_ids.includes(`team-${TOWN_A.code}`));

  const again = await upload('op-town-a', A, [{ bytes: jpeg, name: 'same.jpg' }]);
  assert.equal(again.status, 200, 'the same photo twice on one clue is attached once');
  assert.deepEqual(again.body.evidence, []);
  assert.equal(await countRows('clue_evidence'), 1);
});

test('PNG and WebP with EXIF GPS, several files in one request, listed in order', async () => {
  const png = await photo('png', 640, 480);
  const webp = await photo('webp', 640, 480);
  const r = await upload('op-district', B, [
    { bytes: png, name: 'a.png' },
    { bytes: webp, name: 'b.webp' },
  ]);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.evidence.map((e: { mime: string }) => e.mime), ['image/png', 'image/webp']);
  for (const e of r.body.evidence) assert.ok(e.gps && Math.abs(e.gps.lon - EXIF_GPS.lon) < 1e-6);
  const list = await get('officer-construction', `/api/v1/clues/${B}/evidence`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.evidence.map((e: { fileName: string }) => e.fileName).sort(), ['a.png', 'b.webp']);
});

test('the files: original byte for byte, display and thumb without EXIF; ETag is the hash, immutable private caching, 304 on a match', async () => {
  const original = await fetchFile('op-town-a', `/api/v1/evidence/${uploaded.sha256}/original`);
  assert.equal(original.status, 200);
  assert.equal(original.headers.get('content-type'), 'image/jpeg');
  assert.equal(original.headers.get('etag'), `"${uploaded.sha256}"`);
  assert.equal(original.headers.get('cache-control'), 'private, max-age=31536000, immutable');
  assert.deepEqual(Buffer.from(await original.arrayBuffer()), jpeg);
  for (const [variant, hash] of [
    ['display', uploaded.displaySha256],
    ['thumb', uploaded.thumbSha256],
  ] as const) {
    const res = await fetchFile('worker-a', `/api/v1/evidence/${uploaded.sha256}/${variant}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), `"${hash}"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(sha256Hex(bytes), hash);
    assert.equal((await sharp(bytes).metadata()).exif, undefined);
    const cached = await fetchFile('worker-a', `/api/v1/evidence/${uploaded.sha256}/${variant}`, { 'if-none-match': `"${hash}"` });
    assert.equal(cached.status, 304);
  }
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync('test-results/evidence-api-display.jpg', Buffer.from(await (await fetchFile('worker-a', `/api/v1/evidence/${uploaded.sha256}/display`)).arrayBuffer()));
});

test('scope: every evidence URL answers 404 outside the caller’s jurisdiction, 401 without a login, exactly as for unknown evidence', async () => {
  const unknown = 'f'.repeat(64);
  for (const variant of ['original', 'display', 'thumb']) {
    const foreign = await get('op-elsewhere', `/api/v1/evidence/${uploaded.sha256}/${variant}`);
    const missing = await get('op-elsewhere', `/api/v1/evidence/${unknown}/${variant}`);
    assert.equal(foreign.status, 404, variant);
    assert.equal(foreign.body.error.code, 'GW_EVIDENCE_NOT_FOUND');
    assert.equal(foreign.body.error.message.replace(uploaded.sha256, '<x>'), missing.body.error.message.replace(unknown, '<x>'));
    assert.equal((await get('officer-construction', `/api/v1/evidence/${uploaded.sha256}/${variant}`)).status, 404, 'a unit that is not told about clue A does not see its evidence');
    assert.equal((await fetchFile('planner', `/api/v1/evidence/${uploaded.sha256}/${variant}`)).status, 200, 'the city-wide planner does');
    assert.equal((await fetchFile(null, `/api/v1/evidence/${uploaded.sha256}/${variant}`)).status, 401);
  }
  const bad = await get('op-district', `/api/v1/evidence/${uploaded.sha256}/exif`);
  assert.equal(bad.status, 400);
  assert.equal((await get('op-district', `/api/v1/evidence/..%2F..%2Fetc/original`)).status, 400);
  const list = await get('op-elsewhere', `/api/v1/clues/${A}/evidence`);
  assert.equal(list.status, 404);
  assert.equal(list.body.error.code, 'GW_CLUE_NOT_FOUND');
  assert.equal((await api(`${app.url}/api/v1/clues/${A}/evidence`)).status, 401);
  const post = await upload('op-elsewhere', A, [{ bytes: jpeg, name: 'x.jpg' }]);
  assert.equal(post.status, 404);
  assert.equal(post.body.error.code, 'GW_CLUE_NOT_FOUND');
  assert.equal((await upload(null, A, [{ bytes: jpeg, name: 'x.jpg' }])).status, 401);
});

test('roles: planners may not upload; workers and officers only to clues assigned to their unit; closed clues take none', async () => {
  const png = await photo('png', 320, 240);
  const planner = await upload('planner', A, [{ bytes: png, name: 'p.png' }]);
  assert.equal(planner.status, 403);
  assert.equal(planner.body.error.code, 'GW_FORBIDDEN');
  const coNotified = await upload('worker-b', B, [{ bytes: png, name: 'p.png' }]);
  assert.equal(coNotified.status, 403, 'team B is told about clue B but it is not assigned to it');
  assert.equal(coNotified.body.error.code, 'GW_CLUE_FORBIDDEN');
  const officer = await upload('officer-construction', B, [{ bytes: png, name: 'p.png' }]);
  assert.equal(officer.status, 201, 'the assigned department’s officer may');
  await db.pool.query(`UPDATE clues SET status = 'closed' WHERE code = $1`, [B]);
  try {
    const closed = await upload('op-district', B, [{ bytes: await photo('jpeg', 100, 100), name: 'late.jpg' }]);
    assert.equal(closed.status, 409);
    assert.equal(closed.body.error.code, 'GW_CLUE_STATE');
  } finally {
    await db.pool.query(`UPDATE clues SET status = 'new' WHERE code = $1`, [B]);
  }
});

test('bad uploads are refused with a clear code and store nothing: text renamed .jpg, truncated JPEG, decompression bomb, limits, not multipart', async () => {
  const before = { evidence: await countRows('evidence'), timeline: await countRows('clue_timeline'), files: fs.readdirSync(path.join(dataDir, 'evidence'), { recursive: true }).length };
  const cases: [Part[], number, string][] = [
    [[{ bytes: TEXT_AS_JPG, name: 'notes.jpg', type: 'image/jpeg' }], 415, 'GW_EVIDENCE_NOT_IMAGE'],
    [[{ bytes: await truncatedJpeg(), name: 'cut.jpg', type: 'image/jpeg' }], 422, 'GW_EVIDENCE_TRUNCATED'],
    [[{ bytes: pngBomb(), name: 'bomb.png', type: 'image/png' }], 422, 'GW_EVIDENCE_TOO_MANY_PIXELS'],
    [[{ bytes: Buffer.alloc(LIMITS.upload.maxFileBytes + 1, 1), name: 'huge.jpg' }], 413, 'GW_EVIDENCE_TOO_LARGE'],
    [[1, 2, 3, 4].map((i) => ({ bytes: jpeg, name: `${i}.jpg` })), 413, 'GW_EVIDENCE_TOO_MANY_FILES'],
    // More bytes than the limits allow in all: refused from Content-Length.
    [[{ bytes: Buffer.alloc(LIMITS.upload.maxFiles * LIMITS.upload.maxFileBytes + 100_000, 1), name: 'enormous.jpg' }], 413, 'GW_EVIDENCE_TOO_LARGE'],
    // One bad file among good ones: none is stored.
    [[{ bytes: await photo('webp', 300, 200), name: 'good.webp' }, { bytes: TEXT_AS_JPG, name: 'bad.jpg' }], 415, 'GW_EVIDENCE_NOT_IMAGE'],
    [[], 400, 'GW_EVIDENCE_BAD_UPLOAD'],
  ];
  for (const [parts, status, code] of cases) {
    const r = await upload('op-district', A, parts);
    assert.equal(r.status, status, `${parts.map((p) => p.name)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
  }
  const json = await api(`${app.url}/api/v1/clues/${A}/evidence`, { token: tokens['op-district'], body: { image: 'x' } });
  assert.equal(json.status, 400);
  assert.equal(json.body.error.code, 'GW_EVIDENCE_BAD_UPLOAD');
  const broken = await fetch(`${app.url}/api/v1/clues/${A}/evidence`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens['op-district']}`, 'content-type': 'multipart/form-data; boundary=xyz' },
    body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc',
  });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as any).error.code, 'GW_EVIDENCE_BAD_UPLOAD');
  assert.deepEqual(
    { evidence: await countRows('evidence'), timeline: await countRows('clue_timeline'), files: fs.readdirSync(path.join(dataDir, 'evidence'), { recursive: true }).length },
    before,
  );
});

test('a camera image that came with a device event becomes evidence of the clue its alert opened', async () => {
  const bytes = await photo('jpeg', 640, 480);
  const img = checkInlineImage(bytes.toString('base64'));
  assert.ok(!('problem' in img));
  await storeImage(dataDir, img); // as the ingest sink does
  const image = { stored: img.stored, sha256: img.sha256, mime: img.mime };
  await pipeline.handle(await stored(db.pool, [gas(0, 30, { image }), gas(60, 32, { image })]));
  const { rows: queued } = await db.pool.query(`SELECT clue_id, stored, device_id FROM evidence_pending`);
  assert.ok(queued.length >= 1, 'the pipeline’s timeline row queued the image');
  const camera = new CameraEvidence({ pool: db.pool, dataDir, log });
  assert.equal(await camera.run(), queued.length);
  assert.equal(await countRows('evidence_pending'), 0);
  const { rows } = await db.pool.query<{ code: string; added_by: string; source: string }>(
    `SELECT c.code, ce.added_by, e.source FROM clue_evidence ce JOIN clues c ON c.id = ce.clue_id JOIN evidence e USING (sha256) WHERE ce.sha256 = $1`,
    [img.sha256],
  );
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]!.added_by, rows[0]!.source], ['device:gas-a', 'camera']);
  const list = await get('op-district', `/api/v1/clues/${rows[0]!.code}/evidence`);
  assert.equal(list.body.evidence[0].sha256, img.sha256);
  const timeline = (await get('op-district', `/api/v1/clues/${rows[0]!.code}`)).body.timeline;
  assert.equal(timeline.at(-1).action, 'evidence.added');
  assert.equal(timeline.at(-1).source, 'device:gas-a');
  assert.equal(await camera.run(), 0, 'nothing left to do');
});

test('a camera image that is not an image keeps its queue row with the problem; the rest go through', async () => {
  const clueId = (await db.pool.query(`SELECT id FROM clues WHERE code = $1`, [A])).rows[0].id;
  fs.writeFileSync(path.join(dataDir, 'images', 'broken.jpg'), TEXT_AS_JPG);
  await db.pool.query(`INSERT INTO evidence_pending (clue_id, timeline_id, stored, sha256, device_id, taken_at) VALUES ($1, 0, 'images/broken.jpg', $2, 'camera-x', now())`, [clueId, sha256Hex(TEXT_AS_JPG)]);
  const camera = new CameraEvidence({ pool: db.pool, dataDir, log });
  assert.equal(await camera.run(), 1);
  const { rows } = await db.pool.query(`SELECT problem FROM evidence_pending`);
  assert.match(rows[0].problem, /^GW_EVIDENCE_NOT_IMAGE/);
  assert.equal(await camera.run(), 0, 'it is not tried again');
  assert.deepEqual(camera.health(), { status: 'ok' });
});

test('the API document declares the multipart upload and the image responses', () => {
  const doc = openApiDocument(evidenceRoutes(db.pool, dataDir, LIMITS)) as any;
  const post = doc.paths['/api/v1/clues/{code}/evidence'].post;
  assert.deepEqual(Object.keys(post.requestBody.content), ['multipart/form-data']);
  assert.equal(post.requestBody.content['multipart/form-data'].schema.properties.file.maxItems, 3);
  assert.ok(post.responses['507'].description.includes('GW_EVIDENCE_STORAGE'));
  assert.deepEqual(Object.keys(doc.paths['/api/v1/evidence/{sha256}/{variant}'].get.responses['200'].content), ['image/*']);
});

test('a full disk: 507 GW_EVIDENCE_STORAGE, nothing half-written and nothing recorded; the same upload works once space returns', async (t) => {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-evidence-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    fs.rmSync(mnt, { recursive: true, force: true });
    t.skip('needs to mount a small tmpfs (root); the disk-full path is covered where that is allowed');
    return;
  }
  const small = await startTestApp(db.pool, { routes: evidenceRoutes(db.pool, mnt, LIMITS) });
  try {
    // Fill the file system to the last block.
    const fd = fs.openSync(path.join(mnt, 'filler'), 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const bytes = await photo('jpeg', 400, 300);
    const before = await countRows('evidence');
    const full = await upload('worker-a', A, [{ bytes, name: 'full.jpg' }], small.url);
    assert.equal(full.status, 507, JSON.stringify(full.body));
    assert.equal(full.body.error.code, 'GW_EVIDENCE_STORAGE');
    assert.match(full.body.error.message, /ENOSPC/);
    assert.equal(await countRows('evidence'), before, 'no record of evidence whose files are not there');
    const left = fs.readdirSync(mnt, { recursive: true }).map(String);
    assert.ok(!left.some((f) => f.endsWith('.tmp')), `no temporary file left: ${left}`);
    assert.ok(!left.some((f) => f.endsWith(sha256Hex(bytes))), 'no file under its final name');

    fs.rmSync(path.join(mnt, 'filler'));
    const ok = await upload('worker-a', A, [{ bytes, name: 'full.jpg' }], small.url);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual(await evidenceChecker(mnt)(sha256Hex(bytes)), { ok: true });
  } finally {
    await small.close();
    execFileSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});
