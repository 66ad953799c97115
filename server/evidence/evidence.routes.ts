import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { canAttachEvidence, scopeOf, scopeSqlParams } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { FINAL_STATUSES } from '../clues/clue.js';
import { findVisibleClue } from '../clues/clue-queries.js';
import { clueView, clueViewSchema, type StoredClue } from '../clues/stored-clue.js';
import { EvidenceFiles } from './evidence-files.js';
import { attachEvidence, clueEvidence, EVIDENCE_VARIANTS, evidenceViewSchema, prepareEvidence, writeEvidence, type EvidenceRow, type PreparedEvidence } from './evidence-store.js';
import type { ExifFacts } from './exif.js';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './process-image.js';
import { readUpload, type UploadLimits } from './read-upload.js';
import { placeText, type WatermarkText } from './watermark.js';

const sql = defineQueries(import.meta.url, { visible: 'visible-evidence' });

/** Upload limits: files per request and bytes per file, and what one image may be. */
export interface EvidenceLimits {
  upload: UploadLimits;
  image: ImageLimits;
}

/** Five photos of up to 15 MB and 50 megapixels each per request. */
export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { upload: { maxFiles: 5, maxFileBytes: DEFAULT_IMAGE_LIMITS.maxBytes }, image: DEFAULT_IMAGE_LIMITS };

const codeParam = z.object({ code: z.string().min(1).max(64) });
const fileParams = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256: 64 lowercase hex digits'), variant: z.enum(EVIDENCE_VARIANTS) });
const CONTENT_TYPE: Record<(typeof EVIDENCE_VARIANTS)[number], (row: EvidenceRow) => string> = { original: (r) => r.mime, display: () => 'image/jpeg', thumb: () => 'image/jpeg' };
const tag = 'evidence';
const SCOPE_NOTE = 'Only for clues in the caller’s jurisdiction or concerning the caller’s unit; others answer 404 as if they did not exist.';

/** The watermark of an upload: the time it arrived, the place (EXIF GPS, else the clue's), and the uploader. */
function uploadWatermark(user: User, clue: StoredClue, now: number): (exif: ExifFacts) => WatermarkText {
  return (exif) => ({ at: now, place: placeText(clue, exif.gps), by: `上传 by ${user.username}${user.unitId ? ` (${user.unitId})` : ''}` });
}

/**
 * Evidence over HTTP (docs/DESIGN.md §1, 执法全过程记录): photo uploads to a clue, a clue's
 * evidence list, and the files (original, display copy, thumbnail) for whoever may see a clue
 * the evidence belongs to.
 */
