import zlib from 'node:zlib';
import sharp from 'sharp';

/** Where the fixtures' EXIF says they were taken: 29°52'12.34"N 121°33'0.00"E (Ningbo), 2026-03-02 09:58:30 +08:00. */
export const EXIF_GPS = { lat: 29 + 52 / 60 + 12.34 / 3600, lon: 121 + 33 / 60 };
export const EXIF_TAKEN_AT = '2026-03-02T01:58:30.000Z';

const EXIF = {
  IFD0: { Make: 'GridwatchTest', Model: 'Fixture', DateTime: '2026:03:02 10:05:00' },
  IFD2: { DateTimeOriginal: '2026:03:02 09:58:30', OffsetTimeOriginal: '+08:00' },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '29/1 52/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '121/1 33/1 0/1' },
};

/**
 * A real photo-like image (a gradient with a few shapes, so it does not compress to nothing),
 * `width`×`height`, in `format`, carrying EXIF with time and GPS. Made with sharp on the fly,
 * so the fixtures need no binary files in the repository and are regenerated every run.
 */
export async function photo(format: 'jpeg' | 'png' | 'webp', width = 800, height = 600): Promise<Buffer> {
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#3a7bd5"/><stop offset="1" stop-color="#9fd86b"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/>` +
      `<circle cx="${width * 0.3}" cy="${height * 0.35}" r="${height * 0.2}" fill="#c0392b"/>` +
      `<rect x="${width * 0.55}" y="${height * 0.2}" width="${width * 0.3}" height="${height * 0.25}" fill="#f1c40f"/>` +
      `</svg>`,
  );
  return sharp(svg).withExif(EXIF)[format]().toBuffer();
}

/**
 * A decompression bomb: a valid PNG of 20000×20000 1-bit pixels (400 megapixels, ≈ 1.2 GB once
 * decoded to RGB) whose zeros deflate to about 50 KB.
 */
export function pngBomb(side = 20_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  // Every row: filter byte 0, then black pixels; all zeros, which deflate ~1000:1.
  const rows = Buffer.alloc(side * (1 + Math.ceil(side / 8)));
  const idat = zlib.deflateSync(rows, { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG cut short: the first 60 % of a real photo (no end-of-image marker, half the scan missing). */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await photo('jpeg', 1200, 900);
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

/** A text file, as a user would rename notes.txt to photo.jpg. */
export const TEXT_AS_JPG = Buffer.from('Meeting notes, 2 March\nThis is a text file renamed to .jpg, not a photo.\n', 'utf8');
