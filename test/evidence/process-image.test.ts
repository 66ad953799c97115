import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { GwError } from '../../core/errors.js';
import { evidenceChecker } from '../../server/evidence/evidence-checker.js';
import { EvidenceFiles } from '../../server/evidence/evidence-files.js';
import { readExif } from '../../server/evidence/exif.js';
import { DEFAULT_IMAGE_LIMITS, processImage, sha256Hex } from '../../server/evidence/process-image.js';
import { shanghaiTime, watermarkSvg } from '../../server/evidence/watermark.js';
import { EXIF_GPS, EXIF_TAKEN_AT, photo, pngBomb, TEXT_AS_JPG, truncatedJpeg } from './fixtures.js';

const AT = Date.parse('2026-03-02T10:05:00+08:00');
const mark = () => ({ at: AT, place: '网格 330203001001 · 121.55000,29.87010 GPS', by: '上传 worker-a (team-330203001)' });
const refused = async (p: Promise<unknown>, code: string) => {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GwError, String(err));
  assert.equal(err.code, code, err.message);
  return err;
};

/** Mean luminance (0–255) of a region of an image. */
async function meanLuma(img: Buffer, region: { left: number; top: number; width: number; height: number }): Promise<{ mean: number; max: number }> {
  const { data } = await sharp(img).extract(region).greyscale().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  let max = 0;
  for (const v of data) {
    sum += v;
    max = Math.max(max, v);
  }
  return { mean: sum / data.length, max };
}

for (const format of ['jpeg', 'png', 'webp'] as const) {
  test(`a ${format} photo: original kept byte for byte, EXIF time and GPS read, copies stripped of EXIF`, async () => {
    const bytes = await photo(format);
    assert.ok((await sharp(bytes).metadata()).exif, 'the fixture really carries EXIF');
    const p = await processImage(bytes, mark, DEFAULT_IMAGE_LIMITS, `photo.${format}`);
    assert.equal(p.original.bytes, bytes, 'the original is the uploaded buffer itself');
    assert.equal(p.original.sha256, sha256Hex(bytes));
    assert.equal(p.original.mime, `image/${format}`);
    assert.deepEqual([p.original.width, p.original.height], [800, 600]);
    assert.equal(p.exif.takenAt, EXIF_TAKEN_AT);
    assert.ok(p.exif.gps);
    assert.ok(Math.abs(p.exif.gps.lat - EXIF_GPS.lat) < 1e-6 && Math.abs(p.exif.gps.lon - EXIF_GPS.lon) < 1e-6, JSON.stringify(p.exif.gps));
    for (const copy of [p.display, p.thumb]) {
      const m = await sharp(copy.bytes).metadata();
      assert.equal(m.format, 'jpeg');
      assert.equal(m.exif, undefined, 'no EXIF (time, GPS, camera) in the copies');
      assert.equal(copy.sha256, sha256Hex(copy.bytes));
    }
    assert.deepEqual([(await sharp(p.thumb.bytes).metadata()).width, (await sharp(p.thumb.bytes).metadata()).height], [320, 240]);
  });
}

test('the watermark is burnt into the display copy: a dark band with bright text at the bottom, the rest untouched', async () => {
  const bytes = await photo('jpeg', 1200, 900);
  const p = await processImage(bytes, mark, DEFAULT_IMAGE_LIMITS, 'photo.jpg');
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync('test-results/evidence-display.jpg', p.display.bytes);
  fs.writeFileSync('test-results/evidence-thumb.jpg', p.thumb.bytes);
  const plain = await sharp(bytes).jpeg({ quality: 85 }).toBuffer();
  const band = { left: 0, top: 900 - 60, width: 1200, height: 60 };
  const top = { left: 0, top: 0, width: 1200, height: 600 };
  const [marked, before] = [await meanLuma(p.display.bytes, band), await meanLuma(plain, band)];
  assert.ok(marked.mean < before.mean * 0.75, `the band is darkened: ${marked.mean} vs ${before.mean}`);
  assert.ok(marked.max > 200 && marked.max > before.max, `text is drawn in the band: brightest ${marked.max} vs ${before.max}`);
  const [a, b] = [await meanLuma(p.display.bytes, top), await meanLuma(plain, top)];
  assert.ok(Math.abs(a.mean - b.mean) < 2, `above the band the photo is unchanged: ${a.mean} vs ${b.mean}`);
  // Another watermark text gives other pixels: the text is really drawn, not only the band.
  const other = await processImage(bytes, () => ({ ...mark(), by: '设备 camera-9' }), DEFAULT_IMAGE_LIMITS, 'photo.jpg');
  assert.notEqual(other.display.sha256, p.display.sha256);
  assert.equal(other.thumb.sha256, p.thumb.sha256, 'the thumbnail carries no watermark');
});

