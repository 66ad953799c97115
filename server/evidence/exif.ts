/**
 * What evidence keeps of a photo's EXIF once the copies are stripped of it: when it was taken
 * and where. sharp hands over the raw EXIF block (`metadata().exif`) without parsing it;
 * `exif-reader` parses it (bounds-checked: the block comes from an uploaded file), and this
 * module turns the few tags needed (CIPA DC-008: DateTimeOriginal with OffsetTimeOriginal,
 * DateTime as a fallback, GPSLatitude/GPSLongitude with their references) into facts.
 */
import exifReader from 'exif-reader';

export interface ExifFacts {
  /** When the photo was taken, ISO 8601 UTC; null when the EXIF says nothing usable. */
  takenAt: string | null;
  /** Where, WGS84 as the camera reported it; null without GPS. */
  gps: { lon: number; lat: number } | null;
}

const NONE: ExifFacts = { takenAt: null, gps: null };

/** Reads the facts from an EXIF block (with or without the `Exif\0\0` prefix); NONE when unreadable. */
export function readExif(block: Buffer | undefined): ExifFacts {
  if (!block || block.length < 8) return NONE;
  let tags: exifReader.Exif;
  try {
    tags = exifReader(block);
  } catch {
    return NONE; // a malformed block says nothing; the photo itself was checked by decoding it
  }
  const when = validDate(tags.Photo?.DateTimeOriginal) ?? validDate(tags.Image?.DateTime);
  const gps = tags.GPSInfo;
  return {
    takenAt: when ? exifTime(when, tags.Photo?.OffsetTimeOriginal) : null,
    gps: gps ? gpsPoint(gps.GPSLatitude, gps.GPSLatitudeRef, gps.GPSLongitude, gps.GPSLongitudeRef) : null,
  };
}

function validDate(d: unknown): Date | null {
  return d instanceof Date && Number.isFinite(d.getTime()) ? d : null;
}

/**
 * exif-reader reads `YYYY:MM:DD HH:MM:SS` as if it were UTC; EXIF times are the camera's local
 * time. The offset tag says which; without it the camera is taken to be on China Standard Time
 * (UTC+8), where Gridwatch's devices and people are.
 */
function exifTime(wallClockAsUtc: Date, offset: unknown): string {
  const m = typeof offset === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(offset.trim()) : null;
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 8 * 60;
  return new Date(wallClockAsUtc.getTime() - minutes * 60_000).toISOString();
}

function gpsPoint(lat: unknown, latRef: unknown, lon: unknown, lonRef: unknown): ExifFacts['gps'] {
  const deg = (v: unknown): number => {
    if (!Array.isArray(v) || v.length < 3) return NaN;
    const [d, m, s] = v as number[];
    return d! + m! / 60 + s! / 3600;
  };
  const y = deg(lat) * (latRef === 'S' ? -1 : 1);
  const x = deg(lon) * (lonRef === 'W' ? -1 : 1);
  if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(y) > 90 || Math.abs(x) > 180) return null;
  return { lon: Math.round(x * 1e7) / 1e7, lat: Math.round(y * 1e7) / 1e7 };
}
