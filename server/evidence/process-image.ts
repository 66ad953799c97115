import crypto from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { GwError } from '../../core/errors.js';
import type { ImageMime } from '../../ingest/images.js';
import { readExif, type ExifFacts } from './exif.js';
import { watermarkSvg, type WatermarkText } from './watermark.js';

/** What one image may be: bytes of the file and pixels it declares (width × height). */
export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

/** 15 MB and 50 megapixels: a phone photo fits, a decompression bomb does not. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 15 * 1024 * 1024, maxPixels: 50_000_000 };

/** The longest side of the display copy and of the thumbnail. */
const DISPLAY_SIDE = 1600;
const THUMB_SIDE = 320;

/** An image as evidence keeps it: the original untouched, and two stripped copies, each with its hash. */
export interface ProcessedImage {
  original: { bytes: Buffer; sha256: string; mime: ImageMime; width: number; height: number };
  /** JPEG, EXIF stripped, watermark burnt in. */
  display: { bytes: Buffer; sha256: string };
  /** JPEG, EXIF stripped. */
  thumb: { bytes: Buffer; sha256: string };
  exif: ExifFacts;
}

const MIME: Record<string, ImageMime> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Hex SHA-256 of some bytes: the name of every evidence file. */
export function sha256Hex(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks an image by its content and makes the evidence copies. The format is what the bytes
 * are (sharp reads the header), never the file name; the declared size is checked against
 * `maxPixels` from the header alone, before a single pixel is decoded, so a decompression bomb
 * costs nothing; decoding then fails on a truncated or corrupt file (`failOn: 'truncated'`).
 * The copies are auto-rotated by the EXIF orientation and then carry no metadata at all (sharp
 * writes none unless asked): EXIF time and GPS come back in `exif` instead. `file` names the
 * image in error messages.
 */
export async function processImage(bytes: Buffer, watermark: (facts: ExifFacts) => WatermarkText, limits: ImageLimits, file: string): Promise<ProcessedImage> {
  if (bytes.length > limits.maxBytes) throw new GwError('GW_EVIDENCE_TOO_LARGE', `Evidence ${file}: ${bytes.length} bytes, more than the limit of ${limits.maxBytes}`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new GwError('GW_EVIDENCE_NOT_IMAGE', `Evidence ${file}: not an image (${(err as Error).message}); send a JPEG, PNG or WebP photo`);
  }
  const mime = MIME[meta.format ?? ''];
  if (!mime) throw new GwError('GW_EVIDENCE_NOT_IMAGE', `Evidence ${file}: a ${meta.format ?? 'unknown'} image; send a JPEG, PNG or WebP photo`);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!(width > 0 && height > 0)) throw new GwError('GW_EVIDENCE_TRUNCATED', `Evidence ${file}: the ${meta.format} header gives no size`);
  if (width * height > limits.maxPixels)
    throw new GwError('GW_EVIDENCE_TOO_MANY_PIXELS', `Evidence ${file}: declares ${width}×${height} = ${width * height} pixels, more than the limit of ${limits.maxPixels}`, {
      width,
      height,
      maxPixels: limits.maxPixels,
    });
  const exif = readExif(meta.exif);
  const input = () => sharp(bytes, { failOn: 'truncated', limitInputPixels: limits.maxPixels }).rotate();
  try {
    const { data, info } = await input().resize({ width: DISPLAY_SIDE, height: DISPLAY_SIDE, fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    const display = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .composite([{ input: watermarkSvg(info.width, info.height, watermark(exif)), top: 0, left: 0 }])
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer();
    const thumb = await input().resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).jpeg({ quality: 75 }).toBuffer();
    return {
      original: { bytes, sha256: sha256Hex(bytes), mime, width, height },
      display: { bytes: display, sha256: sha256Hex(display) },
      thumb: { bytes: thumb, sha256: sha256Hex(thumb) },
      exif,
    };
  } catch (err) {
    throw new GwError('GW_EVIDENCE_TRUNCATED', `Evidence ${file}: the ${meta.format} image is truncated or corrupt and cannot be decoded (${(err as Error).message})`);
  }
}