export function evidenceRoutes(pool: pg.Pool, dataDir: string, limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS): Route[] {
  const files = new EvidenceFiles(dataDir);
  return [
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/clues/:code/evidence',
        tag,
        summary: 'Upload photo evidence to a clue (multipart/form-data, field "file")',
        description:
          `JPEG, PNG or WebP, judged by content. The original is kept byte for byte under its SHA-256; a display copy (watermarked with time, place and uploader) and a thumbnail are made without EXIF, whose time and GPS are kept as fields. Each new attachment is on the timeline (evidence.added, with the three hashes) and in the clue events. Operators and admins may attach to any clue in scope; workers and officers to clues assigned to their unit. Up to ${limits.upload.maxFiles} files of ${limits.upload.maxFileBytes} bytes and ${limits.image.maxPixels} pixels each; one bad file refuses the whole request. ${SCOPE_NOTE}`,
        allow: 'evidence.upload',
        params: codeParam,
        multipart: { field: 'file', maxFiles: limits.upload.maxFiles, maxFileBytes: limits.upload.maxFileBytes },
        response: z.strictObject({ clue: clueViewSchema, evidence: z.array(evidenceViewSchema) }),
        status: 201,
        otherStatuses: [200],
        errors: [
          'GW_CLUE_NOT_FOUND',
          'GW_CLUE_FORBIDDEN',
          'GW_CLUE_STATE',
          'GW_EVIDENCE_BAD_UPLOAD',
          'GW_EVIDENCE_NOT_IMAGE',
          'GW_EVIDENCE_TRUNCATED',
          'GW_EVIDENCE_TOO_LARGE',
          'GW_EVIDENCE_TOO_MANY_FILES',
          'GW_EVIDENCE_TOO_MANY_PIXELS',
          'GW_EVIDENCE_STORAGE',
        ],
      },
      async ({ user, params, req, setStatus }) => {
        // Who may attach is settled before a byte of the body is read.
        const seen = await findVisibleClue(pool, user, params.code);
        if (!canAttachEvidence(user, seen))
          throw new GwError('GW_CLUE_FORBIDDEN', `Attaching evidence to clue ${seen.code}: a ${user.role} may attach only to clues assigned to their own unit (${user.unitId ?? 'none'})`);
        if (FINAL_STATUSES.includes(seen.status)) throw new GwError('GW_CLUE_STATE', `Attaching evidence to clue ${seen.code}: the clue is ${seen.status}`);
        const uploaded = await readUpload(req, limits.upload);
        const now = Date.now();
        const prepared: PreparedEvidence[] = [];
        for (const f of uploaded) prepared.push(await prepareEvidence(pool, f.bytes, { fileName: f.name, source: 'upload' }, uploadWatermark(user, seen, now), limits.image));
        await writeEvidence(files, prepared);
        const added = await withTransaction(pool, async (client) => {
          const clue = await findVisibleClue(client, user, params.code, true);
          return attachEvidence(client, clue, prepared, { actor: user.username, addedBy: user.username, source: req.ip ?? null }, now);
        });
        if (!added.length) setStatus(200);
        return { clue: clueView(seen), evidence: added };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/clues/:code/evidence',
        tag,
        summary: "A clue's evidence, in the order it was attached, with the URLs of its files",
        description: SCOPE_NOTE,
        allow: 'clues.read',
        params: codeParam,
        response: z.strictObject({ evidence: z.array(evidenceViewSchema) }),
        errors: ['GW_CLUE_NOT_FOUND'],
      },
      async ({ user, params }) => ({ evidence: await clueEvidence(pool, (await findVisibleClue(pool, user, params.code)).id) }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/evidence/:sha256/:variant',
        tag,
        summary: 'An evidence file: the original byte for byte, the watermarked display copy, or the thumbnail',
        description: `:sha256 is the original's. The ETag is the served file's SHA-256; the files never change, so they may be cached (private, immutable) and If-None-Match answers 304. ${SCOPE_NOTE}`,
        allow: 'clues.read',
        params: fileParams,
        response: { raw: 'image/*' },
        errors: ['GW_EVIDENCE_NOT_FOUND'],
      },
      async ({ user, params, req, res }) => {
        const row = (await pool.query<EvidenceRow>(sql.visible, [...scopeSqlParams(scopeOf(user)), params.sha256])).rows[0];
        if (!row) throw new GwError('GW_EVIDENCE_NOT_FOUND', `Fetching evidence ${params.sha256}: no such evidence`);
        const hash = { original: row.sha256, display: row.display_sha256, thumb: row.thumb_sha256 }[params.variant];
        const etag = `"${hash}"`;
        res.set({ ETag: etag, 'Cache-Control': 'private, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff', Vary: 'Authorization' });
        if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
          res.status(304).end();
          return;
        }
        const bytes = await files.read(hash);
        if (!bytes) throw new GwError('GW_EVIDENCE_NOT_FOUND', `Fetching evidence ${params.sha256}: its ${params.variant} file ${hash} is missing from the store (the clue's verification reports it)`);
        res
          .status(200)
          .type(CONTENT_TYPE[params.variant](row))
          .set('Content-Disposition', `inline; filename="${hash}.${CONTENT_TYPE[params.variant](row).slice(6).replace('jpeg', 'jpg')}"`)
          .send(bytes);
      },
    ),
  ];
}
