/**
 * What evidence keeps of a photo's EXIF once the copies are stripped of it: when it was taken
 * and where. sharp hands over the raw EXIF block (`metadata().exif`) but does not parse it, and
 * no EXIF reader is installed, so this reads the few tags needed from the TIFF structure
 * (CIPA DC-008): DateTimeOriginal and OffsetTimeOriginal (Exif IFD), DateTime (IFD0) as a
 * fallback, and GPSLatitude/GPSLongitude with their references (GPS IFD). Every offset is
 * bounds-checked: the block comes from an uploaded file.
 */
export interface ExifFacts {
  /** When the photo was taken, ISO 8601 UTC; null when the EXIF says nothing usable. */
  takenAt: string | null;
  /** Where, WGS84 as the camera reported it; null without GPS. */
  gps: { lon: number; lat: number } | null;
}

const NONE: ExifFacts = { takenAt: null, gps: null };
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
const TAG = {
  dateTime: 0x0132,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  dateTimeOriginal: 0x9003,
  offsetTimeOriginal: 0x9011,
  gpsLatRef: 1,
  gpsLat: 2,
  gpsLonRef: 3,
  gpsLon: 4,
} as const;

interface Entry {
  type: number;
  count: number;
  /** Where the value is: inside the entry when it fits in 4 bytes, else at its offset. */
  at: number;
}

/** Reads the facts from an EXIF block (with or without the `Exif\0\0` prefix); NONE when unreadable. */
export function readExif(block: Buffer | undefined): ExifFacts {
  if (!block || block.length < 8) return NONE;
  const tiff = block.toString('latin1', 0, 6) === 'Exif\0\0' ? block.subarray(6) : block;
  try {
    return parseTiff(tiff);
  } catch {
    return NONE; // a malformed block says nothing; the photo itself was checked by decoding it
  }
}

function parseTiff(b: Buffer): ExifFacts {
  const order = b.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return NONE;
  const le = order === 'II';
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u16(2) !== 42) return NONE;

  const ifd = (offset: number): Map<number, Entry> => {
    const out = new Map<number, Entry>();
    if (offset < 8 || offset + 2 > b.length) return out;
    const n = Math.min(u16(offset), 512);
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + i * 12;
      if (e + 12 > b.length) break;
      const type = u16(e + 2);
      const count = u32(e + 4);
      const size = (TYPE_SIZE[type] ?? 0) * count;
      if (size === 0) continue;
      const at = size <= 4 ? e + 8 : u32(e + 8);
      if (at + size > b.length) continue;
      out.set(u16(e), { type, count, at });
    }
    return out;
  };
  const ascii = (e: Entry | undefined) => (e && e.type === 2 ? b.toString('latin1', e.at, e.at + e.count).replace(/\0.*$/s, '').trim() : null);
  const long = (e: Entry | undefined) => (e && (e.type === 4 || e.type === 3) ? (e.type === 4 ? u32(e.at) : u16(e.at)) : null);
  const rationals = (e: Entry | undefined): number[] | null => {
    if (!e || e.type !== 5 || e.count < 3) return null;
    return [0, 1, 2].map((i) => {
      const den = u32(e.at + i * 8 + 4);
      return den === 0 ? NaN : u32(e.at + i * 8) / den;
    });
  };

  const ifd0 = ifd(u32(4));
  const exifAt = long(ifd0.get(TAG.exifIfd));
  const exif = exifAt === null ? new Map<number, Entry>() : ifd(exifAt);
  const gpsAt = long(ifd0.get(TAG.gpsIfd));
  const gps = gpsAt === null ? new Map<number, Entry>() : ifd(gpsAt);

  const when = ascii(exif.get(TAG.dateTimeOriginal)) ?? ascii(ifd0.get(TAG.dateTime));
  const offset = ascii(exif.get(TAG.offsetTimeOriginal));
  return { takenAt: when ? exifTime(when, offset) : null, gps: gpsPoint(rationals(gps.get(TAG.gpsLat)), ascii(gps.get(TAG.gpsLatRef)), rationals(gps.get(TAG.gpsLon)), ascii(gps.get(TAG.gpsLonRef))) };
}

/**
 * `YYYY:MM:DD HH:MM:SS` with an optional `±HH:MM` offset, as ISO 8601 UTC. EXIF times are the
 * camera's local time; without an offset tag it is taken as China Standard Time (UTC+8), where
 * Gridwatch's devices and people are.
 */
function exifTime(text: string, offset: string | null): string | null {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const tz = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : '+08:00';
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${tz}`);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

function gpsPoint(lat: number[] | null, latRef: string | null, lon: number[] | null, lonRef: string | null): ExifFacts['gps'] {
  if (!lat || !lon) return null;
  const deg = ([d, m, s]: number[]) => d! + m! / 60 + s! / 3600;
  const y = deg(lat) * (latRef === 'S' ? -1 : 1);
  const x = deg(lon) * (lonRef === 'W' ? -1 : 1);
  if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(y) > 90 || Math.abs(x) > 180) return null;
  return { lon: Math.round(x * 1e7) / 1e7, lat: Math.round(y * 1e7) / 1e7 };
}
