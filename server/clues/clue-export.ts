import { once } from 'node:events';
import type { Response } from 'express';
import { writeCsv } from '../../core/csv.js';
import type { StoredClue } from './stored-clue.js';
import { clueView } from './stored-clue.js';

/**
 * The CSV columns of a clue export: stable English names, so that scripts and spreadsheets
 * keep working when labels are reworded; Chinese texts come in their own `_zh` columns.
 */
export const CLUE_CSV_COLUMNS = [
  'code',
  'status',
  'severity',
  'review',
  'needs_confirmation',
  'item_code',
  'item_name_zh',
  'item_name_en',
  'alert_type',
  'device_kind',
  'device_id',
  'plate',
  'primary_unit_id',
  'co_notified_unit_ids',
  'district_code',
  'town_code',
  'community_code',
  'grid_code',
  'lon',
  'lat',
  'alert_count',
  'first_seen',
  'last_seen',
  'opened_at',
  'deadline',
  'summary_zh',
  'summary_en',
] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** One clue as a CSV row, in the order of CLUE_CSV_COLUMNS. */
function csvRow(c: StoredClue): unknown[] {
  const plate = typeof c.details.plate === 'string' ? c.details.plate : '';
  return [
    c.code,
    c.status,
    c.severity,
    c.review,
    c.needsConfirmation,
    c.itemCode ?? '',
    c.itemName?.zh ?? '',
    c.itemName?.en ?? '',
    c.alertType,
    c.device?.kind ?? '',
    c.device?.id ?? '',
    plate,
    c.primaryUnitId,
    c.coNotifiedUnitIds.join(' '),
    c.districtCode ?? '',
    c.townCode ?? '',
    c.communityCode ?? '',
    c.gridCode ?? '',
    c.position.lon,
    c.position.lat,
    c.alertCount,
    iso(c.firstSeen),
    iso(c.lastSeen),
    iso(c.openedAt),
    iso(c.deadline),
    c.summary.zh,
    c.summary.en,
  ];
}

/** One clue as a GeoJSON Feature: a WGS84 point, the clue view (less its position) as properties. */
function feature(c: StoredClue): string {
  const { position, ...properties } = clueView(c);
  return JSON.stringify({ type: 'Feature', id: c.code, geometry: { type: 'Point', coordinates: [position.lon, position.lat] }, properties });
}

/** Writes `text`, waiting while the client is slower than the database. */
async function write(res: Response, text: string): Promise<void> {
  if (!res.write(text)) await once(res, 'drain');
}

/** The export formats and how each writes its header, its clues and its end. */
const FORMATS = {
  csv: {
    type: 'text/csv; charset=utf-8',
    ext: 'csv',
    // The BOM lets Excel read the Chinese columns as UTF-8 (readCsv drops it).
    head: `\uFEFF${writeCsv([CLUE_CSV_COLUMNS])}`,
    chunk: (clues: StoredClue[]) => writeCsv(clues.map(csvRow)),
    tail: '',
  },
  geojson: {
    type: 'application/geo+json; charset=utf-8',
    ext: 'geojson',
    head: '{"type":"FeatureCollection","features":[',
    chunk: (clues: StoredClue[], first: boolean) => (first ? '' : ',') + clues.map(feature).join(','),
    tail: ']}\n',
  },
} as const;

/**
 * Streams an export of clues to `res` as CSV (CLUE_CSV_COLUMNS, header row first) or a GeoJSON
 * FeatureCollection, a chunk of the walk at a time, as an attachment named `<name>.<ext>`. The
 * walk starts only after the headers are decided, so a bad request has already been refused.
 */
export async function streamClueExport(res: Response, format: keyof typeof FORMATS, name: string, chunks: AsyncIterable<StoredClue[]>): Promise<void> {
  const f = FORMATS[format];
  res.status(200);
  res.setHeader('content-type', f.type);
  res.setHeader('content-disposition', `attachment; filename="${name}.${f.ext}"`);
  res.setHeader('cache-control', 'no-store');
  await write(res, f.head);
  let first = true;
  for await (const clues of chunks) {
    await write(res, f.chunk(clues, first));
    first = false;
  }
  res.end(f.tail);
}