test('the watermark shows China Standard Time and escapes what it is given', () => {
  assert.equal(shanghaiTime(Date.parse('2026-03-02T01:58:30Z')), '2026-03-02 09:58:30 UTC+8');
  const svg = watermarkSvg(400, 300, { at: AT, place: '<b>&', by: '"x"' }).toString();
  assert.ok(svg.includes('&lt;b&gt;&amp;') && svg.includes('&quot;x&quot;'));
});

test('refused by content, with a clear code: a text file named .jpg, a truncated JPEG, a decompression bomb, too many bytes', async () => {
  await refused(processImage(TEXT_AS_JPG, mark, DEFAULT_IMAGE_LIMITS, 'notes.jpg'), 'GW_EVIDENCE_NOT_IMAGE');
  const cut = await refused(processImage(await truncatedJpeg(), mark, DEFAULT_IMAGE_LIMITS, 'cut.jpg'), 'GW_EVIDENCE_TRUNCATED');
  assert.match(cut.message, /cut\.jpg/);
  const bomb = pngBomb();
  assert.ok(bomb.length < 200_000, `the bomb is small on disk: ${bomb.length} bytes`);
  const err = await refused(processImage(bomb, mark, DEFAULT_IMAGE_LIMITS, 'bomb.png'), 'GW_EVIDENCE_TOO_MANY_PIXELS');
  assert.deepEqual(err.details, { width: 20_000, height: 20_000, maxPixels: DEFAULT_IMAGE_LIMITS.maxPixels });
  const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).gif().toBuffer();
  await refused(processImage(gif, mark, DEFAULT_IMAGE_LIMITS, 'a.gif'), 'GW_EVIDENCE_NOT_IMAGE');
  await refused(processImage(await photo('png'), mark, { ...DEFAULT_IMAGE_LIMITS, maxBytes: 1000 }, 'big.png'), 'GW_EVIDENCE_TOO_LARGE');
});

test('EXIF reading survives garbage and says nothing rather than guessing', async () => {
  assert.deepEqual(readExif(undefined), { takenAt: null, gps: null });
  assert.deepEqual(readExif(Buffer.from('Exif\0\0MM\0*\0\0\0\x08\xff\xff', 'latin1')), { takenAt: null, gps: null });
  const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).withExif({ IFD0: { Make: 'x' } }).jpeg().toBuffer();
  assert.deepEqual(readExif((await sharp(plain).metadata()).exif), { takenAt: null, gps: null });
  const noOffset = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).withExif({ IFD2: { DateTimeOriginal: '2026:03:02 09:58:30' } }).jpeg().toBuffer();
  assert.equal(readExif((await sharp(noOffset).metadata()).exif).takenAt, EXIF_TAKEN_AT, 'without an offset the camera is taken to be on China Standard Time');
});

test('evidence files are content-addressed and written whole; the checker finds missing and altered files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-evidence-'));
  try {
    const files = new EvidenceFiles(dir);
    const bytes = await photo('png', 64, 48);
    const sha = sha256Hex(bytes);
    await files.put(sha, bytes);
    await files.put(sha, bytes);
    assert.deepEqual(fs.readdirSync(path.dirname(files.pathOf(sha))), [sha], 'one file under its hash, no temporary left');
    const check = evidenceChecker(dir);
    assert.deepEqual(await check(sha), { ok: true });
    const missing = await check('0'.repeat(64));
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.problem, 'missing');
    assert.equal((await check('../../etc/passwd')).ok, false);
    const altered = Buffer.from(bytes);
    altered.writeUInt8(altered.readUInt8(altered.length - 20) ^ 0xff, altered.length - 20);
    fs.writeFileSync(files.pathOf(sha), altered);
    const r = await check(sha);
    assert.equal(!r.ok && r.problem, 'altered');
    assert.match(!r.ok ? r.detail : '', new RegExp(sha256Hex(altered)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
