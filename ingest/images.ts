import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { storageErrno, writeFileDurably } from '../core/durable-file.js';
import { GwError } from '../core/errors.js';

/** Image types accepted as evidence. */
export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

const EXT: Record<ImageMime, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** Largest decoded image accepted inline (the wire schema caps base64 at 2.8 MB, ≈ 2.1 MB decoded). */
export const MAX_IMAGE_BYTES = 2_100_000;

/** A checked inline image, ready to be written content-addressed under DATA_DIR. */
export interface CheckedImage {
  bytes: Buffer;
  mime: ImageMime;
  sha256: string;
  /** Path relative to DATA_DIR: `images/<sha256>.<ext>`. */
  stored: string;
}

/**
 * Identifies a JPEG, PNG or WebP by its structure, not only its first bytes: a PNG needs its
 * IHDR header and IEND trailer, a JPEG its SOI and EOI markers, a WebP a RIFF size matching the
 * data and a VP8/VP8L/VP8X chunk. Returns the type, or what is wrong.
 * Decoding the pixels would need sharp (not installed); structure catches text, truncated
 * uploads and files of other types, which is what devices get wrong.
 */
export function sniffImage(b: Buffer): { mime: ImageMime } | { problem: string } {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) {
    if (b.length < 57) return { problem: `a PNG of ${b.length} bytes is truncated` };
    if (b.toString('latin1', 12, 16) !== 'IHDR') return { problem: 'PNG has no IHDR header chunk' };
    if (b.readUInt32BE(16) === 0 || b.readUInt32BE(20) === 0) return { problem: 'PNG has zero width or height' };
    if (b.toString('latin1', b.length - 8, b.length - 4) !== 'IEND') return { problem: 'PNG is truncated (no IEND chunk at the end)' };
    return { mime: 'image/png' };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    // Some cameras pad after the end-of-image marker; ignore trailing zero bytes.
    let end = b.length;
    while (end > 0 && b[end - 1] === 0) end--;
    if (end < 4 || b[end - 2] !== 0xff || b[end - 1] !== 0xd9) return { problem: 'JPEG is truncated (no end-of-image marker)' };
    return { mime: 'image/jpeg' };
  }
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const riffSize = b.readUInt32LE(4);
    if (riffSize + 8 !== b.length && riffSize + 9 !== b.length) {
      return { problem: `WebP says ${riffSize + 8} bytes but has ${b.length}` };
    }
    const chunk = b.toString('latin1', 12, 16);
    if (!['VP8 ', 'VP8L', 'VP8X'].includes(chunk)) return { problem: `WebP has no image chunk (found ${JSON.stringify(chunk)})` };
    return { mime: 'image/webp' };
  }
  return { problem: `the bytes start with ${b.subarray(0, 8).toString('hex') || '(nothing)'}, not a JPEG, PNG or WebP signature` };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:image\/[a-z]+;base64,/;

/**
 * Decodes an inline base64 image (a `data:image/…;base64,` prefix is allowed) and checks that
 * it is a real image of the declared type. Pure: the caller writes `bytes` to `stored`.
 */
export function checkInlineImage(base64: string, declaredMime?: ImageMime): CheckedImage | { problem: string } {
  const text = base64.replace(DATA_URL, '');
  if (text.length % 4 !== 0 || !BASE64.test(text)) return { problem: 'image.base64 is not valid base64' };
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) return { problem: `image is ${bytes.length} bytes, more than ${MAX_IMAGE_BYTES}` };
  const sniffed = sniffImage(bytes);
  if ('problem' in sniffed) return { problem: `image.base64 is not an image: ${sniffed.problem}` };
  if (declaredMime && declaredMime !== sniffed.mime) {
    return { problem: `image.mime says ${declaredMime} but the bytes are ${sniffed.mime}` };
  }
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  return { bytes, mime: sniffed.mime, sha256, stored: `images/${sha256}.${EXT[sniffed.mime]}` };
}

/**
 * Writes a checked image under `dataDir` unless it is already there (content-addressed, so a
 * redelivery or the same photo from two events is stored once). Written durably (a temporary
 * name, fsync, rename), so a crash never leaves a half-written image under its final name, and a
 * failed write removes its temporary file. A full or unwritable disk throws GW_INGEST_STORAGE
 * (507): trying again at once cannot help, unlike a database outage.
 */
export async function storeImage(dataDir: string, image: CheckedImage): Promise<void> {
  const file = path.join(dataDir, image.stored);
  try {
    await fs.access(file);
    return;
  } catch {
    // not stored yet
  }
  const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await writeFileDurably(file, tmp, image.bytes);
  } catch (err) {
    const code = storageErrno(err);
    if (!code) throw err;
    throw new GwError(
      'GW_INGEST_STORAGE',
      `Storing device image ${image.stored} under ${dataDir}: ${code} (${(err as Error).message}); nothing was kept, resend when there is space`,
      { errno: code },
      { cause: err },
    );
  }
}
