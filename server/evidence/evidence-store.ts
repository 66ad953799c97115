import type pg from 'pg';
import { z } from 'zod';
import { defineQueries } from '../../db/sql.js';
import { EVIDENCE_ADDED, evidenceRecordSchema, type EvidenceRecord } from '../clues/evidence-record.js';
import { clueView, recordChanges, unitsToTell, type StoredClue } from '../clues/stored-clue.js';
import type { EvidenceFiles } from './evidence-files.js';
import { processImage, sha256Hex, type ImageLimits } from './process-image.js';
import type { WatermarkText } from './watermark.js';
import type { ExifFacts } from './exif.js';

const sql = defineQueries(import.meta.url, {
  insert: 'insert-evidence',
  link: 'link-evidence',
  find: 'find-evidence',
  ofClue: 'clue-evidence',
});

/** An `evidence` row (migration 065). */
export interface EvidenceRow {
  sha256: string;
  mime: EvidenceRecord['mime'];
  bytes: number;
  width: number;
  height: number;
  display_sha256: string;
  thumb_sha256: string;
  taken_at: Date | null;
  lon: number | null;
  lat: number | null;
  source: EvidenceRecord['source'];
}

/** The three files of a piece of evidence, each served at `/api/v1/evidence/:sha256/<variant>`. */
export const EVIDENCE_VARIANTS = ['original', 'display', 'thumb'] as const;

/** Evidence as the API lists it: the timeline's record plus who attached it, when, and where to fetch it. */
export const evidenceViewSchema = evidenceRecordSchema.shape.evidence
  .extend({
    addedBy: z.string(),
    addedAt: z.iso.datetime(),
    urls: z.strictObject({ original: z.string(), display: z.string(), thumb: z.string() }),
  })
  .meta({ id: 'EvidenceView' });
export type EvidenceView = z.infer<typeof evidenceViewSchema>;

const urlsOf = (sha256: string) => Object.fromEntries(EVIDENCE_VARIANTS.map((v) => [v, `/api/v1/evidence/${sha256}/${v}`])) as EvidenceView['urls'];

function recordFromRow(r: EvidenceRow, fileName: string | null): EvidenceRecord {
  return {
    sha256: r.sha256,
    displaySha256: r.display_sha256,
    thumbSha256: r.thumb_sha256,
    mime: r.mime,
    bytes: r.bytes,
    width: r.width,
    height: r.height,
    takenAt: r.taken_at ? r.taken_at.toISOString() : null,
    gps: r.lon === null || r.lat === null ? null : { lon: r.lon, lat: r.lat },
    source: r.source,
    fileName,
  };
}

/** A clue's evidence, in the order it was attached. */
export async function clueEvidence(db: pg.Pool | pg.PoolClient, clueId: number): Promise<EvidenceView[]> {
  const { rows } = await db.query<EvidenceRow & { added_by: string; added_at: Date; file_name: string | null }>(sql.ofClue, [clueId]);
  return rows.map((r) => ({ ...recordFromRow(r, r.file_name), addedBy: r.added_by, addedAt: r.added_at.toISOString(), urls: urlsOf(r.sha256) }));
}

/** An image made ready to attach: its record, and the files still to write (none when it was known). */
export interface PreparedEvidence {
  record: EvidenceRecord;
  files: { sha256: string; bytes: Buffer }[];
}

/**
 * Checks one image and makes its copies, or finds it already stored (the same photo sent again,
 * by anyone, keeps its first copies and is not decoded again). Nothing is written yet, so a
 * request with one bad file among good ones stores none of them.
 */
export async function prepareEvidence(
  db: pg.Pool | pg.PoolClient,
  bytes: Buffer,
  meta: { fileName: string | null; source: EvidenceRecord['source'] },
  watermark: (exif: ExifFacts) => WatermarkText,
  limits: ImageLimits,
): Promise<PreparedEvidence> {
  const known = (await db.query<EvidenceRow>(sql.find, [sha256Hex(bytes)])).rows[0];
  if (known) return { record: recordFromRow(known, meta.fileName), files: [] };
  const p = await processImage(bytes, watermark, limits, meta.fileName ?? 'image');
  return {
    record: {
      sha256: p.original.sha256,
      displaySha256: p.display.sha256,
      thumbSha256: p.thumb.sha256,
      mime: p.original.mime,
      bytes: p.original.bytes.length,
      width: p.original.width,
      height: p.original.height,
      takenAt: p.exif.takenAt,
      gps: p.exif.gps,
      source: meta.source,
      fileName: meta.fileName,
    },
    files: [p.original, p.display, p.thumb].map((f) => ({ sha256: f.sha256, bytes: f.bytes })),
  };
}

/** Writes the prepared files (GW_EVIDENCE_STORAGE when the disk is full; nothing half-written stays). */
export async function writeEvidence(files: EvidenceFiles, prepared: readonly PreparedEvidence[]): Promise<void> {
  for (const p of prepared) for (const f of p.files) await files.put(f.sha256, f.bytes);
}

/**
 * Attaches written evidence to a clue, on the caller's transaction with the clue locked: stores
 * each record once, links it to the clue, and for each new link appends an `evidence.added`
 * timeline row with the three hashes and queues an `evidence` clue event (via `recordChanges`).
 * Evidence already attached to this clue is skipped. Returns what was newly attached.
 */
export async function attachEvidence(
  client: pg.PoolClient,
  clue: StoredClue,
  prepared: readonly PreparedEvidence[],
  by: { actor: string; addedBy: string; source: string | null },
  now: number,
): Promise<EvidenceView[]> {
  const added: EvidenceView[] = [];
  const timeline = [];
  const outbox = [];
  const view = clueView(clue);
  for (const { record: mine } of prepared) {
    const inserted = await client.query(sql.insert, [mine.sha256, mine.mime, mine.bytes, mine.width, mine.height, mine.displaySha256, mine.thumbSha256, mine.takenAt, mine.gps?.lon ?? null, mine.gps?.lat ?? null, mine.source]);
    // Someone stored the same original meanwhile, with copies of their own: theirs are the ones
    // served, so theirs are the hashes the timeline records.
    const e = inserted.rowCount ? mine : recordFromRow((await client.query<EvidenceRow>(sql.find, [mine.sha256])).rows[0]!, mine.fileName);
    const linked = await client.query(sql.link, [clue.id, e.sha256, by.addedBy, e.fileName, new Date(now)]);
    if (!linked.rowCount) continue;
    const at = new Date(now).toISOString();
    added.push({ ...e, addedBy: by.addedBy, addedAt: at, urls: urlsOf(e.sha256) });
    const detail = { evidence: e };
    timeline.push({ clue_id: clue.id, at: now, actor: by.actor, action: EVIDENCE_ADDED, from_status: null, to_status: null, source: by.source, detail });
    outbox.push({
      clue_id: clue.id,
      clue_code: clue.code,
      change: 'evidence' as const,
      unit_ids: unitsToTell(clue),
      payload: { change: 'evidence', clue: view, evidence: e, timeline: { at, actor: by.actor, action: EVIDENCE_ADDED, from: null, to: null, source: by.source, detail } },
    });
  }
  await recordChanges(client, timeline, outbox);
  return added;
}
